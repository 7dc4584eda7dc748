"""Restriction measures (限制措施) applied to units and SOEs that refuse or delay payment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import Timestamps, UnitOwned

STATUS_LABELS = {"active": "执行中", "lifted": "已解除"}


class Measure(UnitOwned, Timestamps, db.Model):
    """One measure on one unit: type from the plan's list, the decision, and its lifting."""

    __tablename__ = "accountability_measures"
    __url_param__ = "measure_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_type: Mapped[str] = mapped_column(String(100))
    decision_no: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[dt.date] = mapped_column(Date)
    lift_condition: Mapped[str] = mapped_column(Text, default="")
    lift_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    lifted_on: Mapped[dt.date | None] = mapped_column(Date)
    lift_reason: Mapped[str | None] = mapped_column(Text)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


MODELS = [Measure]
