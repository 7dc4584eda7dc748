"""Jobs through real Redis and a real rq SimpleWorker (burst mode), against the test database."""

from __future__ import annotations

import contextvars
import time
import uuid

import pytest
from flask import g
from rq import SimpleWorker

from core import create_app, hookimpl
from core.config import Config, TestConfig
from core.extensions import db
from core.jobs import create_job, submit
from core.jobs import runner as job_runner
from core.jobs.backends import RedisBackend, get_backend, make_queue
from core.jobs.models import Job, JobStatus
from core.models.debt import Debt
from core.tenancy.scope import system_scope

try:
    from tests.conftest import REDIS_URL, debt_payload, make_config, vars_of
except ImportError:  # pytest run without the project root on sys.path
    from conftest import REDIS_URL, debt_payload, make_config, vars_of

pytestmark = pytest.mark.redis


class RedisJobPlugin:
    PLUGIN_NAME = "jobtest"

    @hookimpl
    def qingqian_jobs(self):
        return {"jt_flaky": self.flaky, "jt_fail": self.fail, "jt_count": self.count}

    def flaky(self, ctx, fail_times: int = 1):
        ctx.progress(1, 2)
        if ctx.job.attempts <= fail_times:
            raise RuntimeError(f"第 {ctx.job.attempts} 次故意失败")
        ctx.progress(2, 2)
        return {"attempts": ctx.job.attempts}

    def fail(self, ctx):
        raise ValueError("永远失败")

    def count(self, ctx):
        return {"debts": db.session.scalar(db.select(db.func.count()).select_from(Debt))}


@pytest.fixture
def queue_name() -> str:
    return f"qingqian-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def redis_app(app, session_tmp, queue_name):
    """A second app on the same database as ``app``, with Redis as its job backend."""
    config = {
        **vars_of(TestConfig),
        **make_config(session_tmp, use_redis=True),
        "JOBS_INLINE": False,
        "JOBS_QUEUE": queue_name,
        # First retry at once, the second after a second: both the plain and the rq-scheduler path.
        "JOB_RETRY_BACKOFF": (0, 1, 1),
    }
    rapp = create_app(config, plugins=[RedisJobPlugin()])
    queue = make_queue(rapp)
    yield rapp
    queue.empty()
    for registry in (queue.scheduled_job_registry, queue.failed_job_registry, queue.finished_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    queue.delete(delete_jobs=True)


@pytest.fixture
def rw(world, redis_app):
    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "plugins": [*a.plan["plugins"], "jobtest"]}
        db.session.commit()
    g.pop("principal", None)
    return world


def start(rapp, name: str, code: str, world, user: str | None = None, **kwargs) -> str:
    with rapp.app_context(), system_scope():
        node = db.session.get(type(world.nodes[code]), world.nodes[code].id)
        owner = db.session.get(type(world.users[user]), world.users[user].id) if user else None
        job = create_job(name, unit=node, user=owner, system=owner is None, **kwargs)
        job_id = job.id
        db.session.commit()
        submit(job_id)
    return job_id


def work(rapp) -> None:
    queue = make_queue(rapp)
    with rapp.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)


def load(job_id: str) -> Job:
    with system_scope():
        db.session.expire_all()
        return db.session.get(Job, job_id)


def test_backend_is_rq(redis_app):
    assert isinstance(get_backend(redis_app), RedisBackend)
    assert make_queue(redis_app).connection.ping()


def test_worker_runs_job_with_retries_and_delayed_retry(rw, redis_app):
    job_id = start(redis_app, "jt_flaky", "a", rw, params={"fail_times": 2})
    assert load(job_id).status == JobStatus.QUEUED
    queue = make_queue(redis_app)
    assert queue.count == 1

    work(redis_app)  # attempt 1 fails, retried at once; attempt 2 fails, retry scheduled in 1 s
    job = load(job_id)
    assert job.status == JobStatus.RETRYING
    assert job.attempts == 2
    assert job.error == "RuntimeError: 第 2 次故意失败"
    assert job.next_attempt_at is not None
    assert len(queue.scheduled_job_registry) == 1

    time.sleep(1.6)
    work(redis_app)  # the worker's scheduler moves the due retry to the queue, then runs it
    job = load(job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 3 and job.result == {"attempts": 3}
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert job.error is None


def test_worker_failure_is_recorded_and_listed(client, rw, redis_app):
    job_id = start(redis_app, "jt_fail", "a", rw, max_attempts=1)
    work(redis_app)
    job = load(job_id)
    assert job.status == JobStatus.FAILED
    assert job.attempts == 1 and job.error == "ValueError: 永远失败"
    r = client.get("/api/v1/jobs?status=failed", headers=rw.headers("office_a"))
    assert [j["id"] for j in r.json] == [job_id]


def test_worker_runs_in_the_starting_users_scope_and_skips_disabled_plugins(client, rw, redis_app):
    for user, no in (("clerk_a1", "HT-1"), ("clerk_a2", "HT-2")):
        r = client.post("/api/v1/debts", json=debt_payload(contract_no=no), headers=rw.headers(user))
        assert r.status_code == 201, r.json
    g.pop("principal", None)
    as_clerk = start(redis_app, "jt_count", "a.town1", rw, user="clerk_a1")
    as_system = start(redis_app, "jt_count", "a", rw)
    skipped = start(redis_app, "jt_count", "b", rw)
    work(redis_app)
    assert load(as_clerk).result == {"debts": 1}
    assert load(as_system).result == {"debts": 2}
    assert load(skipped).result == {"skipped": True}


def test_worker_without_app_context_builds_its_own_app(rw, redis_app, monkeypatch, queue_name):
    """The production path: ``run_job`` in a process with no app creates ``core.create_app()`` from config."""
    url = redis_app.config["SQLALCHEMY_DATABASE_URI"]
    monkeypatch.setattr(Config, "SQLALCHEMY_DATABASE_URI", url)
    monkeypatch.setattr(Config, "REDIS_URL", REDIS_URL)
    monkeypatch.setattr(Config, "JOBS_QUEUE", queue_name, raising=False)
    monkeypatch.setattr(job_runner, "_process_app", None)
    job_id = start(redis_app, "recompute_debts", "a", rw, params={"as_of": "2023-03-02"})
    queue = make_queue(redis_app)
    worker = SimpleWorker([queue], connection=queue.connection)
    # A fresh context: no Flask app context, exactly like `rq worker` started outside the CLI.
    contextvars.Context().run(worker.work, burst=True)
    job = load(job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"as_of": "2023-03-02", "checked": 0, "changed": 0}
    assert job_runner._process_app is not None and job_runner._process_app is not redis_app
