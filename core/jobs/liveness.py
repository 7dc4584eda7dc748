"""Jobs whose process died while running them: heartbeats, and the sweep that runs them again or fails them.

While an attempt runs, a thread of its process writes the job's ``heartbeat_at`` every
``JOB_HEARTBEAT_SECONDS`` in its own short transaction (never stalling the job: on a busy SQLite database
a beat is skipped). The sweep (each scheduler tick, and the embedded web process at start) takes a
``running`` job whose last beat is older than ``JOB_STALE_SECONDS`` as cut off — restart, deploy, out of
memory. Its transaction died with its connection, so nothing of the attempt remains: the job is queued
again, once beyond its own retries, and otherwise failed with ``qingqian_job_failed`` announced so the
feature that waits for it (a ledger import, say) is released. Attempts running in the sweeping process
itself are never taken: their beats may only be held up by a long write transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time

from flask import Flask
from sqlalchemy import func, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from core.extensions import db
from core.jobs.models import Job, JobStatus
from core.models.base import utcnow
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.scope import system_scope

log = logging.getLogger(__name__)

# Runs an interrupted job gets beyond its own ``max_attempts``: one, so a job that itself kills its
# process (a file too big for memory) fails instead of taking workers down again and again.
EXTRA_RUNS_AFTER_INTERRUPTION = 1
INTERRUPTED_ERROR = "作业中断：运行它的进程已退出（如服务重启），这次运行未完成的写入已全部撤销"


class _Heartbeats:
    """The attempts this process is running, and the thread that beats for them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Flask] = {}
        self._silent: dict[str, Flask] = {}
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def started(self, app: Flask, job_id: str, beat: bool = True) -> None:
        """Mark ``job_id`` as running here; ``beat=False`` for attempts run synchronously by their caller.

        Those cannot be cut off unnoticed, and on SQLite a beat written from another thread between the
        caller's read and its write would fail the caller's transaction (WAL refuses to upgrade a read
        snapshot that another connection wrote past, without waiting for the busy timeout).
        """
        with self._lock:
            if not beat:
                self._silent[job_id] = app
                return
            self._running[job_id] = app
            # A forked worker (rq's work horse) inherits the object but not the thread.
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._loop, name="qingqian-job-heartbeat", daemon=True)
                self._thread.start()

    def finished(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)
            self._silent.pop(job_id, None)

    def running_here(self) -> set[str]:
        with self._lock:
            beating = set(self._running) if self._pid == os.getpid() else set()
            return beating | set(self._silent)

    def _loop(self) -> None:
        # The claim wrote the first beat: sleep first, so a short job costs no write at all.
        while True:
            with self._lock:
                apps = set(self._running.values())
            interval = min((float(a.config.get("JOB_HEARTBEAT_SECONDS", 30)) for a in apps), default=0)
            time.sleep(max(interval, 0.05))
            with self._lock:
                if not self._running:
                    self._thread = None
                    return
                by_app: dict[Flask, list[str]] = {}
                for job_id, app in self._running.items():
                    by_app.setdefault(app, []).append(job_id)
            for app, job_ids in by_app.items():
                beat(app, job_ids)


HEARTBEATS = _Heartbeats()


def beat(app: Flask, job_ids: list[str]) -> None:
    """Write ``heartbeat_at = now`` for these jobs while they are running."""
    with app.app_context(), system_scope():
        update_quietly(job_ids, {"heartbeat_at": utcnow()}, only_running=True)


def update_quietly(job_ids: list[str], values: dict, only_running: bool = False) -> bool:
    """Write bookkeeping (progress, heartbeat) to job rows in a short transaction of its own.

    Never stalls the job: on SQLite, a write transaction the job keeps open makes this give up after a
    moment instead of waiting (the next write will do). Returns whether it was written. Needs an app context.
    """
    with Session(db.engine) as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        try:
            if sqlite:
                session.connection().exec_driver_sql("PRAGMA busy_timeout=1000")
            stmt = update(Job).where(Job.id.in_(job_ids))
            if only_running:
                stmt = stmt.where(Job.status == JobStatus.RUNNING)
            session.execute(
                stmt.values(**values), execution_options={SKIP_FILTER: True, "synchronize_session": False}
            )
            session.commit()
            return True
        except OperationalError:
            session.rollback()
            log.debug("jobs %s not updated (database busy)", job_ids)
            return False
        finally:
            if sqlite:
                session.connection().exec_driver_sql("PRAGMA busy_timeout=30000")
                session.commit()


def recover_interrupted(app: Flask, now: dt.datetime | None = None) -> list[str]:
    """Queue again, or fail, the running jobs whose heartbeat stopped. Returns their ids.

    Each job is taken with one conditional UPDATE, so two sweepers (two scheduler processes) never both
    take it, and a job that beat again meanwhile is left alone.
    """
    from core.jobs import runner, submit

    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=float(app.config.get("JOB_STALE_SECONDS", 300)))
    last_sign = func.coalesce(Job.heartbeat_at, Job.started_at)
    here = HEARTBEATS.running_here()
    again: list[str] = []
    failed: list[str] = []
    with app.app_context(), system_scope():
        try:
            rows = db.session.execute(
                db.select(Job.id, Job.attempts, Job.max_attempts).where(
                    Job.status == JobStatus.RUNNING, last_sign < cutoff
                ),
                execution_options={SKIP_FILTER: True},
            ).all()
            for job_id, attempts, max_attempts in rows:
                if job_id in here:
                    continue
                rerun = attempts < max_attempts + EXTRA_RUNS_AFTER_INTERRUPTION
                values = (
                    {
                        "status": JobStatus.RETRYING,
                        "next_attempt_at": now,
                        "message": "运行作业的进程已退出（如服务重启），已重新排队",
                    }
                    if rerun
                    else {
                        "status": JobStatus.FAILED,
                        "finished_at": now,
                        "message": f"运行 {attempts} 次，最后一次中断",
                    }
                )
                taken = db.session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == JobStatus.RUNNING, last_sign < cutoff)
                    .values(error=INTERRUPTED_ERROR, **values),
                    execution_options={SKIP_FILTER: True, "synchronize_session": False},
                )
                db.session.commit()
                if taken.rowcount == 1:
                    log.warning(
                        "job %s was cut off while running; %s", job_id, "queued again" if rerun else "failed"
                    )
                    (again if rerun else failed).append(job_id)
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("sweep for interrupted jobs failed")
        finally:
            db.session.remove()
    with app.app_context():
        for job_id in failed:
            runner.announce_failed(job_id)
        db.session.remove()
    for job_id in again:
        submit(job_id, app=app)
    return again + failed
