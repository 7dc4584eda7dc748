"""Installments of repayment agreements falling due within a week, on the debtor unit's to-do list."""

from __future__ import annotations

import datetime as dt

from flask import g, url_for

from core import clock
from core.extensions import db
from core.web.nav import TodoItem
from plugins.agreements.clearance.models import Installment, InstallmentStatus

DAYS_AHEAD = 7
LIMIT = 10


def todo(tenant, user) -> list[TodoItem]:
    if not g.principal.can("agreements.write"):
        return []
    today = clock.today(tenant)
    rows = db.session.scalars(
        db.select(Installment)
        .where(
            Installment.status.in_([InstallmentStatus.PENDING, InstallmentStatus.PARTIAL]),
            Installment.due_on <= today + dt.timedelta(days=DAYS_AHEAD),
        )
        .order_by(Installment.due_on, Installment.id)
        .limit(LIMIT)
    )
    return [
        TodoItem(
            f"协议还款第{i.seq}期：{i.agreement.debt.project_name or '欠款#' + str(i.agreement.debt_id)}",
            url=url_for("agreements_ui.agreement_detail", agreement_id=i.agreement_id),
            action="去登记付款",
            due=i.due_on,
            order=40,
        )
        for i in rows
        if g.principal.can_at("agreements.write", i.agreement.debt.unit)
    ]
