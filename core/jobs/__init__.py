"""Background jobs: ``enqueue`` a named job for a unit; plugins add jobs with ``qingqian_jobs``.

A job is a row in ``jobs`` (status, progress, result, attempts) plus a callable ``func(ctx, **params)``
looked up by name. Backends: synchronous when ``JOBS_INLINE`` (tests), a thread pool in the web process
without Redis, rq workers with ``REDIS_URL``. Each attempt runs in its own app context, in the scope of the
user who started it (system jobs: the whole jurisdiction). A job whose plugin the tenant's plan does not
enable is not run: it ends ``succeeded`` with the message "插件未启用，已跳过" and the result
``{"skipped": true}``.
Failed attempts are retried after ``JOB_RETRY_BACKOFF`` seconds until ``max_attempts`` (default
``1 + JOB_MAX_RETRIES``); then the job is ``failed`` with the exception's last traceback line in ``error``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, current_app, g, has_app_context

from core.extensions import db
from core.jobs.models import Job, JobStatus
from core.jobs.runner import SKIPPED_MESSAGE, JobContext, UnknownJob, job_labels, job_registry, labelled

__all__ = [
    "SKIPPED_MESSAGE",
    "Job",
    "JobContext",
    "JobStatus",
    "UnknownJob",
    "create_job",
    "enqueue",
    "job_labels",
    "job_registry",
    "labelled",
    "resume_pending",
    "submit",
]


def _default_unit(principal):
    """The unit a user's job belongs to: the first node they hold a role at, else their jurisdiction."""
    if principal is None or principal.jurisdiction is None:
        return None
    for _role, node in principal.role_nodes:
        if node is not None and node.jurisdiction_id == principal.jurisdiction.id:
            return node
    return principal.jurisdiction


def create_job(
    name: str,
    *,
    params: dict[str, Any] | None = None,
    user=None,
    unit=None,
    max_attempts: int | None = None,
    system: bool = False,
) -> Job:
    """Add the job row to the session, neither committed nor started.

    ``system=True`` makes a job without a user (whole-jurisdiction scope), even inside a request.
    """
    from core.plugins import get_pm

    spec = job_registry(get_pm()).get(name)
    if spec is None:
        raise UnknownJob(f"未知作业：{name}")
    principal = g.get("principal") if has_app_context() and not system else None
    if user is None and principal is not None:
        user = principal.user
    if unit is None:
        unit = _default_unit(principal)
    if unit is None:
        raise ValueError("作业必须属于一个单位：请传入 unit")
    if max_attempts is None:
        max_attempts = 1 + int(current_app.config.get("JOB_MAX_RETRIES", 0))
    job = Job(
        id=str(uuid.uuid4()),
        name=name,
        plugin=spec.plugin,
        status=JobStatus.QUEUED,
        params=dict(params or {}),
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        user_id=None if system or user is None else user.id,
        attempts=0,
        max_attempts=max(1, int(max_attempts)),
        progress_done=0,
    )
    db.session.add(job)
    db.session.flush()
    return job


def submit(job_id: str, delay: float = 0.0, app: Flask | None = None) -> None:
    """Hand a committed job row to the app's backend."""
    from core.jobs.backends import get_backend

    get_backend(app or current_app._get_current_object()).submit(job_id, delay)


def enqueue(
    name: str,
    *,
    params: dict[str, Any] | None = None,
    user=None,
    unit=None,
    max_attempts: int | None = None,
) -> Job:
    """Create the job row and start it. ``user`` and ``unit`` default to the current request's principal.

    Commits the session: the row must exist for the worker (another process or thread) before it starts.
    ``params`` must be JSON-serialisable; they reach the job callable as keyword arguments.
    """
    job = create_job(name, params=params, user=user, unit=unit, max_attempts=max_attempts)
    job_id = job.id
    db.session.commit()
    submit(job_id)
    return job


def resume_pending(app: Flask) -> int:
    """Hand queued and retrying jobs to the in-process backend again (after the web process restarted)."""
    import datetime as dt

    from core.jobs.backends import get_backend
    from core.models.base import utcnow
    from core.tenancy.isolation import SKIP_FILTER
    from core.tenancy.scope import system_scope

    with app.app_context(), system_scope():
        rows = db.session.execute(
            db.select(Job.id, Job.next_attempt_at).where(
                Job.status.in_([JobStatus.QUEUED, JobStatus.RETRYING])
            ),
            execution_options={SKIP_FILTER: True},
        ).all()
        db.session.remove()
    now = utcnow()
    backend = get_backend(app)
    for job_id, next_at in rows:
        delay = max(0.0, (next_at - now).total_seconds()) if isinstance(next_at, dt.datetime) else 0.0
        backend.submit(job_id, delay)
    return len(rows)
