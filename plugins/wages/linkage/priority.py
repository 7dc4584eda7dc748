"""Wage debts come first in the clearance plan (清偿计划): a debt linked to an open 人社 case is paid
before the unit's other debts, and a repayment agreement on it must schedule the wages in its first due
date.

- ``clearance_order``: a unit's open debts in the order they are to be paid.
- ``planned_date_issues`` (``qingqian_validate_debt``): no other debt of the unit may be planned
  (计划偿还时间) before a linked wage debt.
- ``bring_forward``: linking a case moves the debt's planned date up to the unit's earliest one.
- ``schedule_issues`` (checked when an agreement's instalments are written): the instalments due on the
  first date cover the wages still owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from core.extensions import db
from core.models.debt import Debt
from core.plugins import model_of
from core.rules.validation import Issue, ValidationFailed
from plugins.wages.linkage.cases import wages_paid, wages_paid_of
from plugins.wages.linkage.models import CaseStatus, WageCase

ZERO = Decimal("0.00")
WAGE_CASE, WAGE_FLAG, OTHER = 0, 1, 2
TIER_LABELS = {WAGE_CASE: "人社欠薪案件", WAGE_FLAG: "涉及农民工工资", OTHER: "其他欠款"}


def wages_left(debt: Debt, paid: Decimal | None = None) -> Decimal:
    """``paid``: the debt's wages paid when the caller has them (``wages_paid_of``)."""
    paid = wages_paid(debt) if paid is None else paid
    return max(ZERO, (debt.migrant_wage_amount or ZERO) - paid)


def linked_debt_ids(unit_id: int | None = None) -> set[int]:
    """Debts linked to an open (not yet cleared) 人社 case, in ``unit_id`` when given."""
    stmt = db.select(WageCase.debt_id).where(
        WageCase.status == CaseStatus.LINKED, WageCase.debt_id.is_not(None)
    )
    if unit_id is not None:
        stmt = stmt.where(WageCase.unit_id == unit_id)
    return set(db.session.scalars(stmt))


@dataclass(frozen=True)
class Ranked:
    debt: Debt
    tier: int
    wages_left: Decimal

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier]


def tier(debt: Debt, linked: set[int]) -> int:
    if debt.id in linked:
        return WAGE_CASE
    return WAGE_FLAG if debt.migrant_wages else OTHER


def rank_key(item: Ranked) -> tuple:
    """Linked wage debts, then other wage debts, then the rest; within a tier the earliest due first, then
    the most wages owed, then the oldest record."""
    due = item.debt.due_date or dt.date.max
    return (item.tier, due, -item.wages_left, item.debt.id)


def clearance_order(debts: list[Debt]) -> list[Ranked]:
    linked = linked_debt_ids()
    open_debts = [d for d in debts if d.deleted_at is None and d.outstanding > 0]
    paid = wages_paid_of([d for d in open_debts if d.migrant_wages])
    ranked = [
        Ranked(d, tier(d, linked), wages_left(d, paid[d.id]) if d.migrant_wages else ZERO) for d in open_debts
    ]
    return sorted(ranked, key=rank_key)


def unit_debts(unit_id: int) -> list[Debt]:
    return list(db.session.scalars(db.select(Debt).where(Debt.unit_id == unit_id, Debt.deleted_at.is_(None))))


@event.listens_for(Debt.planned_repayment_date, "set")
def _planned_date_set(target: Debt, value, oldvalue, _initiator) -> None:
    # Validation runs queries that autoflush, which clears SQLAlchemy's own change history: remember
    # that the date was set, for ``planned_date_issues``.
    if value != oldvalue:
        target._wages_planned_set = True


def _planned_changed(debt: Debt) -> bool:
    state = inspect(debt)
    changed = state.transient or state.pending or bool(getattr(debt, "_wages_planned_set", False))
    debt._wages_planned_set = False
    return changed


def planned_date_issues(debt: Debt) -> list[Issue]:
    """A new planned repayment date may not put another debt of the unit before a linked wage debt."""
    planned = debt.planned_repayment_date
    if planned is None or debt.unit_id is None or not _planned_changed(debt):
        return []
    linked = linked_debt_ids(debt.unit_id)
    if not linked:
        return []
    others = [d for d in unit_debts(debt.unit_id) if d.id != debt.id and d.outstanding > 0]
    if debt.id in linked:
        earlier = [
            d
            for d in others
            if d.id not in linked and d.planned_repayment_date and d.planned_repayment_date < planned
        ]
        if earlier:
            first = min(d.planned_repayment_date for d in earlier)
            return [
                Issue(
                    "planned_repayment_date",
                    f"该欠款关联人社欠薪案件，应在本单位清偿计划中最先偿还：计划偿还时间不能晚于"
                    f"本单位其他欠款最早的计划偿还时间（{first:%Y年%-m月%-d日}）",
                )
            ]
        return []
    later = [
        d
        for d in others
        if d.id in linked and wages_left(d) > 0 and (d.planned_repayment_date or dt.date.max) > planned
    ]
    if later:
        names = "、".join(d.project_name or f"第{d.id}号欠款" for d in later[:3])
        return [
            Issue(
                "planned_repayment_date",
                f"本单位关联人社欠薪案件的欠款（{names}）须先于其他欠款偿还：请先把它们的计划偿还时间"
                f"安排在{planned:%Y年%-m月%-d日}或之前",
            )
        ]
    return []


def bring_forward(debt: Debt) -> dt.date | None:
    """The planned date a newly linked wage debt should take: the unit's earliest planned date among its
    other open debts when that is earlier than its own (or it has none); None when no change is needed."""
    dates = [
        d.planned_repayment_date
        for d in unit_debts(debt.unit_id)
        if d.id != debt.id and d.outstanding > 0 and d.planned_repayment_date is not None
    ]
    if not dates:
        return None
    first = min(dates)
    current = debt.planned_repayment_date
    return first if current is None or current > first else None


# --- Repayment agreements --------------------------------------------------------------------------


def schedule_issues(debt: Debt, agreed: Decimal, installments: list[tuple[dt.date, Decimal]]) -> list[Issue]:
    """An agreement on a linked wage debt pays the wages still owed on its first due date: what falls
    due on the earliest date must be at least min(agreed amount, wages left)."""
    if debt.id not in linked_debt_ids(debt.unit_id) or not installments:
        return []
    left = wages_left(debt)
    first = min(day for day, _ in installments)
    first_amount = sum((amount for day, amount in installments if day == first), ZERO)
    required = min(Decimal(agreed), left)
    if first_amount < required:
        return [
            Issue(
                "installments",
                f"该欠款关联人社欠薪案件，尚有农民工工资{left:.2f}元未付：还款协议须先安排工资，"
                f"第一期（{first:%Y年%-m月%-d日}）至少应为{required:.2f}元（当前{first_amount:.2f}元）",
            )
        ]
    return []


def _wages_enabled(debt: Debt) -> bool:
    from core.plugins import get_pm, plugin_enabled
    from core.tenancy.models import TenantNode
    from core.tenancy.scope import system_scope

    if "wages" not in get_pm().names():
        return False
    with system_scope():
        jurisdiction = db.session.get(TenantNode, debt.jurisdiction_id)
    return jurisdiction is not None and plugin_enabled("wages", jurisdiction)


@event.listens_for(Session, "before_flush")
def _check_new_installments(session: Session, _context, _instances) -> None:
    """Agreements live in their own plugin, which this one does not import: their new instalments are
    recognised by table name when both plugins are installed, and checked before they are written."""
    fresh = [o for o in session.new if getattr(o, "__tablename__", None) == "agreements_installments"]
    if not fresh:
        return
    from flask import has_app_context

    if not has_app_context():
        return
    installment, agreement_model = model_of("agreements_installments"), model_of("agreements_agreements")
    if installment is None or agreement_model is None:
        return
    by_agreement: dict[object, list] = {}
    for row in fresh:
        # An instalment added with its agreement object (not yet flushed) has no agreement_id yet.
        key = row.agreement_id if row.agreement_id is not None else row.__dict__.get("agreement")
        if key is not None:
            by_agreement.setdefault(key, []).append(row)
    for key, rows in by_agreement.items():
        with session.no_autoflush:
            agreement = session.get(agreement_model, key) if isinstance(key, int) else key
            debt_id = getattr(agreement, "debt_id", None)
            debt = session.get(Debt, debt_id) if debt_id is not None else None
            if debt is None or not _wages_enabled(debt):
                continue
            kept = (
                session.scalars(db.select(installment).where(installment.agreement_id == agreement.id)).all()
                if agreement.id is not None
                else []
            )
            schedule = [(r.due_on, Decimal(r.amount)) for r in {*kept, *rows}]
            issues = schedule_issues(debt, Decimal(agreement.agreed_amount), schedule)
        if issues:
            raise ValidationFailed(issues)
