"""Reminders to the office before (and after) the 31 March disclosure deadline, until it publishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.extensions import db
from core.jobs import JobContext, labelled
from core.jobs.schedule import Schedule
from core.models.notification import Notification, NotificationLevel
from core.web.templating import cn_date
from plugins.disclosure.annual import service

DAYS_BEFORE = (30, 14, 7, 3, 1)


@labelled("信息公开截止提醒")
def disclosure_reminders(ctx: JobContext, today: str | None = None) -> dict[str, Any]:
    """Tell the office that last year's figures are still unpublished: 30, 14, 7, 3 and 1 days before the
    deadline, then every day after it (until the year is over). One notification per day."""
    day = dt.date.fromisoformat(today) if today else clock.today(ctx.tenant)
    jurisdiction = ctx.tenant
    year = day.year - 1
    deadline = service.deadline(service.year_plan(jurisdiction, year), year)
    left = (deadline - day).days
    if service.report_of(jurisdiction, year) is not None or (left >= 0 and left not in DAYS_BEFORE):
        return {"created": 0, "date": day.isoformat()}
    key = f"disclosure:{year}:{day.isoformat()}"
    exists = db.session.scalar(
        db.select(Notification.id).where(Notification.unit_id == jurisdiction.id, Notification.key == key)
    )
    if exists is not None:
        return {"created": 0, "date": day.isoformat()}
    if left >= 0:
        title = f"{year}年度逾期未支付中小企业账款信息公开截止还有 {left} 天"
        level = NotificationLevel.URGENT if left <= 3 else NotificationLevel.WARNING
    else:
        title = f"{year}年度逾期未支付中小企业账款信息已逾期 {-left} 天未公开"
        level = NotificationLevel.URGENT
    db.session.add(
        Notification(
            jurisdiction_id=jurisdiction.id,
            unit_id=jurisdiction.id,
            key=key,
            title=title,
            body=f"按条例第十八条，须于{cn_date(deadline)}前公开{year}年末逾期未支付中小企业款项的合同数量和金额。",
            link=f"/disclosure?year={year}",
            level=level,
        )
    )
    db.session.commit()
    ctx.message = "已生成信息公开提醒"
    return {"created": 1, "date": day.isoformat()}


JOBS = {"disclosure_reminders": disclosure_reminders}
SCHEDULES = [
    Schedule(
        name="disclosure_reminders.daily",
        job="disclosure_reminders",
        at="08:40",
        description="上一年度逾期未付账款信息尚未公开时，在3月31日截止前及逾期后每天提醒清欠办",
    )
]
