"""Daily jobs: reminders to units that have not reported, and the concealment checks."""

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
from plugins.ledger.rounds import export_files, flags, service
from plugins.ledger.rounds.models import LedgerRound, RoundStatus

DEFAULT_DAYS_BEFORE = (7, 3, 1)


def _today(ctx: JobContext, today: str | None) -> dt.date:
    if today:
        return dt.date.fromisoformat(today)
    return clock.today(ctx.tenant)


@labelled("填报轮次报送提醒")
def round_reminders(ctx: JobContext, today: str | None = None) -> dict[str, Any]:
    """Notify every unit of an open round that has not submitted: N days before the deadline (plan
    ``reminders.days_before``) and every day once it has passed. One notification per unit, round and day."""
    day = _today(ctx, today)
    days_before = {
        int(d) for d in (plan_for(ctx.tenant).get("reminders") or {}).get("days_before", DEFAULT_DAYS_BEFORE)
    }
    rounds = list(
        db.session.scalars(
            db.select(LedgerRound).where(LedgerRound.status == RoundStatus.OPEN).order_by(LedgerRound.id)
        )
    )
    created = 0
    for rnd in rounds:
        left = (rnd.deadline - day).days
        if left not in days_before and left >= 0:
            continue
        board = service.board(rnd, today=day)
        missing = [row.unit for row in board.rows if row.state == "missing"]
        key = f"ledger-round:{rnd.id}:{day.isoformat()}"
        done = set(
            db.session.scalars(
                db.select(Notification.unit_id).where(
                    Notification.key == key, Notification.unit_id.in_([u.id for u in missing])
                )
            )
        )
        for unit in missing:
            if unit.id in done:
                continue
            if left >= 0:
                title = f"“{rnd.name}”台账报送截止还有 {left} 天"
                body = (
                    f"请于{cn_date(rnd.deadline)}前报送本单位清欠台账（无拖欠的报送零报告），"
                    "并由单位负责人签认。"
                )
                level = (
                    NotificationLevel.URGENT
                    if left <= 1
                    else NotificationLevel.WARNING
                    if left <= 3
                    else NotificationLevel.INFO
                )
            else:
                title = f"“{rnd.name}”台账已逾期 {-left} 天未报送"
                body = (
                    f"报送截止日期为{cn_date(rnd.deadline)}，贵单位至今未报送，请立即报送并由单位负责人签认。"
                )
                level = NotificationLevel.URGENT
            db.session.add(
                Notification(
                    jurisdiction_id=unit.jurisdiction_id,
                    unit_id=unit.id,
                    key=key,
                    title=title,
                    body=body,
                    link=f"/ledger/rounds/{rnd.id}",
                    level=level,
                )
            )
            created += 1
    db.session.commit()
    ctx.message = f"已生成 {created} 条报送提醒"
    return {"created": created, "date": day.isoformat()}


@labelled("瞒报漏报提示检查")
def check_flags(ctx: JobContext) -> dict[str, Any]:
    """Recompute the concealment flags of every live submission (new oversight findings, payments)."""
    raised = flags.compute_all()
    db.session.commit()
    ctx.message = f"新增 {raised} 条瞒报漏报提示"
    return {"raised": raised}


JOBS = {
    "ledger_round_reminders": round_reminders,
    "ledger_check_flags": check_flags,
    "ledger_export": export_files.ledger_export,
    "ledger_expire_exports": export_files.expire_exports,
}
SCHEDULES = [
    Schedule(
        name="ledger_round_reminders.daily",
        job="ledger_round_reminders",
        at="08:30",
        description="台账报送截止前及逾期后，每天提醒未报送的单位",
    ),
    Schedule(
        name="ledger_check_flags.daily",
        job="ledger_check_flags",
        at="03:00",
        description="每天比对各单位报送的台账，生成瞒报漏报提示",
    ),
    Schedule(
        name="ledger_expire_exports.daily",
        job="ledger_expire_exports",
        at="04:00",
        description="每天删除保存期已过的台账导出文件（导出记录保留）",
    ),
]
