"""Jobs whose process dies while running them: heartbeats, the sweep, one more run, then failed + announced.

The main test kills a real worker process (SIGKILL) in the middle of a job and sweeps afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from flask import g

from core import hookimpl
from core.extensions import db
from core.jobs import create_job, submit
from core.jobs.backends import ThreadBackend
from core.jobs.liveness import INTERRUPTED_ERROR, recover_interrupted
from core.jobs.models import Job, JobStatus
from core.models.base import utcnow
from core.tenancy.scope import system_scope
from tests.conftest import job_left_running, registered

# Core's job runner and workers: the same whatever built-ins are installed (the full suites run it).
pytestmark = pytest.mark.same_for_every_subset

ROOT = Path(__file__).resolve().parents[1]


class LivenessPlugin:
    """``lv_hang`` returns at once here; the killed worker below runs a version of it that never returns."""

    PLUGIN_NAME = "jobtest"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.failed: list[tuple[str, str, str | None]] = []

    @hookimpl
    def qingqian_jobs(self):
        return {"lv_hang": self.hang, "lv_wait": self.wait, "lv_fail": self.fail}

    @hookimpl
    def qingqian_job_failed(self, job, tenant):
        self.failed.append((job.id, tenant.code, job.error))

    def hang(self, ctx):
        return {"run": ctx.job.attempts}

    def wait(self, ctx):
        ctx.progress(1, 2, "等待中")
        assert self.gate.wait(20)
        return {"ok": True}

    def fail(self, ctx):
        raise ValueError("永远失败")


@pytest.fixture
def plugin(app):
    with registered(app, LivenessPlugin()) as instance:
        yield instance
        instance.gate.set()


@pytest.fixture
def lv(world, plugin, app):
    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "plugins": [*a.plan["plugins"], "jobtest"]}
        db.session.commit()
    g.pop("principal", None)
    saved = {k: app.config[k] for k in ("JOB_HEARTBEAT_SECONDS", "JOB_STALE_SECONDS")}
    app.config.update(JOB_HEARTBEAT_SECONDS=0.1, JOB_STALE_SECONDS=2)
    yield world
    app.config.update(saved)


def new_job(world, name: str, **kwargs) -> str:
    with system_scope():
        job = create_job(name, unit=world.node("a"), system=True, **kwargs)
        job_id = job.id
        db.session.commit()
    return job_id


def load(job_id: str) -> Job:
    with system_scope():
        db.session.expire_all()
        return db.session.get(Job, job_id)


WORKER = textwrap.dedent(
    """
    import sys, time
    from core import create_app, hookimpl
    from core.config import TestConfig
    from core.jobs.runner import execute
    from tests.conftest import vars_of

    class Hang:
        PLUGIN_NAME = "jobtest"

        @hookimpl
        def qingqian_jobs(self):
            return {"lv_hang": self.hang}

        def hang(self, ctx):
            ctx.progress(1, 2, "运行中")
            print("started", flush=True)
            time.sleep(600)

    url, job_id = sys.argv[1:3]
    config = {**vars_of(TestConfig), "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret"}
    config.update(JOBS_INLINE=False, JOB_HEARTBEAT_SECONDS=0.2)
    execute(create_app(config, plugins=[Hang()]), job_id)
    """
)


def test_a_killed_worker_s_job_runs_again(app, lv, plugin, tmp_path):
    job_id = new_job(lv, "lv_hang")
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    worker = subprocess.Popen(
        [sys.executable, str(script), app.config["SQLALCHEMY_DATABASE_URI"], job_id],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "started", worker.stderr.read()
        time.sleep(2.5)  # longer than JOB_STALE_SECONDS since the attempt started
        alive = load(job_id)
        assert alive.heartbeat_at - alive.started_at > dt.timedelta(seconds=2), "no heartbeat written"
        # Alive and beating in another process: the sweep leaves it alone.
        assert recover_interrupted(app) == []
        assert load(job_id).status == JobStatus.RUNNING
    finally:
        worker.kill()
        worker.wait(10)

    running = load(job_id)
    assert running.status == JobStatus.RUNNING and running.attempts == 1  # what the dead worker left
    time.sleep(2.2)  # JOB_STALE_SECONDS without a beat
    assert recover_interrupted(app) == [job_id]
    done = load(job_id)  # queued again and run (inline here)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.attempts == 2 and done.result == {"run": 2}
    assert plugin.failed == []


def test_cut_off_again_it_fails_and_is_announced(app, lv, plugin):
    job_id = new_job(lv, "lv_hang", max_attempts=1)
    job_left_running(job_id, attempts=2, silent_for=60)  # already run once more after an interruption
    assert recover_interrupted(app) == [job_id]
    job = load(job_id)
    assert job.status == JobStatus.FAILED and job.error == INTERRUPTED_ERROR
    assert job.finished_at is not None and "中断" in job.message
    assert plugin.failed == [(job_id, "a", INTERRUPTED_ERROR)]
    assert recover_interrupted(app) == []  # taken once


def test_a_recent_heartbeat_or_another_state_is_left_alone(app, lv, plugin):
    beating = new_job(lv, "lv_hang")
    job_left_running(beating, attempts=1, silent_for=0.5)
    queued = new_job(lv, "lv_hang")  # never started: resume_pending's business, not the sweep's
    assert recover_interrupted(app) == []
    assert load(beating).status == JobStatus.RUNNING
    assert load(queued).status == JobStatus.QUEUED


def test_an_attempt_of_this_process_is_never_taken(app, lv, plugin):
    """In the embedded mode the sweep shares the process with the jobs; a long SQLite write transaction
    can hold their beats back, so this process's own attempts are known alive without them."""
    backend = ThreadBackend(app, workers=1)
    job_id = new_job(lv, "lv_wait")
    backend.submit(job_id)
    deadline = time.monotonic() + 10
    while load(job_id).status != JobStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)
    assert load(job_id).status == JobStatus.RUNNING
    later = utcnow() + dt.timedelta(hours=1)  # as if no beat had been written for an hour
    assert recover_interrupted(app, now=later) == []
    plugin.gate.set()
    deadline = time.monotonic() + 10
    while load(job_id).status == JobStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.05)
    assert load(job_id).status == JobStatus.SUCCEEDED


def test_a_job_that_fails_its_last_attempt_is_announced(app, lv, plugin):
    job_id = new_job(lv, "lv_fail", max_attempts=1)
    submit(job_id)
    assert load(job_id).status == JobStatus.FAILED
    assert plugin.failed == [(job_id, "a", "ValueError: 永远失败")]
