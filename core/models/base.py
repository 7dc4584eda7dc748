"""Mixins every tenant-owned model uses. Isolation keys off these classes, not off individual queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, ForeignKeyConstraint, Index, Integer, Numeric, func
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
    """A row that belongs to one jurisdiction (the Citus distribution key, the RLS column).

    Every such table gets the unique key ``(jurisdiction_id, id)``: the key a colocated foreign key points
    at (``colocated_fk``), and what lets the table be distributed by jurisdiction (see
    ``core.tenancy.colocation``). Its leading column serves the lookups a separate index on
    ``jurisdiction_id`` used to, so there is none.
    """

    __tenant_owned__ = True
    #: Set to None on a table nothing refers to that has another unique key holding ``jurisdiction_id``
    #: (a high-volume table would otherwise pay for one more index on every row written).
    __tenant_key__: tuple[str, ...] | None = ("jurisdiction_id", "id")

    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("tenant_nodes.id"))

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)  # the declarative base builds the table here
        table = cls.__dict__.get("__table__")
        if table is not None and cls.__tenant_key__:
            # A unique index rather than a constraint: both serve as a foreign key's target, and SQLite can
            # add an index without rebuilding the table.
            columns = [table.c[name] for name in cls.__tenant_key__]
            Index(f"uq_{table.name}_{'_'.join(cls.__tenant_key__)}", *columns, unique=True)


def colocated_fk(column: str, target: str, **kwargs) -> ForeignKeyConstraint:
    """A foreign key from one tenant-owned table to another that carries the jurisdiction.

    ``(column, jurisdiction_id)`` refers to ``target (id, jurisdiction_id)``: both rows sit on the same shard
    when the tables are distributed by jurisdiction (Citus' colocation rule), and the database itself
    refuses a row that points into another jurisdiction. Relationships over it name the id column alone
    (``foreign_keys=``) so the ORM never writes ``jurisdiction_id`` through them.
    """
    return ForeignKeyConstraint(
        [column, "jurisdiction_id"], [f"{target}.id", f"{target}.jurisdiction_id"], **kwargs
    )


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
