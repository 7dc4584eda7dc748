"""Confirmation requests on the to-do list of whoever must act on them, as complaints are.

A debtor unit sees every unanswered request addressed to its subtree, with the 30-day deadline (the
dashboard says 剩余N天/逾期N天); the office sees the requests past their deadline, to chase the unit.
"""

from __future__ import annotations

from flask import g, url_for

from core import clock
from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import TodoItem
from plugins.finance.confirmations.models import Confirmation, Status

LIMIT = 10


def todo(tenant, user) -> list[TodoItem]:
    if g.principal is None or not g.principal.can("finance.answer"):
        return []
    stmt = db.select(Confirmation).where(Confirmation.status == Status.PENDING)
    office = g.principal.can("finance.manage")
    if office:
        stmt = stmt.where(Confirmation.due_on < clock.today(tenant))
    rows = list(db.session.scalars(stmt.order_by(Confirmation.due_on, Confirmation.id).limit(LIMIT)))
    names = {
        n.id: n.name
        for n in db.session.scalars(db.select(TenantNode).where(TenantNode.id.in_({r.unit_id for r in rows})))
    }
    return [
        TodoItem(
            (
                f"确权逾期未答复：{names.get(r.unit_id, '')}（{r.creditor_name}申请确认{r.amount:,.2f}元）"
                if office
                else f"答复确权申请：{r.creditor_name}申请确认合同{r.contract_no}项下{r.amount:,.2f}元"
            ),
            url=url_for("finance_ui.detail", confirmation_id=r.id),
            action="去督办" if office else "去答复",
            due=r.due_on,
            order=35,
        )
        for r in rows
    ]
