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
    """The debt's late interest as it stood on ``as_of``: the periods between the due date, each payment
    made by then and ``as_of`` (or the day the debt was cleared, if that came first).

    Day count: interest runs from the day after the due date (or after the previous payment) up to and
    including the payment day, or ``as_of``. Payments after ``as_of`` are ignored, so the balance is the one
    on that date. The total is core's ``late_interest`` on the same inputs, so the statement and the debt's
    figure cannot drift apart.
    """
    plan = plan_for(debt.unit)
    rate = daily_rate_for(plan, debt.contract_date, debt.agreed_daily_rate)
    live = sorted(
        (p.paid_on, p.amount)
        for p in db.session.scalars(
            db.select(Payment).where(Payment.debt_id == debt.id, Payment.reversed_at.is_(None))
        )
        if p.paid_on <= as_of
    )
    outstanding = debt.amount_owed - sum((a for _, a in live), Decimal("0"))
    cleared_on = _cleared_on(debt.amount_owed, live)
    end = cleared_on or as_of
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
        "cleared_on": cleared_on,
        "overdue_days": overdue_days(due, as_of, outstanding),
        "interest_days": sum(p["days"] for p in periods),
        "periods": periods,
        "total": total,
    }


def _cleared_on(principal: Decimal, payments: list[tuple[dt.date, Decimal]]) -> dt.date | None:
    """The day the payments (sorted, all by ``as_of``) brought the balance to zero, if they did."""
    balance = Decimal(principal)
    for paid_on, amount in payments:
        balance -= amount
        if balance <= 0:
            return paid_on
    return None


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
