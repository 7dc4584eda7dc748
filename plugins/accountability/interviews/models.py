"""Interviews (专项约谈) with a unit's head, and the commitments made there."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import Timestamps, UnitOwned, colocated_fk


class InterviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"


STATUS_LABELS = {InterviewStatus.SCHEDULED: "已安排", InterviewStatus.HELD: "已约谈"}


class Interview(UnitOwned, Timestamps, db.Model):
    """An interview of the unit's principal head (主要负责人); the unit sees its own."""

    __tablename__ = "accountability_interviews"
    __url_param__ = "interview_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    head_name: Mapped[str] = mapped_column(String(120))
    scheduled_at: Mapped[dt.datetime] = mapped_column(DateTime)  # naive UTC
    place: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text)
    attendees: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=InterviewStatus.SCHEDULED)
    held_on: Mapped[dt.date | None] = mapped_column(Date)
    minutes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(InterviewStatus(self.status), self.status)


class Commitment(UnitOwned, Timestamps, db.Model):
    """A commitment made in an interview, with its owner and deadline, tracked until done."""

    __tablename__ = "accountability_commitments"
    __url_param__ = "commitment_id"
    __table_args__ = (colocated_fk("interview_id", "accountability_interviews"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(Integer, index=True)
    content: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    done_note: Mapped[str | None] = mapped_column(Text)
    escalated_for: Mapped[dt.date | None] = mapped_column(Date)

    interview: Mapped[Interview] = relationship(foreign_keys=[interview_id], lazy="select")

    def overdue_days(self, today: dt.date) -> int:
        return max(0, (today - self.deadline).days) if self.status == "open" else 0


MODELS = [Interview, Commitment]
