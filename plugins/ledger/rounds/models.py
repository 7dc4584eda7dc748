"""Reporting rounds, the units in each round, their submissions (immutable snapshots) and concealment
flags."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import JurisdictionOwned, Money, Timestamps, UnitOwned, colocated_fk, utcnow
from core.tenancy.models import TenantNode


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


ROUND_STATUS_LABELS = {RoundStatus.OPEN: "进行中", RoundStatus.CLOSED: "已结束"}


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the unit head
    SIGNED = "signed"  # complete
    REOPENED = "reopened"  # superseded: the office sent it back; kept for the record


SUBMISSION_STATUS_LABELS = {
    SubmissionStatus.SUBMITTED: "已报送待签认",
    SubmissionStatus.SIGNED: "已签认",
    SubmissionStatus.REOPENED: "已退回",
}
ACTIVE_SUBMISSION = (SubmissionStatus.SUBMITTED.value, SubmissionStatus.SIGNED.value)
LIVE_CONDITION = "status <> 'reopened'"


class FlagKind(enum.StrEnum):
    OVERSIGHT_MISSING = "oversight_missing"  # found by audit/inspection/supervision/complaint, not reported
    VANISHED = "vanished"  # in the previous round, gone now, no payment or clearance recorded
    SHRUNK = "shrunk"  # amount fell between rounds by more than the payments recorded


FLAG_KIND_LABELS = {
    FlagKind.OVERSIGHT_MISSING: "审计/巡视/督导/线索发现但未填报",
    FlagKind.VANISHED: "上轮填报、本轮消失且无付款记录",
    FlagKind.SHRUNK: "金额减少但无相应付款",
}


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


FLAG_STATUS_LABELS = {FlagStatus.OPEN: "待核实", FlagStatus.RESOLVED: "已处理"}


class LedgerRound(JurisdictionOwned, Timestamps, db.Model):
    """One collection campaign (e.g. "2023年台账摸排"): every unit in scope reports as of ``as_of``.

    A round belongs to the jurisdiction (the office runs it), but a unit user sees only the rounds their
    units take part in: that is what ``__subtree_criteria__`` adds to the automatic tenant filter.
    """

    __tablename__ = "ledger_rounds"
    __url_param__ = "round_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    office_id: Mapped[int] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RoundStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Loaded lazily and never inner-joined: a unit user cannot see the office's node, yet sees the round.
    office: Mapped[TenantNode | None] = relationship(foreign_keys=[office_id], lazy="select")

    @classmethod
    def __subtree_criteria__(cls, unit_ids):
        return cls.id.in_(select(RoundUnit.round_id).where(RoundUnit.unit_id.in_(unit_ids)))

    @property
    def status_label(self) -> str:
        return ROUND_STATUS_LABELS.get(RoundStatus(self.status), self.status)


class RoundUnit(UnitOwned, db.Model):
    """A unit that must report in a round."""

    __tablename__ = "ledger_round_units"
    __url_param__ = "round_unit_id"
    __table_args__ = (
        Index("uq_ledger_round_units_round_unit", "round_id", "unit_id", "jurisdiction_id", unique=True),
        colocated_fk("round_id", "ledger_rounds"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    round: Mapped[LedgerRound] = relationship(foreign_keys=[round_id])
    unit: Mapped[TenantNode] = relationship(foreign_keys="RoundUnit.unit_id", lazy="joined", innerjoin=True)


class Submission(UnitOwned, db.Model):
    """A unit's ledger for a round: an immutable snapshot of its open debts, or a zero report.

    ``rows`` and the totals are written once, at submission; afterwards only the sign-off and reopen
    columns change. A reopened submission stays as the record of what was reported then.
    """

    __tablename__ = "ledger_submissions"
    __url_param__ = "submission_id"
    __table_args__ = (
        Index("ix_ledger_submissions_round_unit", "round_id", "unit_id", "status"),
        # The lock, enforced by the database too: at most one live submission per unit and round, even
        # when two clerks press 报送 at the same moment (the loser gets a 409).
        Index(
            "uq_ledger_submissions_live",
            "round_id",
            "unit_id",
            "jurisdiction_id",
            unique=True,
            sqlite_where=text(LIVE_CONDITION),
            postgresql_where=text(LIVE_CONDITION),
        ),
        colocated_fk("round_id", "ledger_rounds"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default=SubmissionStatus.SUBMITTED)
    zero: Mapped[bool] = mapped_column(Boolean, default=False)
    statement: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[list] = mapped_column(JSON, default=list)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    total_owed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    total_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    total_outstanding: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_name: Mapped[str | None] = mapped_column(String(120))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by_name: Mapped[str | None] = mapped_column(String(120))
    signoff_comment: Mapped[str | None] = mapped_column(Text)
    reopened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)

    round: Mapped[LedgerRound] = relationship(foreign_keys=[round_id], lazy="joined", innerjoin=True)
    unit: Mapped[TenantNode] = relationship(foreign_keys="Submission.unit_id", lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        return SUBMISSION_STATUS_LABELS.get(SubmissionStatus(self.status), self.status)

    @property
    def debt_ids(self) -> set[int]:
        return {int(row["debt_id"]) for row in self.rows or []}


class Flag(UnitOwned, Timestamps, db.Model):
    """A possible under-report (瞒报/漏报) for the office to verify and resolve with a note."""

    __tablename__ = "ledger_flags"
    __url_param__ = "flag_id"
    # One flag per round, kind and debt: the job recomputes flags daily without duplicating them, and a
    # resolved flag is not raised again.
    __table_args__ = (
        Index(
            "uq_ledger_flags_round_kind_debt", "round_id", "kind", "debt_id", "jurisdiction_id", unique=True
        ),
        colocated_fk("round_id", "ledger_rounds"),
        colocated_fk("submission_id", "ledger_submissions"),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, index=True)
    submission_id: Mapped[int | None] = mapped_column(Integer, index=True)
    debt_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=FlagStatus.OPEN, index=True)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_by_name: Mapped[str | None] = mapped_column(String(120))

    round: Mapped[LedgerRound] = relationship(foreign_keys=[round_id], lazy="joined", innerjoin=True)
    submission: Mapped[Submission | None] = relationship(foreign_keys=[submission_id])
    unit: Mapped[TenantNode] = relationship(foreign_keys="Flag.unit_id", lazy="joined", innerjoin=True)

    @property
    def kind_label(self) -> str:
        return FLAG_KIND_LABELS.get(FlagKind(self.kind), self.kind)

    @property
    def status_label(self) -> str:
        return FLAG_STATUS_LABELS.get(FlagStatus(self.status), self.status)


class ExportStatus(enum.StrEnum):
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


EXPORT_STATUS_LABELS = {
    ExportStatus.RUNNING: "正在生成",
    ExportStatus.READY: "可下载",
    ExportStatus.FAILED: "生成失败",
    ExportStatus.EXPIRED: "已过期",
}


class LedgerExport(UnitOwned, db.Model):
    """A workbook generated in the background (a whole ledger can take minutes), kept for a few days.

    Owned by the requester's home unit: whoever sees that unit may download it, as they could export
    the same rows themselves. The row stays when the file expires: who took which ledger out, and when.
    """

    __tablename__ = "ledger_exports"
    __url_param__ = "export_id"
    __table_args__ = (Index("ix_ledger_exports_scope_created", "jurisdiction_id", "unit_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The export.xlsx query it answers (by, unit, round, as_of): Flask-SQLAlchemy models own "query".
    params: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=ExportStatus.RUNNING)
    job_id: Mapped[str | None] = mapped_column(String(36))
    filename: Mapped[str | None] = mapped_column(String(255))
    stored_path: Mapped[str | None] = mapped_column(String(500))
    rows: Mapped[int | None] = mapped_column(Integer)
    file_size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    requested_by = relationship("User", foreign_keys="LedgerExport.requested_by_id", lazy="joined")

    @property
    def status_label(self) -> str:
        return EXPORT_STATUS_LABELS.get(ExportStatus(self.status), self.status)
