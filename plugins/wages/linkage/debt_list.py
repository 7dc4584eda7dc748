"""涉薪 on core's debt list: a badge on wage-flagged debts (and the 人社 case numbers of linked ones) and a
filter that narrows the list and its export, through core's debt-list hooks."""

from __future__ import annotations

from core.extensions import db
from core.models.debt import Debt
from core.web.debt_list import DebtBadge, DebtListFilter
from plugins.wages.linkage.models import CaseStatus, WageCase

KEY = "wages_flag"
FLAGGED, CASE = "flagged", "case"


def _apply(stmt, value: str):
    if value == CASE:
        open_cases = db.select(WageCase.debt_id).where(
            WageCase.status == CaseStatus.LINKED, WageCase.debt_id.is_not(None)
        )
        return stmt.where(Debt.id.in_(open_cases))
    return stmt.where(Debt.migrant_wages.is_(True))


def filters() -> list[DebtListFilter]:
    return [
        DebtListFilter(
            KEY,
            "涉薪",
            {FLAGGED: "涉薪欠款", CASE: "关联人社欠薪案件（未结）"},
            apply=_apply,
            plugin="wages",
        )
    ]


def badges(debts: list[Debt]) -> dict[int, list[DebtBadge]]:
    ids = [d.id for d in debts]
    cases: dict[int, list[str]] = {}
    for debt_id, case_no in db.session.execute(
        db.select(WageCase.debt_id, WageCase.case_no)
        .where(WageCase.debt_id.in_(ids), WageCase.status == CaseStatus.LINKED)
        .order_by(WageCase.id)
    ):
        cases.setdefault(debt_id, []).append(case_no)
    out: dict[int, list[DebtBadge]] = {}
    for d in debts:
        if d.id in cases:
            out[d.id] = [
                DebtBadge(
                    "涉薪·人社案件",
                    title=f"关联人社欠薪案件{'、'.join(cases[d.id])}，须优先支付农民工工资",
                    level="danger",
                )
            ]
        elif d.migrant_wages:
            out[d.id] = [DebtBadge("涉薪", title="涉及农民工工资，须优先支付", level="warning")]
    return out
