"""Mixins every tenant-owned model uses. Isolation keys off these classes, not off individual queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """Naive UTC from the business clock, so a pinned clock (``CLOCK_NOW``) pins stored timestamps too."""
    from core import clock

    return clock.utcnow()


class Money(TypeDecorator):
    """Yuan with two decimals, stored as NUMERIC(18, 2) and always handed out as Decimal."""

    impl = Numeric(18, 2)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal("0.01"))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(Decimal("0.01"))


class JurisdictionOwned:
    """A row that belongs to one jurisdiction (the Citus distribution key, the RLS column)."""

    __tenant_owned__ = True

    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)


class UnitOwned(JurisdictionOwned):
    """A row that belongs to one unit of the tree; users see it if the unit is in their subtrees."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)


class CopiedUnitOwned(UnitOwned):
    """``UnitOwned`` for high-volume rows whose tenant columns are copies of a parent row's (the debt an
    event records, the import a preview row belongs to), which the database has already checked.

    The copies carry no foreign key and no single-column index: PostgreSQL checks a foreign key with one
    lookup per row written (0.9 s per key per 100,000 rows, measured), and these rows are read through
    their parent, never by tenant column alone. Isolation (filter and row-level security) is unchanged.
    """

    jurisdiction_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer)


class SoftDelete:
    """Rows are never hard-deleted; deleted ones disappear from queries unless asked for."""

    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class Versioned:
    """Optimistic locking: the version is the ETag, and a stale If-Match answers 412."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @property
    def etag(self) -> str:
        return f'"{type(self).__tablename__}-{self.id}-v{self.version}"'


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )
