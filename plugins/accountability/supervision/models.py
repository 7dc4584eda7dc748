"""Supervision (挂牌督办): a unit, a debt or a complaint listed with a deadline, and its timeline."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.append_only import AppendOnly
from core.models.base import Timestamps, UnitOwned, colocated_fk, utcnow


class SupervisionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


STATUS_LABELS = {SupervisionStatus.OPEN: "督办中", SupervisionStatus.CLOSED: "已办结"}
SUBJECT_LABELS = {"unit": "单位", "debt": "欠款", "complaint": "投诉"}
EVIDENCE_LABELS = {"payment": "付款记录", "agreement": "已签还款协议", "complaint": "投诉办理结果"}


class Supervision(UnitOwned, Timestamps, db.Model):
    """One item under supervision, owned by the supervised unit (so the unit sees it as its to-do)."""

    __tablename__ = "accountability_supervisions"
    __url_param__ = "supervision_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(20), default="unit")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    subject_label: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    required_actions: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.date] = mapped_column(Date)
    original_deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=SupervisionStatus.OPEN, index=True)
    proposal_key: Mapped[str | None] = mapped_column(String(120))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    evidence_kind: Mapped[str | None] = mapped_column(String(20))
    evidence_id: Mapped[int | None] = mapped_column(Integer)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    escalated_for: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(SupervisionStatus(self.status), self.status)

    @property
    def subject_kind_label(self) -> str:
        return SUBJECT_LABELS.get(self.subject_kind, self.subject_kind)

    def overdue_days(self, today: dt.date) -> int:
        return max(0, (today - self.deadline).days) if self.status == SupervisionStatus.OPEN else 0


class SupervisionStep(AppendOnly, UnitOwned, db.Model):
    """What happened to a supervision item: opened, progress (with an attachment), extended, escalated,
    closed. Never changed or deleted."""

    __tablename__ = "accountability_supervision_steps"
    __url_param__ = "supervision_step_id"
    __table_args__ = (colocated_fk("supervision_id", "accountability_supervisions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervision_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(120), default="系统")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_path: Mapped[str | None] = mapped_column(String(300))
    file_mime: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)

    supervision: Mapped[Supervision] = relationship(foreign_keys=[supervision_id], lazy="select")


ACTION_LABELS = {
    "opened": "挂牌督办",
    "progress": "报告进展",
    "extended": "延期",
    "escalated": "逾期升级提醒",
    "closed": "办结销号",
}

MODELS = [Supervision, SupervisionStep]
