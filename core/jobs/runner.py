"""One attempt of one job: app context, the starting user's scope, progress, result, retry decision.

Every backend ends up in ``execute(app, job_id)``; rq workers call the module-level ``run_job(job_id)``.
Status changes of the job row are made in the system scope (they are bookkeeping); the job callable runs in
the scope of the user who started it, or the whole jurisdiction for system jobs, exactly as a request would.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import update

from core.extensions import db
from core.jobs.liveness import HEARTBEATS, update_quietly
from core.jobs.models import Job, JobStatus
from core.models.base import utcnow
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.scope import Scope, scope_context, system_scope

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between progress writes; the UI polls about once a second
SKIPPED_MESSAGE = "插件未启用，已跳过"


class UnknownJob(LookupError):
    """No plugin provides a job of this name."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    plugin: str
    func: Any

    @property
    def label(self) -> str:
        """What the job pages call it: the callable's ``job_label`` (see ``labelled``), else its name."""
        return getattr(self.func, "job_label", None) or self.name


def labelled(label: str):
    """Give a job callable the Chinese name the job pages show (``@labelled("台账文件解析")``)."""

    def mark(func):
        func.job_label = label
        return func

    return mark


def job_labels(pm) -> dict[str, str]:
    """Job name → the name the job pages and the job API show."""
    return {name: spec.label for name, spec in job_registry(pm).items()}


def job_registry(pm) -> dict[str, JobSpec]:
    """Job name → callable and owning plugin, from every ``qingqian_jobs`` implementation.

    Like ``merge_dicts``, the implementation pluggy calls first (the last registered) wins a name clash.
    """
    out: dict[str, JobSpec] = {}
    for impl in reversed(pm.hook.qingqian_jobs.get_hookimpls()):
        for name, func in (impl.function() or {}).items():
            out.setdefault(name, JobSpec(name, impl.plugin_name, func))
    return out


class JobContext:
    """What a job callable receives as ``ctx``.

    ``ctx.job``, ``ctx.user`` and ``ctx.tenant`` are detached snapshots (reading them never hits the
    database, whatever the job commits). Call ``ctx.progress`` after committing a batch: it writes in its own
    short transaction, which on SQLite cannot get past a write transaction still open in the job's session.
    """

    def __init__(self, app: Flask, job: Job, user, tenant, principal) -> None:
        self.app = app
        self.job = job
        self.user = user
        self.tenant = tenant
        self.principal = principal
        self.params: dict[str, Any] = dict(job.params or {})
        self.done: int | None = None
        self.total: int | None = None
        self.message: str | None = None
        self._last_write = float("-inf")

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Report ``done`` of ``total`` items; visible at GET /api/v1/jobs/{id} within about half a second."""
        self.done = int(done)
        if total is not None:
            self.total = int(total)
        if message is not None:
            self.message = message
        finished = self.total is not None and self.done >= self.total
        if not finished and time.monotonic() - self._last_write < PROGRESS_INTERVAL:
            return
        self.flush()

    def flush(self) -> None:
        values: dict[str, Any] = {}
        if self.done is not None:
            values["progress_done"] = self.done
        if self.total is not None:
            values["progress_total"] = self.total
        if self.message is not None:
            values["message"] = self.message[:500]
        if not values:
            return
        self._last_write = time.monotonic()
        values["heartbeat_at"] = utcnow()  # progress is a sign of life too
        update_quietly([self.job.id], values)


def _jsonable(value: Any) -> dict | None:
    if value is None:
        return None
    value = json.loads(json.dumps(value, default=str, ensure_ascii=False))
    return value if isinstance(value, dict) else {"value": value}


def retry_delay(app: Flask, attempt: int) -> float:
    backoff = list(app.config.get("JOB_RETRY_BACKOFF") or [0])
    return float(backoff[min(max(attempt, 1), len(backoff)) - 1])


def _error_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "未知错误"


def _finish(job_id: str, **values: Any) -> None:
    with system_scope():
        db.session.execute(
            update(Job).where(Job.id == job_id).values(**values),
            execution_options={SKIP_FILTER: True, "synchronize_session": False},
        )
        db.session.commit()


def _fail(job_id: str, **values: Any) -> None:
    _finish(job_id, status=JobStatus.FAILED, **values)
    announce_failed(job_id)


def announce_failed(job_id: str) -> None:
    """``qingqian_job_failed`` for a job that has just ended failed, to the plugins its tenant enables.

    Needs an app context. A listener's error is logged, never raised: the job's own outcome is recorded.
    """
    from core.plugins import get_pm
    from core.tenancy.models import TenantNode

    with system_scope():
        try:
            job = db.session.get(Job, job_id, populate_existing=True)
            tenant = db.session.get(TenantNode, job.jurisdiction_id) if job is not None else None
            if tenant is not None:
                get_pm().hook_for(tenant, "qingqian_job_failed")(job=job, tenant=tenant)
                db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("a qingqian_job_failed listener failed for job %s", job_id)


def execute(app: Flask, job_id: str) -> float | None:
    """Run one attempt of the job. Returns the seconds to wait before retrying it, or None when it is done."""
    # Known as running here from before the claim to after the outcome is written, so the sweep in this
    # process never takes the attempt in between (its row says running, and no beat is due yet).
    HEARTBEATS.started(app, job_id, beat=not app.config.get("JOBS_INLINE"))
    with app.app_context():
        try:
            return _execute(app, job_id)
        finally:
            HEARTBEATS.finished(job_id)
            db.session.remove()


def _execute(app: Flask, job_id: str) -> float | None:
    from core.auth.context import resolve
    from core.auth.models import User
    from core.plugins import get_pm, plugin_enabled
    from core.tenancy.models import TenantNode

    with system_scope():
        # Claim the attempt atomically, so a job delivered twice (rq requeue, two resumers) runs once.
        claimed = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RETRYING]))
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                started_at=utcnow(),
                heartbeat_at=utcnow(),
                finished_at=None,
                next_attempt_at=None,
                progress_done=0,
            ),
            execution_options={SKIP_FILTER: True, "synchronize_session": False},
        )
        db.session.commit()
        if claimed.rowcount != 1:
            log.info("job %s is not waiting to run; ignored", job_id)
            return None
        job = db.session.get(Job, job_id, populate_existing=True)
        tenant = db.session.get(TenantNode, job.jurisdiction_id)
        user = db.session.get(User, job.user_id) if job.user_id else None
        spec = job_registry(get_pm()).get(job.name)
        if spec is None:
            _fail(job_id, finished_at=utcnow(), error=f"未知作业：{job.name}")
            return None
        if tenant is None or not plugin_enabled(job.plugin or spec.plugin, tenant):
            _finish(
                job_id,
                status=JobStatus.SUCCEEDED,
                finished_at=utcnow(),
                message=SKIPPED_MESSAGE,
                result={"skipped": True},
            )
            return None
        principal = None
        if user is not None:
            principal = resolve(user, tenant.code)
            if not user.active or principal.jurisdiction is None or principal.jurisdiction.id != tenant.id:
                _fail(job_id, finished_at=utcnow(), error="发起作业的用户已停用或已无权访问该辖区")
                return None
            scope = principal.scope
        else:
            scope = Scope(jurisdiction_id=tenant.id)
        # Detached snapshots: a refresh under a unit user's scope could not see the jurisdiction node.
        db.session.expunge_all()

    ctx = JobContext(app, job, user, tenant, principal)
    error: str | None = None
    result = None
    try:
        with scope_context(scope):
            g.principal = principal
            try:
                result = spec.func(ctx, **ctx.params)
                db.session.commit()
            finally:
                g.principal = None
    except Exception:
        db.session.rollback()
        text = traceback.format_exc()
        log.error("job %s (%s) attempt %s failed:\n%s", job_id, job.name, job.attempts, text)
        error = _error_line(text)[:2000]

    progress: dict[str, Any] = {}
    if ctx.done is not None:
        progress["progress_done"] = ctx.done
    if ctx.total is not None:
        progress["progress_total"] = ctx.total
    if error is None:
        _finish(
            job_id,
            status=JobStatus.SUCCEEDED,
            finished_at=utcnow(),
            result=_jsonable(result),
            error=None,
            message=(ctx.message or "已完成")[:500],
            **progress,
        )
        return None
    if job.attempts < job.max_attempts:
        delay = retry_delay(app, job.attempts)
        _finish(
            job_id,
            status=JobStatus.RETRYING,
            error=error,
            next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
            message=f"第 {job.attempts} 次运行失败，{int(delay)} 秒后重试",
            **progress,
        )
        return delay
    _fail(job_id, finished_at=utcnow(), error=error, message=f"运行 {job.attempts} 次均失败", **progress)
    return None


_process_app: Flask | None = None
_process_app_lock = threading.Lock()


def _worker_app() -> Flask:
    """The app of this worker process, created once from the environment (``QINGQIAN_*`` variables)."""
    global _process_app
    with _process_app_lock:
        if _process_app is None:
            from core import create_app

            _process_app = create_app()
        return _process_app


def run_job(job_id: str) -> str | None:
    """The rq entry point. Reuses the current app (``qingqian worker`` runs jobs inside its app context)."""
    from core.jobs.backends import get_backend

    app = current_app._get_current_object() if has_app_context() else _worker_app()
    delay = execute(app, job_id)
    if delay is not None:
        get_backend(app).submit(job_id, delay)
        return JobStatus.RETRYING.value
    return None
