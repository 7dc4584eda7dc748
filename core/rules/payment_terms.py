"""When a debt falls due, how late it is, and the late interest it carries (条例 Arts. 9, 10, 17)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.tenancy.plans import rules_for

CENT = Decimal("0.01")


@dataclass(frozen=True)
class TermInput:
    debtor_class: str  # "agency", "institution" or "large_enterprise"
    contract_date: dt.date | None
    clock_start: str  # delivery / settlement / acceptance
    delivery_date: dt.date | None
    settlement_date: dt.date | None
    acceptance_date: dt.date | None
    acceptance_period_days: int | None
    agreed_term_days: int | None
    agreed_payment_date: dt.date | None


@dataclass(frozen=True)
class DueDate:
    due_date: dt.date | None
    clock_started: dt.date | None
    term_days: int | None
    note: str | None = None


def clock_start_date(t: TermInput) -> dt.date | None:
    """Art. 10: delivery, the confirmed settlement date, or acceptance (capped by the acceptance period)."""
    if t.clock_start == "settlement":
        return t.settlement_date or t.delivery_date
    if t.clock_start == "acceptance":
        if t.delivery_date and t.acceptance_period_days is not None:
            latest = t.delivery_date + dt.timedelta(days=t.acceptance_period_days)
            if t.acceptance_date is None or t.acceptance_date > latest:
                return latest
        return t.acceptance_date or t.delivery_date
    return t.delivery_date


def compute_due_date(t: TermInput, plan: dict) -> DueDate:
    rules = rules_for(plan, t.contract_date)
    start = clock_start_date(t)
    if start is None:
        if t.agreed_payment_date:
            return DueDate(t.agreed_payment_date, None, None, "按约定付款日期")
        return DueDate(None, None, None, "缺少交付、结算或验收日期，无法计算到期日")
    if t.debtor_class == "large_enterprise":
        default_term = rules.get("large_enterprise_term_days")
        if default_term is None:  # 2020 rules: the agreed term applies, with no statutory default
            term = t.agreed_term_days
            if term is None and t.agreed_payment_date:
                return DueDate(t.agreed_payment_date, start, None, "按约定付款日期")
            term = term if term is not None else rules["max_agreed_term_days"]
        else:
            term = min(t.agreed_term_days, default_term) if t.agreed_term_days is not None else default_term
        return DueDate(start + dt.timedelta(days=term), start, term)
    max_term = rules["max_agreed_term_days"]
    term = rules["payment_term_days"] if t.agreed_term_days is None else min(t.agreed_term_days, max_term)
    note = None
    if t.agreed_term_days is not None and t.agreed_term_days > max_term:
        note = f"约定付款期限{t.agreed_term_days}日超过法定上限{max_term}日，按{max_term}日计算"
    due = start + dt.timedelta(days=term)
    if t.agreed_payment_date and t.agreed_payment_date < due:
        return DueDate(t.agreed_payment_date, start, term, "约定付款日期早于法定期限")
    return DueDate(due, start, term, note)


def overdue_days(due_date: dt.date | None, as_of: dt.date, outstanding: Decimal) -> int:
    if due_date is None or outstanding <= 0:
        return 0
    return max(0, (as_of - due_date).days)


def late_interest(
    principal: Decimal,
    due_date: dt.date | None,
    payments: Iterable[tuple[dt.date, Decimal]],
    as_of: dt.date,
    daily_rate: Decimal,
) -> Decimal:
    """Art. 17: interest on the unpaid balance from the day after the due date to each payment date.

    Each payment stops interest on its amount from the day it is paid; the rest runs on to ``as_of``.
    """
    if due_date is None or as_of <= due_date:
        return Decimal("0.00")
    balance = Decimal(principal)
    total = Decimal("0")
    cursor = due_date
    for paid_on, amount in sorted(payments):
        if paid_on > as_of:
            break
        if paid_on > cursor:
            total += balance * daily_rate * (paid_on - cursor).days
            cursor = paid_on
        balance -= Decimal(amount)
        if balance <= 0:
            return total.quantize(CENT, ROUND_HALF_UP)
    if as_of > cursor and balance > 0:
        total += balance * daily_rate * (as_of - cursor).days
    return total.quantize(CENT, ROUND_HALF_UP)


def daily_rate_for(plan: dict, contract_date: dt.date | None, agreed_rate: Decimal | None) -> Decimal:
    if agreed_rate is not None:
        return Decimal(agreed_rate)
    return Decimal(str(rules_for(plan, contract_date)["late_interest_daily_rate"]))
