"""还款纳入预算 on the to-do list: a unit (and the office) with debts or agreement installments falling due
this year that have no budget arrangement is told how many, and sent to the budget page to record them."""

from __future__ import annotations

from flask import g, url_for

from core import clock
from core.extensions import db
from core.web.nav import TodoItem
from plugins.prevention.budget import installments, service


def todo(tenant, user) -> list[TodoItem]:
    if g.principal is None or not g.principal.can("prevention.write"):
        return []
    year = clock.today(tenant).year
    debts = db.session.scalar(
        db.select(db.func.count()).select_from(service.unbudgeted_stmt(year).order_by(None).subquery())
    )
    due = installments.unbudgeted_installments(year)
    if not debts and not due:
        return []
    parts = [f"{debts}笔欠款"] if debts else []
    if due:
        parts.append(f"{len(due)}期还款协议分期")
    return [
        TodoItem(
            f"还款纳入预算：{year}年到期的{'、'.join(parts)}尚未安排预算",
            url=url_for("prevention_budget_ui.budget"),
            action="去登记",
            count=(debts or 0) + len(due),
            order=60,
        )
    ]
