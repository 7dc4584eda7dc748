"""Recording budget arrangements, and the debts due in a year that have none (for the office and finance)."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.models.debt import Debt
from core.rules.status import OPEN_STATUSES
from core.services import history
from plugins.prevention.budget.models import BudgetArrangement
from plugins.prevention.errors import Refused


class BudgetRefused(Refused):
    pass


def arrange(debt: Debt, data: dict, actor) -> BudgetArrangement:
    exists = db.session.scalar(
        db.select(BudgetArrangement.id).where(
            BudgetArrangement.debt_id == debt.id, BudgetArrangement.year == data["year"]
        )
    )
    if exists is not None:
        raise BudgetRefused({"debt_id": [f"该笔欠款{data['year']}年已有预算安排"]})
    if data["amount"] > debt.outstanding:
        raise BudgetRefused({"amount": [f"预算金额超过未付金额 {debt.outstanding:,.2f} 元"]})
    row = BudgetArrangement(
        jurisdiction_id=debt.jurisdiction_id,
        unit_id=debt.unit_id,
        debt=debt,
        created_by_id=getattr(actor, "id", None),
        **{k: data.get(k) for k in ("year", "budget_line", "amount", "remarks")},
    )
    db.session.add(row)
    db.session.flush()
    history.record(
        row,
        "arranged",
        after={
            "debt_id": debt.id,
            "year": row.year,
            "budget_line": row.budget_line,
            "amount": f"{row.amount:.2f}",
        },
        actor=actor,
    )
    return row


def unbudgeted_stmt(year: int):
    """Open debts due by the end of ``year`` (this year's and overdue ones) with no arrangement for it.

    A debt under a live repayment agreement is paid by its installments: it is listed through them
    (``installments.unbudgeted_installments``), not twice.
    """
    from plugins.prevention.budget.installments import under_agreement_stmt

    arranged = db.select(BudgetArrangement.debt_id).where(BudgetArrangement.year == year)
    stmt = db.select(Debt).where(
        Debt.status.in_([str(s) for s in OPEN_STATUSES]),
        Debt.due_date.is_not(None),
        Debt.due_date <= dt.date(year, 12, 31),
        Debt.id.not_in(arranged),
    )
    under = under_agreement_stmt()
    if under is not None:
        stmt = stmt.where(Debt.id.not_in(under))
    return stmt.order_by(Debt.due_date, Debt.id)
