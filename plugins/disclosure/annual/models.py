"""Published annual disclosures: one fixed snapshot per jurisdiction and year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import JurisdictionOwned, Money, utcnow


class DisclosureReport(JurisdictionOwned, db.Model):
    """What the office published for ``year``: per unit, overdue unpaid contracts at 31 December.

    ``rows`` is the snapshot as published (later ledger changes do not alter a publication); publishing
    the year again replaces it and raises ``version``, with the reason kept in the history.
    """

    __tablename__ = "disclosure_reports"
    __url_param__ = "report_id"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "year", name="uq_disclosure_reports_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    rows: Mapped[list] = mapped_column(JSON)
    total_count: Mapped[int] = mapped_column(Integer, default=0)
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


MODELS = [DisclosureReport]
