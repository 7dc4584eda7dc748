"""The daily confirmation clock: reminders before the deadline, escalation to the office after it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.extensions import db
from core.jobs import labelled
from core.jobs.schedule import Schedule
from plugins.finance.confirmations import service
from plugins.finance.confirmations.list_export import JOBS as export_jobs


@labelled("应收账款确权答复期限提醒")
def confirmation_deadlines(ctx, today: str | None = None) -> dict[str, Any]:
    """提醒欠款单位按期答复确权申请，逾期未答复的提请清欠办督办"""
    day = dt.date.fromisoformat(today) if today else clock.today(ctx.tenant)
    result = service.check_deadlines(ctx.tenant, day)
    db.session.commit()
    ctx.message = f"提醒 {result['reminded']} 条，逾期督办 {result['escalated']} 件"
    return {"as_of": day.isoformat(), **result}


JOBS = {"finance.confirmation_deadlines": confirmation_deadlines, **export_jobs}
SCHEDULES = [
    Schedule(
        name="finance-confirmation-deadlines",
        job="finance.confirmation_deadlines",
        at="08:40",
        description="应收账款确权答复期限提醒与逾期督办",
    )
]
