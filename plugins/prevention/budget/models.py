"""还款纳入预算: the budget line and amount a unit has arranged for paying a debt in a year."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk
from core.models.debt import Debt


class BudgetArrangement(UnitOwned, Versioned, Timestamps, db.Model):
    __tablename__ = "prevention_budget_arrangements"
    __url_param__ = "arrangement_id"
    __table_args__ = (
        UniqueConstraint(
            "debt_id",
            "year",
            "jurisdiction_id",
            name="uq_prevention_budget_arrangements_debt_year_jurisdiction_id",
        ),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(Integer, index=True)
    year: Mapped[int] = mapped_column(Integer)
    budget_line: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    remarks: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    debt: Mapped[Debt] = relationship(foreign_keys=[debt_id])


MODELS = [BudgetArrangement]
