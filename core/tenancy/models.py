"""The tenant tree: jurisdictions and every unit below them, any depth."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.append_only import AppendOnly
from core.models.base import JurisdictionOwned, Timestamps, UnitOwned, Versioned, utcnow


class NodeKind(enum.StrEnum):
    JURISDICTION = "jurisdiction"
    TOWNSHIP = "township"
    DEPARTMENT = "department"
    INSTITUTION = "institution"
    SOE = "soe"
    SUBSIDIARY = "subsidiary"


NODE_KIND_LABELS = {
    NodeKind.JURISDICTION: "辖区",
    NodeKind.TOWNSHIP: "乡（镇）",
    NodeKind.DEPARTMENT: "部门",
    NodeKind.INSTITUTION: "事业单位",
    NodeKind.SOE: "国有企业",
    NodeKind.SUBSIDIARY: "子公司",
}

# The kind of debtor a node is, for the payment-term rules (agencies and institutions vs large SOEs).
DEBTOR_CLASS = {
    NodeKind.JURISDICTION: "agency",
    NodeKind.TOWNSHIP: "agency",
    NodeKind.DEPARTMENT: "agency",
    NodeKind.INSTITUTION: "institution",
    NodeKind.SOE: "large_enterprise",
    NodeKind.SUBSIDIARY: "large_enterprise",
}


class TenantNode(Timestamps, Versioned, db.Model):
    """One org unit. ``path`` lists the ids from the root ('/1/5/9/') so a subtree is one prefix."""

    __tablename__ = "tenant_nodes"
    __tenant_owned__ = True
    __url_param__ = "tenant_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)
    # Null only for the instant between inserting a jurisdiction and learning its own id.
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)
    path: Mapped[str] = mapped_column(String(500), index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    halted: Mapped[bool] = mapped_column(Boolean, default=False)  # 停产企业: out of the campaign's scope
    plan_name: Mapped[str | None] = mapped_column(String(120))
    plan: Mapped[dict | None] = mapped_column(JSON)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[TenantNode | None] = relationship(
        remote_side="TenantNode.id", foreign_keys=[parent_id], lazy="joined", innerjoin=False
    )

    @property
    def is_jurisdiction(self) -> bool:
        return self.kind == NodeKind.JURISDICTION

    @property
    def kind_label(self) -> str:
        return NODE_KIND_LABELS.get(NodeKind(self.kind), self.kind)

    @property
    def debtor_class(self) -> str:
        return DEBTOR_CLASS.get(NodeKind(self.kind), "agency")

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def __repr__(self) -> str:
        return f"<TenantNode {self.code}>"


class UnitAlias(UnitOwned, db.Model):
    """Another name clerks use for a unit (a ledger's "五台山景区管委会" for its registered name).

    Saved per jurisdiction when someone maps an unknown name to a unit; ``key`` is the name as matched
    (``core.tenancy.names.name_key``), unique in the jurisdiction so one name means one unit.
    """

    __tablename__ = "unit_aliases"
    __url_param__ = "alias_id"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "key", name="uq_unit_aliases_jurisdiction_id_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PlanVersion(AppendOnly, JurisdictionOwned, db.Model):
    """One saved version of a hosted jurisdiction's own plan document (before inheritance): who saved it,
    when and why. The resolved plan lives on the jurisdiction node; these rows are its history."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "number", name="uq_plan_versions_jurisdiction_id_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
