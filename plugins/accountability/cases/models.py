"""Typical cases (典型案例) exposed publicly, and serious dishonest debtors proposed for 失信 referral."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import Timestamps, UnitOwned

CASE_STATUS_LABELS = {"draft": "草稿", "approved": "已审核待发布", "published": "已公开"}
CREDIT_STATUS_LABELS = {"proposed": "已提出", "approved": "决定移送", "rejected": "决定不移送"}


class TypicalCase(UnitOwned, Timestamps, db.Model):
    """A case about the debtor unit, with the creditor anonymised; public only once published."""

    __tablename__ = "accountability_cases"
    __url_param__ = "typical_case_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    lesson: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return CASE_STATUS_LABELS.get(self.status, self.status)


class CreditReferral(UnitOwned, Timestamps, db.Model):
    """A serious dishonest debtor (an SOE or large enterprise of the tree) proposed for 失信惩戒, with the
    decision taken on it."""

    __tablename__ = "accountability_credit_referrals"
    __url_param__ = "credit_referral_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    decision_no: Mapped[str | None] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return CREDIT_STATUS_LABELS.get(self.status, self.status)


MODELS = [TypicalCase, CreditReferral]
