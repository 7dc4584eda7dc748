"""The complaints plugin's tables. All are tenant-owned (UnitOwned), so isolation applies automatically.

A complaint's ``unit_id`` is the unit currently responsible for it: the jurisdiction node (the office) on
receipt, the handling unit after transfer. A unit therefore sees exactly the cases transferred to its subtree.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.append_only import AppendOnly
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk, utcnow
from core.models.debt import Debt


class Channel(enum.StrEnum):
    PUBLIC = "public"
    HOTLINE = "hotline"
    NATIONAL_PLATFORM = "national_platform"
    AUDIT = "audit"
    INSPECTION = "inspection"
    SUPERVISION = "supervision"


CHANNEL_LABELS = {
    Channel.PUBLIC: "网上投诉",
    Channel.HOTLINE: "热线",
    Channel.NATIONAL_PLATFORM: "国家平台",
    Channel.AUDIT: "审计",
    Channel.INSPECTION: "巡视",
    Channel.SUPERVISION: "督导",
}


class Status(enum.StrEnum):
    RECEIVED = "received"
    NEEDS_INFO = "needs_info"
    OUT_OF_SCOPE = "out_of_scope"
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    TRACKING = "tracking"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.RECEIVED: "已收到，待核查",
    Status.NEEDS_INFO: "待补充材料",
    Status.OUT_OF_SCOPE: "不属于受理范围",
    Status.ACCEPTED: "已受理，待转办",
    Status.TRANSFERRED: "已转办，办理中",
    Status.TRACKING: "已反馈，纳入台账跟踪",
    Status.CLOSED: "已办结",
}
OPEN = {Status.RECEIVED, Status.NEEDS_INFO, Status.ACCEPTED, Status.TRANSFERRED, Status.TRACKING}


class Outcome(enum.StrEnum):
    UNDISPUTED = "undisputed"
    DISPUTED = "disputed"
    REJECTED = "rejected"


OUTCOME_LABELS = {Outcome.UNDISPUTED: "无争议", Outcome.DISPUTED: "有争议", Outcome.REJECTED: "不予支持"}
TRIAGE_CATEGORIES = {
    "accept": "建议受理",
    "private_debtor": "欠款方为民营企业或个人",
    "judicial": "已进入司法程序",
    "outside_jurisdiction": "欠款方不在本辖区",
    "not_sme": "投诉方不是中小企业",
    "needs_info": "信息不全，需投诉人补充",
}
# The out-of-scope reason each refusing category files the case under.
CATEGORY_REASONS = {
    "private_debtor": "private_debtor",
    "judicial": "judicial",
    "outside_jurisdiction": "outside_jurisdiction",
    "not_sme": "large_creditor",
}
ROUTE_LABELS = {"mediation": "调解", "negotiation": "协商", "law": "依法解决（诉讼或仲裁）"}

OUT_OF_SCOPE_REASONS = {
    "private_debtor": "被投诉方为民营企业或个人，不属于机关、事业单位和大型企业",
    "judicial": "该账款已进入诉讼、仲裁等司法程序",
    "outside_jurisdiction": "被投诉单位不在本辖区管辖范围内",
    "large_creditor": "投诉企业为大型企业，不属于中小企业",
    "not_goods_works_services": "所涉款项不属于货物、工程、服务款项",
    "no_contract": "投诉企业与被投诉单位之间没有合同关系",
}


class Complaint(UnitOwned, Versioned, Timestamps, db.Model):
    __tablename__ = "complaints"
    __url_param__ = "complaint_id"
    __table_args__ = (
        Index("ix_complaints_scope_status", "jurisdiction_id", "unit_id", "status"),
        Index("ix_complaints_dupes", "jurisdiction_id", "creditor_code"),
        # Unique within the jurisdiction, which every lookup by code names (the public status pages are
        # per jurisdiction): a shard checks it alone (core.tenancy.colocation).
        UniqueConstraint("tracking_code", "jurisdiction_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(30), default=Channel.PUBLIC)
    source_ref: Mapped[str | None] = mapped_column(String(200))  # e.g. the national platform's case number
    status: Mapped[str] = mapped_column(String(20), default=Status.RECEIVED, index=True)
    creditor_name: Mapped[str] = mapped_column(String(200))
    creditor_code: Mapped[str] = mapped_column(String(18))
    creditor_size: Mapped[str] = mapped_column(String(10), default="small")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    debtor_text: Mapped[str] = mapped_column(String(200))
    debtor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("tenant_nodes.id"))
    contract_no: Mapped[str | None] = mapped_column(String(120))
    contract_name: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20), default="works")
    # Blank when the complainant did not know it (the office asks); as written, and whether it is an estimate.
    amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    amount_text: Mapped[str | None] = mapped_column(String(60))
    amount_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    debtor_score: Mapped[float | None] = mapped_column(Float)
    migrant_wages: Mapped[bool] = mapped_column(Boolean, default=False)
    migrant_wage_amount: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    # The product's triage suggestion at receipt, and what the office decided (kept to measure the hit rate).
    suggested_category: Mapped[str | None] = mapped_column(String(30))
    suggested_reasons: Mapped[list | None] = mapped_column(JSON)
    triage_category: Mapped[str | None] = mapped_column(String(30))
    triage_override_reason: Mapped[str | None] = mapped_column(Text)
    # 待补充材料: what the office asked the complainant, and their answer (the clock restarts from it).
    info_request: Mapped[str | None] = mapped_column(Text)
    info_requested_on: Mapped[dt.date | None] = mapped_column(Date)
    info_reply: Mapped[str | None] = mapped_column(Text)
    info_replied_on: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[dt.date] = mapped_column(Date)
    transfer_due: Mapped[dt.date] = mapped_column(Date)
    transferred_on: Mapped[dt.date | None] = mapped_column(Date)
    result_due: Mapped[dt.date | None] = mapped_column(Date)
    extended_reason: Mapped[str | None] = mapped_column(Text)
    out_of_scope_reason: Mapped[str | None] = mapped_column(String(40))
    triage_note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_detail: Mapped[str | None] = mapped_column(Text)
    dispute_route: Mapped[str | None] = mapped_column(String(20))
    payment_deadline: Mapped[dt.date | None] = mapped_column(Date)
    result_text: Mapped[str | None] = mapped_column(Text)  # what the complainant reads in the status lookup
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    attachments: Mapped[list[ComplaintAttachment]] = relationship(
        back_populates="complaint",
        foreign_keys="ComplaintAttachment.complaint_id",
        lazy="selectin",
        viewonly=True,
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(Status(self.status), self.status)

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(Channel(self.channel), self.channel)

    @property
    def outcome_label(self) -> str | None:
        return OUTCOME_LABELS.get(Outcome(self.outcome)) if self.outcome else None


class ComplaintAttachment(UnitOwned, db.Model):
    """An uploaded file, kept in the database: a few small evidence files per case."""

    __tablename__ = "complaint_attachments"
    __url_param__ = "attachment_id"
    __table_args__ = (colocated_fk("complaint_id", "complaints"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(Integer, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments", foreign_keys=[complaint_id])


class ComplaintStep(AppendOnly, UnitOwned, db.Model):
    """One step of a case's timeline (who, when, what). Append-only; it follows the case's unit."""

    __append_only_movable__ = ("unit_id",)
    __tablename__ = "complaint_steps"
    __url_param__ = "complaint_step_id"
    __table_args__ = (colocated_fk("complaint_id", "complaints"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="系统")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    complaint: Mapped[Complaint] = relationship(foreign_keys=[complaint_id])


class ComplaintDebtLink(UnitOwned, db.Model):
    """A case that was not settled on the spot, and the core debt that now tracks it to the end."""

    __tablename__ = "complaint_debt_links"
    __url_param__ = "complaint_debt_link_id"
    __table_args__ = (
        UniqueConstraint("complaint_id", "debt_id", "jurisdiction_id"),
        colocated_fk("complaint_id", "complaints"),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(Integer, index=True)
    debt_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(foreign_keys=[complaint_id])
    debt: Mapped[Debt] = relationship(foreign_keys=[debt_id])


class ConfidentialNote(UnitOwned, db.Model):
    """A retaliation concern (Art. 20), filed under the jurisdiction node: only the office's scope sees it."""

    __tablename__ = "complaint_confidential_notes"
    __url_param__ = "confidential_note_id"
    __table_args__ = (colocated_fk("complaint_id", "complaints"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(Integer, index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(foreign_keys=[complaint_id])


MODELS = [Complaint, ComplaintAttachment, ComplaintStep, ComplaintDebtLink, ConfidentialNote]
