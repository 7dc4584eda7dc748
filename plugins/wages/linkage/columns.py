"""Columns the plugin adds to debt exports: the 人社 cases linked to each debt and their state."""

from __future__ import annotations

from collections.abc import Sequence

from core.extensions import db
from core.models.debt import Debt
from core.rules.columns import ExportColumn
from plugins.wages.linkage.models import WageCase


def _cases(debts: Sequence[Debt]) -> dict[int, list[WageCase]]:
    ids = [d.id for d in debts]
    out: dict[int, list[WageCase]] = {}
    if not ids:
        return out
    for case in db.session.scalars(
        db.select(WageCase).where(WageCase.debt_id.in_(ids)).order_by(WageCase.id)
    ):
        out.setdefault(case.debt_id, []).append(case)
    return out


def case_numbers(debts: Sequence[Debt]) -> dict[int, str]:
    return {debt_id: "、".join(c.case_no for c in cases) for debt_id, cases in _cases(debts).items()}


def case_states(debts: Sequence[Debt]) -> dict[int, str]:
    return {
        debt_id: "、".join(f"{c.case_no}{c.status_label}" for c in cases)
        for debt_id, cases in _cases(debts).items()
    }


def columns() -> list[ExportColumn]:
    return [
        ExportColumn("wages_cases", "人社欠薪案件", case_numbers),
        ExportColumn("wages_case_status", "欠薪案件状态", case_states),
    ]
