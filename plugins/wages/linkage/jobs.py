"""Daily job: during the winter campaign, each unit still owing wages gets a countdown reminder; every
week (Monday unless the plan's ``wages.digest_weekday`` says otherwise, 1 = Monday) the office gets a
digest of the wage linkage. One notification per key and day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.extensions import db
from core.jobs import JobContext, labelled
from core.jobs.schedule import Schedule
from core.models.notification import Notification, NotificationLevel
from core.tenancy.plans import plan_for
from core.web.templating import cn_date
from plugins.wages.linkage import festival, metrics
from plugins.wages.linkage.models import WageCase


def _notify(
    jurisdiction_id: int, unit_id: int, key: str, title: str, body: str, link: str, level: str
) -> int:
    exists = db.session.scalar(
        db.select(Notification.id).where(Notification.unit_id == unit_id, Notification.key == key)
    )
    if exists is not None:
        return 0
    db.session.add(
        Notification(
            jurisdiction_id=jurisdiction_id,
            unit_id=unit_id,
            key=key,
            title=title,
            body=body,
            link=link,
            level=level,
        )
    )
    return 1


def countdown(jurisdiction, day: dt.date, plan: dict) -> int:
    run = festival.campaign(day, plan)
    if not run.active:
        return 0
    created = 0
    for row in festival.board(jurisdiction):
        if row.cleared:
            continue
        created += _notify(
            jurisdiction.id,
            row.unit_id,
            f"wages:festival:{day.isoformat()}",
            f"春节前清零：距春节还有 {run.days_left} 天，本单位尚欠农民工工资 {row.wages_left:,.2f} 元",
            f"冬季根治欠薪专项行动（{cn_date(run.start)}至{cn_date(run.festival)}）："
            f"本单位涉薪欠款 {row.debts} 笔尚未付清农民工工资，请在春节前全部支付。",
            "/wages/festival",
            NotificationLevel.URGENT if run.days_left <= 7 else NotificationLevel.WARNING,
        )
    return created


def digest(jurisdiction, day: dt.date, plan: dict) -> int:
    weekday = int(festival.wages_plan(plan).get("digest_weekday") or 1)
    if day.isoweekday() != weekday:
        return 0
    week_ago = day - dt.timedelta(days=7)
    new = db.session.scalar(
        db.select(db.func.count(WageCase.id)).where(
            WageCase.jurisdiction_id == jurisdiction.id,
            WageCase.received_on > week_ago,
            WageCase.received_on <= day,
        )
    )
    f = metrics.figures(jurisdiction, day)
    if not (new or f.linked or f.unmatched):
        return 0
    year, week, _ = day.isocalendar()
    body = (
        f"本周新收欠薪案件 {new} 件；已关联欠款 {f.linked} 件 {f.linked_amount:,.2f} 元，"
        f"其中已清偿 {f.cleared} 件 {f.cleared_amount:,.2f} 元，尚欠 {f.open_amount:,.2f} 元；"
        f"待手工关联 {f.unmatched} 件 {f.unmatched_amount:,.2f} 元。"
    )
    return _notify(
        jurisdiction.id,
        jurisdiction.id,
        f"wages:digest:{year}-W{week:02d}",
        f"农民工工资联动周报（{cn_date(day)}）",
        body,
        "/wages",
        NotificationLevel.INFO,
    )


@labelled("农民工工资联动提醒")
def wages_daily(ctx: JobContext, today: str | None = None) -> dict[str, Any]:
    jurisdiction = ctx.tenant
    day = dt.date.fromisoformat(today) if today else clock.today(jurisdiction)
    plan = plan_for(jurisdiction, on=day)
    result = {"countdown": countdown(jurisdiction, day, plan), "digest": digest(jurisdiction, day, plan)}
    db.session.commit()
    ctx.message = "已生成农民工工资联动提醒"
    return {**result, "date": day.isoformat()}


JOBS = {"wages_daily": wages_daily}
SCHEDULES = [
    Schedule(
        name="wages_daily.daily",
        job="wages_daily",
        at="08:35",
        description="冬季根治欠薪专项行动期间每天提醒尚欠农民工工资的单位；每周一向清欠办发送农民工工资联动周报",
    )
]
