"""The daily deadline job: reminders before, escalation to the office after (idempotent by notice key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.extensions import db
from core.jobs import labelled
from core.jobs.schedule import Schedule
from plugins.complaints.handling import service
from plugins.complaints.handling.exports import JOBS as export_jobs


@labelled("投诉办理期限提醒")
def complaint_deadlines(ctx, today: str | None = None) -> dict[str, Any]:
    """提醒即将到期的投诉办理期限，逾期的提请清欠办督办"""
    day = dt.date.fromisoformat(today) if today else clock.today(ctx.tenant)
    result = service.check_deadlines(ctx.tenant.id, day)
    db.session.commit()
    ctx.message = f"提醒 {result['reminded']} 条，逾期督办 {result['escalated']} 件"
    return {"as_of": day.isoformat(), **result}


JOBS = {"complaints.deadlines": complaint_deadlines, **export_jobs}
SCHEDULES = [
    Schedule(
        name="complaints-deadlines",
        job="complaints.deadlines",
        at="08:30",
        description="投诉线索办理期限提醒与逾期督办",
    )
]
