"""Daily escalation of supervision items past their deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.extensions import db
from core.jobs import JobContext, labelled
from core.jobs.schedule import Schedule
from plugins.accountability.supervision import service


@labelled("挂牌督办、约谈承诺逾期提醒")
def supervision_overdue(ctx: JobContext, today: str | None = None) -> dict[str, Any]:
    """Open supervision items and interview commitments past their deadline: one notification to the
    leaders and one to the unit, per deadline (an extension re-arms it)."""
    day = dt.date.fromisoformat(today) if today else clock.today(ctx.tenant)
    from plugins.accountability.interviews import service as interviews

    count = service.escalate(ctx.tenant, day)
    commitments = interviews.escalate(ctx.tenant, day)
    db.session.commit()
    ctx.message = f"逾期督办事项 {count} 项、约谈承诺 {commitments} 项已提醒"
    return {"escalated": count, "commitments": commitments, "date": day.isoformat()}


JOBS = {"accountability_supervision_overdue": supervision_overdue}
SCHEDULES = [
    Schedule(
        name="accountability_supervision_overdue.daily",
        job="accountability_supervision_overdue",
        at="08:50",
        description="挂牌督办事项、约谈承诺逾期未办结时，提醒领导和责任单位",
    )
]
