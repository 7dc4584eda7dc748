"""Per-debt late-interest statement: each period's balance × days × rate, from core's rule functions."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.extensions import db
from core.models.debt import Debt, Payment
from core.rules.payment_terms import daily_rate_for, late_interest, overdue_days
from core.tenancy.plans import plan_for

CENT = Decimal("0.01")


def statement(debt: Debt, as_of: dt.date) -> dict[str, Any]:
    """The periods between the due date, each payment and ``as_of``; the total is core's ``late_interest``
    on the same inputs, so the statement and the debt's figure cannot drift apart."""
    plan = plan_for(debt.unit)
    rate = daily_rate_for(plan, debt.contract_date, debt.agreed_daily_rate)
    live = [
        (p.paid_on, p.amount)
        for p in db.session.scalars(
            db.select(Payment).where(Payment.debt_id == debt.id, Payment.reversed_at.is_(None))
        )
    ]
    outstanding = debt.amount_owed - sum((a for _, a in live), Decimal("0"))
    end = as_of if outstanding > 0 else max((d for d, _ in live), default=as_of)
    periods: list[dict[str, Any]] = []
    due = debt.due_date
    if due is not None and end > due:
        balance, cursor = Decimal(debt.amount_owed), due
        for paid_on, amount in sorted(live):
            if paid_on > end or balance <= 0:
                break
            if paid_on > cursor:
                periods.append(_period(cursor, paid_on, balance, rate))
                cursor = paid_on
            balance -= amount
        if end > cursor and balance > 0:
            periods.append(_period(cursor, end, balance, rate))
    total = late_interest(debt.amount_owed, due, live, end, rate)
    return {
        "debt_id": debt.id,
        "as_of": as_of,
        "due_date": due,
        "daily_rate": rate,
        "principal": debt.amount_owed,
        "outstanding": outstanding,
        "overdue_days": overdue_days(due, as_of, outstanding),
        "periods": periods,
        "total": total,
    }


def _period(start: dt.date, end: dt.date, balance: Decimal, rate: Decimal) -> dict[str, Any]:
    days = (end - start).days
    # Interest runs from the day after ``start`` up to and including ``end``.
    return {
        "from": start + dt.timedelta(days=1),
        "to": end,
        "balance": balance,
        "days": days,
        "interest": (balance * rate * days).quantize(CENT, ROUND_HALF_UP),
    }
