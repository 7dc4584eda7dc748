"""Deposits held from SMEs (保证金台账): kind, form, amount and the date they must go back (条例第十三条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk
from core.models.debt import Debt
from core.tenancy.models import TenantNode


class Deposit(UnitOwned, Versioned, Timestamps, db.Model):
    __tablename__ = "prevention_deposits"
    __url_param__ = "deposit_id"
    __table_args__ = (
        colocated_fk("review_id", "prevention_reviews"),
        colocated_fk("project_id", "prevention_projects"),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int | None] = mapped_column(Integer, index=True)
    project_id: Mapped[int | None] = mapped_column(Integer, index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contract_no: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    form: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_back_on: Mapped[dt.date] = mapped_column(Date)
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    # Not returned on time, the deposit became this arrears debt (category deposit) on ``converted_on``.
    debt_id: Mapped[int | None] = mapped_column(Integer, index=True)
    converted_on: Mapped[dt.date | None] = mapped_column(Date)
    remarks: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[TenantNode] = relationship(foreign_keys="Deposit.unit_id")
    debt: Mapped[Debt | None] = relationship(foreign_keys="Deposit.debt_id")


MODELS = [Deposit]
