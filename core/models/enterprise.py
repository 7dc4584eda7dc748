"""Creditors: the SMEs that are owed money. One row per credit code per jurisdiction.

The shared row (name, credit code, size) is the jurisdiction's: its office keeps it. Each unit that deals
with a creditor holds its own view of it in an ``EnterpriseLink`` (the name as it entered it, its contacts,
its address), so a unit learns nothing of what another unit recorded; a unit's wish to change a shared field
is an ``EnterpriseProposal`` for the office.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.extensions import db
from core.models.base import JurisdictionOwned, SoftDelete, Timestamps, UnitOwned, Versioned, colocated_fk


class SizeClass(enum.StrEnum):
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"
    LARGE = "large"


SIZE_LABELS = {
    SizeClass.MEDIUM: "中型",
    SizeClass.SMALL: "小型",
    SizeClass.MICRO: "微型",
    SizeClass.LARGE: "大型",
}


class Enterprise(JurisdictionOwned, SoftDelete, Versioned, Timestamps, db.Model):
    __tablename__ = "enterprises"
    __url_param__ = "enterprise_id"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "credit_code"),
        Index("ix_enterprises_jurisdiction_name", "jurisdiction_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    credit_code_warning: Mapped[str | None] = mapped_column(String(200))
    size_class: Mapped[str] = mapped_column(String(10), default=SizeClass.SMALL)
    is_private: Mapped[bool] = mapped_column(Boolean, default=True)
    contacts: Mapped[list | None] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(String(300))
    registered_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("tenant_nodes.id"))

    @property
    def size_label(self) -> str:
        return SIZE_LABELS.get(SizeClass(self.size_class), self.size_class)

    @property
    def display_name(self) -> str:
        """The name to show the current reader (``core.services.creditors.shown_name``): a unit user reads
        the name its unit entered, not what another unit registered under the same credit code."""
        from core.services.creditors import shown_name

        return shown_name(self)

    # The creditor of a debt a unit sees is visible by the subtree rule below; a query that reaches the
    # creditor only through that relationship needs no second check (core.tenancy.isolation).
    __visible_through__ = ("Debt.creditor",)

    @classmethod
    def __subtree_criteria__(cls, unit_ids):
        """A unit user sees creditors of its subtree's debts and those its units registered."""
        from core.models.debt import Debt

        return or_(
            cls.id.in_(select(Debt.creditor_id).where(Debt.unit_id.in_(unit_ids))),
            cls.id.in_(select(EnterpriseLink.enterprise_id).where(EnterpriseLink.unit_id.in_(unit_ids))),
        )


class EnterpriseLink(Versioned, UnitOwned, db.Model):
    """Makes a jurisdiction's creditor visible to a unit that registered or matched it, with the unit's own
    view of it: ``name`` as the unit entered it (None: the shared name), ``contacts`` and ``address``."""

    __tablename__ = "enterprise_links"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "unit_id", "jurisdiction_id"),
        colocated_fk("enterprise_id", "enterprises"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Looked up by enterprise through the unique (enterprise_id, unit_id, …) index; no index of its own.
    enterprise_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(200))
    contacts: Mapped[list | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(300))


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class EnterpriseProposal(UnitOwned, db.Model):
    """A unit's proposed change to a creditor's shared fields, decided by the jurisdiction's office."""

    __tablename__ = "enterprise_proposals"
    __url_param__ = "proposal_id"
    __table_args__ = (colocated_fk("enterprise_id", "enterprises"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    changes: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=ProposalStatus.PENDING)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
