"""Deposits to return soon (or already late) on the to-do list of the unit holding them: the day they are
due back is the deadline, after which the nightly job turns them into arrears (条例第十三条)."""

from __future__ import annotations

import datetime as dt

from flask import g, url_for

from core import clock
from core.extensions import db
from core.web.nav import TodoItem
from plugins.prevention.deposits.models import Deposit

SOON_DAYS = 30
LIMIT = 10


def todo(tenant, user) -> list[TodoItem]:
    if g.principal is None or not g.principal.can("prevention.write"):
        return []
    horizon = clock.today(tenant) + dt.timedelta(days=SOON_DAYS)
    rows = db.session.scalars(
        db.select(Deposit)
        .where(Deposit.returned_on.is_(None), Deposit.debt_id.is_(None), Deposit.due_back_on <= horizon)
        .order_by(Deposit.due_back_on, Deposit.id)
        .limit(LIMIT)
    )
    return [
        TodoItem(
            f"退还保证金：{d.enterprise_name} {d.amount:,.2f}元",
            url=url_for("prevention_deposits_ui.deposits") + f"#deposit-{d.id}",
            action="去退还",
            due=d.due_back_on,
            order=55,
        )
        for d in rows
    ]
