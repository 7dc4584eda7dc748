"""Periodic jobs: what runs when, for which tenants, and a claim table so each run happens once.

A schedule names a job and a time (daily at a local ``HH:MM``, or every N minutes). ``run_due(now)`` is one
scheduler tick: for every due schedule and every active jurisdiction whose plan enables the schedule's plugin
(core schedules run for all), it claims the slot in ``schedule_runs`` and enqueues the job. The claim is a
compare-and-set on one row per (schedule, jurisdiction), so two scheduler processes, a restart in the middle
of a tick or the embedded scheduler of several web processes never run a slot twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.extensions import db
from core.models.base import utcnow

log = logging.getLogger(__name__)

TICK_SECONDS = 30


@dataclass(frozen=True)
class Schedule:
    """A job run periodically for every tenant that enables ``plugin``.

    Exactly one of ``at`` (daily, local ``"HH:MM"``) and ``every_minutes`` is set. ``plugin`` may be left
    empty in a hook implementation: it is filled with the name of the plugin that returned the schedule.
    """

    name: str
    job: str
    at: str | None = None
    every_minutes: int | None = None
    plugin: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        if (self.at is None) == (self.every_minutes is None):
            raise ValueError(f"schedule {self.name!r}: set exactly one of at= and every_minutes=")
        if self.at is not None:
            dt.time.fromisoformat(self.at)
        if self.every_minutes is not None and self.every_minutes <= 0:
            raise ValueError(f"schedule {self.name!r}: every_minutes must be positive")

    def slot(self, now: dt.datetime) -> str | None:
        """The period ``now`` falls in, as a sortable string, or None if today's time has not come yet."""
        if self.at is not None:
            if now.time() < dt.time.fromisoformat(self.at):
                return None
            return now.date().isoformat()
        minutes = (now.hour * 60 + now.minute) // self.every_minutes * self.every_minutes
        start = dt.datetime.combine(now.date(), dt.time(minutes // 60, minutes % 60))
        return start.isoformat(timespec="minutes")

    @property
    def when_label(self) -> str:
        return f"每天 {self.at}" if self.at else f"每 {self.every_minutes} 分钟"


class ScheduleRun(db.Model):
    """The last slot claimed for one schedule in one jurisdiction (scheduler bookkeeping, not tenant data)."""

    __tablename__ = "schedule_runs"
    __table_args__ = (UniqueConstraint("schedule", "jurisdiction_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule: Mapped[str] = mapped_column(String(120))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)
    last_slot: Mapped[str] = mapped_column(String(32))
    last_run_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_job_id: Mapped[str | None] = mapped_column(String(36))


def all_schedules(pm=None) -> list[Schedule]:
    """Every schedule from ``qingqian_schedules``, with ``plugin`` set to the plugin that declared it."""
    from core.plugins import get_pm

    pm = pm or get_pm()
    out: list[Schedule] = []
    seen: set[str] = set()
    for impl in reversed(pm.hook.qingqian_schedules.get_hookimpls()):
        for entry in impl.function() or []:
            if entry.name in seen:
                log.warning("schedule %s declared twice; %s ignored", entry.name, impl.plugin_name)
                continue
            seen.add(entry.name)
            if entry.plugin is None:
                entry = Schedule(**{**entry.__dict__, "plugin": impl.plugin_name})
            out.append(entry)
    return out


def _claim(schedule: Schedule, jurisdiction_id: int, slot: str) -> ScheduleRun | None:
    """Take the slot for this tenant, or None when it is already taken (now or by another process)."""
    row = db.session.scalar(
        db.select(ScheduleRun).where(
            ScheduleRun.schedule == schedule.name, ScheduleRun.jurisdiction_id == jurisdiction_id
        )
    )
    if row is None:
        row = ScheduleRun(schedule=schedule.name, jurisdiction_id=jurisdiction_id, last_slot=slot)
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return None
        return row
    if row.last_slot >= slot:
        return None
    # Compare-and-set: of two schedulers racing for the slot, only one sees its UPDATE match a row.
    result = db.session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == row.id, ScheduleRun.last_slot < slot)
        .values(last_slot=slot, last_run_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    return row


def _wall_clock(now: dt.datetime | None, tenant) -> dt.datetime:
    """The tenant's naive wall-clock time: daily ``at`` times are the jurisdiction's local times."""
    if now is None:
        return clock.now(tenant).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(clock.zone(tenant)).replace(tzinfo=None)
    return now  # already a local time (tests, a manual tick)


def run_due(now: dt.datetime | None = None, app: Flask | None = None) -> list[str]:
    """One scheduler tick at ``now`` (aware, or naive local time; default the business clock): enqueue what
    is due, once per tenant, each tenant's daily times read on its own wall clock. Returns the job ids."""
    from core.jobs import create_job, submit
    from core.plugins import get_pm, plugin_enabled
    from core.tenancy.models import TenantNode
    from core.tenancy.scope import system_scope

    app = app or current_app._get_current_object()
    started: list[str] = []
    with app.app_context(), system_scope():
        schedules = all_schedules(get_pm())
        tenants = list(
            db.session.scalars(
                db.select(TenantNode)
                .where(TenantNode.parent_id.is_(None), TenantNode.active.is_(True))
                .order_by(TenantNode.id)
            )
        )
        wall = {tenant.id: _wall_clock(now, tenant) for tenant in tenants}
        for schedule in schedules:
            for tenant in tenants:
                slot = schedule.slot(wall[tenant.id])
                if slot is None or not plugin_enabled(schedule.plugin, tenant):
                    continue
                try:
                    row = _claim(schedule, tenant.id, slot)
                    if row is None:
                        continue
                    job = create_job(schedule.job, params=dict(schedule.params), unit=tenant, system=True)
                    row.last_job_id = job.id
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    log.exception("schedule %s for %s could not be enqueued", schedule.name, tenant.code)
                    continue
                started.append(job.id)
        db.session.remove()
    for job_id in started:
        submit(job_id, app=app)
    return started


def run_forever(app: Flask, stop: threading.Event | None = None, interval: float = TICK_SECONDS) -> None:
    """The scheduler loop: a tick every ``interval`` seconds until ``stop`` is set.

    Each tick also runs again, or fails, the jobs whose process died while running them.
    """
    from core.jobs.liveness import recover_interrupted

    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            recover_interrupted(app)
        except Exception:
            log.exception("sweep for interrupted jobs failed")
        try:
            run_due(app=app)
        except Exception:
            log.exception("scheduler tick failed")
        stop.wait(interval)


def start_embedded_scheduler(app: Flask) -> threading.Thread | None:
    """Run the scheduler in a daemon thread of the web process (embedded mode, no Redis).

    With Redis configured the ``qingqian scheduler`` process does this job, so nothing is started. Jobs left
    queued or waiting to retry by a previous run of the process are handed to the in-process pool again.
    """
    if app.config.get("REDIS_URL"):
        return None
    state = app.extensions.setdefault("qingqian.scheduler", {})
    if state.get("thread") is not None and state["thread"].is_alive():
        return state["thread"]
    from core.jobs import resume_pending

    resume_pending(app)
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(app, stop), name="qingqian-scheduler", daemon=True)
    thread.start()
    state.update(thread=thread, stop=stop)
    return thread
