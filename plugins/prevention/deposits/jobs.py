"""The daily deposit reminders: 30, 7 and 1 days before a deposit must go back, then daily while overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.extensions import db
from core.jobs import JobContext, labelled
from core.jobs.schedule import Schedule
from core.tenancy.plans import plan_for
from plugins.prevention.deposits import conversion, service
from plugins.prevention.reviews.rules import plan_settings


@labelled("保证金到期退还提醒")
def deposit_reminders(ctx: JobContext, today: str | None = None) -> dict[str, Any]:
    jurisdiction = ctx.tenant
    day = dt.date.fromisoformat(today) if today else clock.today(jurisdiction)
    days = plan_settings(plan_for(jurisdiction, on=day))["deposit_reminder_days"]
    created = service.remind(jurisdiction.id, day, days)
    db.session.commit()
    ctx.message = f"生成保证金退还提醒 {created} 条"
    return {"created": created, "date": day.isoformat()}


@labelled("逾期未退保证金转为欠款")
def overdue_deposits_to_debts(ctx: JobContext, today: str | None = None) -> dict[str, Any]:
    jurisdiction = ctx.tenant
    day = dt.date.fromisoformat(today) if today else clock.today(jurisdiction)
    result = conversion.convert_overdue(jurisdiction.id, day)
    db.session.commit()
    ctx.message = f"逾期未退保证金转为欠款 {result['converted']} 笔"
    return {**result, "date": day.isoformat()}


JOBS = {
    "prevention_deposit_reminders": deposit_reminders,
    "prevention_deposit_conversion": overdue_deposits_to_debts,
}
SCHEDULES = [
    Schedule(
        name="prevention_deposit_reminders.daily",
        job="prevention_deposit_reminders",
        at="08:20",
        description="保证金到期前30、7、1天及逾期后每天提醒收取单位退还",
    ),
    Schedule(
        name="prevention_deposit_conversion.nightly",
        job="prevention_deposit_conversion",
        at="23:30",
        description="每晚将退还日期已过仍未退还的保证金自动转为拖欠账款（类别：保证金）",
    ),
]
