"""Core's own jobs: the nightly recomputation of debts and the daily deadline reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.extensions import db
from core.jobs.runner import JobContext, labelled
from core.models.debt import Debt
from core.models.notification import Notification, NotificationLevel
from core.rules.status import OPEN_STATUSES
from core.services.milestones import deadline_labels
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from core.web.templating import cn_date

DEFAULT_REMINDER_DAYS = (7, 3, 1)


def _local_today(ctx: JobContext) -> dt.date:
    return clock.today(ctx.tenant)


@labelled("逾期天数与逾期利息重算")
def recompute_debts(ctx: JobContext, as_of: str | None = None, batch_size: int = 200) -> dict[str, Any]:
    """Overdue days and late interest of every open debt in scope, as of ``as_of`` (default: today).

    Works in batches, committing each, and writes only the debts whose figures changed.
    """
    day = dt.date.fromisoformat(as_of) if as_of else _local_today(ctx)
    ids = list(db.session.scalars(db.select(Debt.id).where(Debt.status.in_(OPEN_STATUSES)).order_by(Debt.id)))
    total = len(ids)
    changed = 0
    ctx.progress(0, total, "正在重算逾期天数和逾期利息")
    from core.services.debts import recompute

    for start in range(0, total, batch_size):
        chunk = ids[start : start + batch_size]
        for debt in db.session.scalars(db.select(Debt).where(Debt.id.in_(chunk))).unique():
            before = (debt.due_date, debt.overdue_days, debt.late_interest)
            computed_on = debt.computed_on
            recompute(debt, day)
            if (debt.due_date, debt.overdue_days, debt.late_interest) == before:
                # Setting the old value back leaves the row out of the UPDATE entirely.
                debt.computed_on = computed_on
            else:
                changed += 1
        db.session.commit()
        ctx.progress(min(start + batch_size, total), total)
    ctx.message = f"已检查 {total} 笔债务，更新 {changed} 笔"
    return {"as_of": day.isoformat(), "checked": total, "changed": changed}


@labelled("工作方案时间节点提醒")
def deadline_reminders(ctx: JobContext, today: str | None = None) -> dict[str, Any]:
    """Notify every unit of the jurisdiction N days before each plan deadline (``reminders.days_before``).

    Idempotent: each reminder has a key (deadline, date, days left), so re-running the same day adds nothing.
    """
    day = dt.date.fromisoformat(today) if today else _local_today(ctx)
    plan = plan_for(ctx.tenant, on=day)
    days_before = {int(d) for d in (plan.get("reminders") or {}).get("days_before", DEFAULT_REMINDER_DAYS)}
    labels = deadline_labels(plan)
    due: list[tuple[str, dt.date, int]] = []
    for key, value in (plan.get("deadlines") or {}).items():
        try:
            when = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            continue
        left = (when - day).days
        if left in days_before:
            due.append((key, when, left))
    if not due:
        ctx.message = "今天没有需要提醒的时间节点"
        return {"created": 0, "deadlines": []}

    units = list(
        db.session.scalars(
            db.select(TenantNode)
            .where(TenantNode.jurisdiction_id == ctx.tenant.id, TenantNode.active.is_(True))
            .order_by(TenantNode.path)
        )
    )
    keys = {f"deadline:{key}:{when.isoformat()}:{left}": (key, when, left) for key, when, left in due}
    existing = set(
        db.session.execute(
            db.select(Notification.unit_id, Notification.key).where(Notification.key.in_(list(keys)))
        ).all()
    )
    created = 0
    for done, unit in enumerate(units, start=1):
        for note_key, (key, when, left) in keys.items():
            if (unit.id, note_key) in existing:
                continue
            label = labels.get(key, key)
            db.session.add(
                Notification(
                    jurisdiction_id=unit.jurisdiction_id,
                    unit_id=unit.id,
                    key=note_key,
                    title=f"距“{label}”截止还有 {left} 天",
                    body=(
                        f"按照《{plan.get('name', '工作方案')}》，须在 {cn_date(when)} 前"
                        f"完成“{label}”，请抓紧推进。"
                    ),
                    level=NotificationLevel.URGENT
                    if left <= 1
                    else NotificationLevel.WARNING
                    if left <= 3
                    else NotificationLevel.INFO,
                )
            )
            created += 1
        ctx.progress(done, len(units))
    db.session.commit()
    ctx.message = f"已为 {len(units)} 个单位生成 {created} 条提醒"
    return {"created": created, "deadlines": [k for k, _, _ in due]}
