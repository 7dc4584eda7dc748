"""The plugin's one tenant-owned table. Mixing in UnitOwned is all it takes to be isolated."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import UnitOwned, colocated_fk, utcnow


class SiteVisit(UnitOwned, db.Model):
    """实地督导记录：督导人员到欠款单位现场核查的一次记录。"""

    __tablename__ = "sample_site_visits"
    __url_param__ = "visit_id"
    # A debt is another tenant-owned row: the key carries the jurisdiction (core.tenancy.colocation).
    __table_args__ = (colocated_fk("debt_id", "debts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int | None] = mapped_column(Integer, index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
