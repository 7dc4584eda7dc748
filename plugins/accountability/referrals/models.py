"""Referrals to discipline inspection (问责移送): the package handed over and what came of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import Timestamps, UnitOwned

STATUS_LABELS = {"prepared": "已整理待移送", "handed_over": "已移送", "concluded": "已有处理结果"}


class Referral(UnitOwned, Timestamps, db.Model):
    """A unit referred to 纪检监察 for concealment or repeated failures; the evidence is assembled live
    into the package (.docx summary + .zip) until it is handed over."""

    __tablename__ = "accountability_referrals"
    __url_param__ = "referral_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    basis: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="prepared")
    handed_over_on: Mapped[dt.date | None] = mapped_column(Date)
    received_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The confirmed concealment findings (accountability_flag_findings) the referral is built from; empty
    # when it rests on repeated failures alone.
    finding_ids: Mapped[list | None] = mapped_column(JSON)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


MODELS = [Referral]
