"""Jobs in process: progress, results, retries, the starter's scope, plugin enablement, built-in jobs."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from flask import g

from core import hookimpl
from core.auth.context import resolve
from core.extensions import db
from core.jobs import SKIPPED_MESSAGE, create_job, enqueue, submit
from core.jobs.backends import ThreadBackend
from core.jobs.models import Job, JobStatus
from core.models.debt import Debt
from core.models.notification import Notification
from core.tenancy.scope import scope_context, system_scope

try:
    from tests.conftest import debt_payload, registered
except ImportError:  # pytest run without the project root on sys.path
    from conftest import debt_payload, registered


class JobTestPlugin:
    """Jobs exercising the machinery; enabled for jurisdiction ``a`` only (by the fixture's plan edit)."""

    PLUGIN_NAME = "jobtest"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.observed: list[int] = []

    @hookimpl
    def qingqian_jobs(self):
        return {
            "jt_steps": self.steps,
            "jt_wait": self.wait,
            "jt_flaky": self.flaky,
            "jt_fail": self.fail,
            "jt_count": self.count,
        }

    def steps(self, ctx, n: int = 3):
        for i in range(n):
            ctx.progress(i + 1, n, f"第 {i + 1} 步")
            ctx.flush()
            # What the API would show: read the row from a separate session, as a request would.
            with system_scope(), db.engine.connect() as conn:
                self.observed.append(
                    conn.execute(db.select(Job.progress_done).where(Job.id == ctx.job.id)).scalar_one()
                )
        return {"steps": n}

    def wait(self, ctx):
        ctx.progress(1, 2, "等待中")
        assert self.gate.wait(10)
        ctx.progress(2, 2)
        return {"ok": True}

    def flaky(self, ctx, fail_times: int = 1):
        if ctx.job.attempts <= fail_times:
            raise RuntimeError(f"第 {ctx.job.attempts} 次故意失败")
        return {"attempts": ctx.job.attempts}

    def fail(self, ctx):
        raise ValueError("永远失败")

    def count(self, ctx):
        units = sorted({u for (u,) in db.session.execute(db.select(Debt.unit_id)).all()})
        return {"debts": db.session.scalar(db.select(db.func.count()).select_from(Debt)), "units": units}


@pytest.fixture
def plugin(app):
    with registered(app, JobTestPlugin()) as instance:
        yield instance
        instance.gate.set()


@pytest.fixture
def jw(world, plugin):
    """The world, with ``jobtest`` enabled and the Wutaishan deadlines in jurisdiction a's plan."""
    with system_scope():
        a = world.node("a")
        a.plan = {
            **a.plan,
            "plugins": [*a.plan["plugins"], "jobtest"],
            "deadlines": {"ledger_complete": "2023-08-25", "all_cleared": "2023-10-31"},
        }
        db.session.commit()
    g.pop("principal", None)
    return world


def system_job(name: str, code: str, world, **kwargs) -> str:
    with system_scope():
        job = create_job(name, unit=world.node(code), system=True, **kwargs)
        job_id = job.id
        db.session.commit()
    submit(job_id)
    return job_id


def load(job_id: str) -> Job:
    with system_scope():
        db.session.expire_all()
        return db.session.get(Job, job_id)


def add_debt(client, world, user: str, **overrides) -> int:
    r = client.post("/api/v1/debts", json=debt_payload(**overrides), headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_result_and_progress_are_stored(jw, plugin):
    job = load(system_job("jt_steps", "a", jw, params={"n": 3}))
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"steps": 3}
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100.0)
    assert job.attempts == 1 and job.error is None
    assert plugin.observed == [1, 2, 3]


def poll(client, world, job_id: str, user: str = "clerk_a1") -> dict:
    # The test client shares the test's app context, so end its session as a real request would.
    db.session.remove()
    r = client.get(f"/api/v1/jobs/{job_id}", headers=world.headers(user))
    assert r.status_code == 200, r.json
    return r.json


def test_progress_is_visible_in_the_api_while_running(app, client, jw, plugin):
    backend = ThreadBackend(app, workers=1)
    with system_scope():
        job = create_job("jt_wait", unit=jw.node("a.town1"), user=jw.users["clerk_a1"])
        job_id = job.id
        db.session.commit()
    backend.submit(job_id)
    seen = None
    for _ in range(100):
        body = poll(client, jw, job_id)
        if body["status"] == "running" and body["progress_done"] == 1:
            seen = body
            break
        time.sleep(0.05)
    assert seen is not None and seen["progress_total"] == 2 and seen["message"] == "等待中"
    assert seen["percent"] == 50.0
    plugin.gate.set()
    for _ in range(100):
        body = poll(client, jw, job_id)
        if body["status"] == "succeeded":
            break
        time.sleep(0.05)
    assert body["status"] == "succeeded" and body["result"] == {"ok": True}
    assert body["progress_done"] == 2
    # Another tenant's user does not even see the job.
    assert client.get(f"/api/v1/jobs/{job_id}", headers=jw.headers("clerk_b1")).status_code == 404


def test_retry_then_success(jw):
    job = load(system_job("jt_flaky", "a", jw, params={"fail_times": 2}))
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 3 and job.max_attempts == 4  # 1 + JOB_MAX_RETRIES
    assert job.result == {"attempts": 3}
    assert job.error is None


def test_retry_exhausted_fails_and_is_listed(client, jw):
    job_id = system_job("jt_fail", "a", jw, max_attempts=2)
    job = load(job_id)
    assert job.status == JobStatus.FAILED
    assert job.attempts == 2
    assert job.error == "ValueError: 永远失败"
    assert job.finished_at is not None
    r = client.get("/api/v1/jobs?status=failed", headers=jw.headers("office_a"))
    assert r.status_code == 200
    assert [j["id"] for j in r.json] == [job_id]
    assert r.json[0]["error"] == "ValueError: 永远失败"
    assert client.get("/api/v1/jobs?status=failed", headers=jw.headers("office_b")).json == []


def test_job_runs_in_the_scope_of_the_user_who_started_it(app, client, jw):
    town1 = add_debt(client, jw, "clerk_a1")
    add_debt(client, jw, "clerk_a2", contract_no="HT-2022-002")
    g.pop("principal", None)

    with system_scope():
        as_clerk = create_job("jt_count", unit=jw.node("a.town1"), user=jw.users["clerk_a1"])
        as_office = create_job("jt_count", unit=jw.node("a"), user=jw.users["office_a"])
        ids = as_clerk.id, as_office.id
        db.session.commit()
    for job_id in ids:
        submit(job_id)
    system = system_job("jt_count", "a", jw)

    clerk_result = load(ids[0]).result
    assert clerk_result["debts"] == 1
    with system_scope():
        assert clerk_result["units"] == [db.session.get(Debt, town1).unit_id]
    assert load(ids[1]).result["debts"] == 2
    assert load(system).result["debts"] == 2


def test_enqueue_in_a_request_defaults_to_the_principal(app, jw):
    user = jw.users["clerk_a1"]
    with app.test_request_context("/api/v1/jobs"):
        principal = resolve(user, "a")
        g.principal = principal
        with scope_context(principal.scope):
            job = enqueue("jt_count")
            job_id = job.id
    job = load(job_id)
    with system_scope():
        assert job.user_id == user.id
        assert job.unit_id == jw.node("a.town1").id
        assert job.jurisdiction_id == jw.node("a").id
        assert job.status == JobStatus.SUCCEEDED


def test_job_of_a_plugin_the_tenant_does_not_enable_is_skipped(jw):
    job = load(system_job("jt_fail", "b", jw))
    assert job.status == JobStatus.SUCCEEDED
    assert job.message == SKIPPED_MESSAGE
    assert job.result == {"skipped": True}
    assert job.attempts == 1


def test_unknown_job_is_refused(jw):
    from core.jobs import UnknownJob

    with system_scope(), pytest.raises(UnknownJob):
        create_job("no_such_job", unit=jw.node("a"), system=True)


# --- Built-in jobs ------------------------------------------------------------------------------------


def test_recompute_debts_updates_overdue_days_only_where_changed(client, jw):
    debt_id = add_debt(client, jw, "clerk_a1")  # delivered 2023-01-01 → due 2023-01-31
    add_debt(client, jw, "clerk_b1", contract_no="HT-B-1")
    job = load(system_job("recompute_debts", "a", jw, params={"as_of": "2023-03-02"}))
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"as_of": "2023-03-02", "checked": 1, "changed": 1}
    assert (job.progress_done, job.progress_total) == (1, 1)
    with system_scope():
        db.session.expire_all()
        debt = db.session.get(Debt, debt_id)
        assert debt.overdue_days == 30
        assert debt.computed_on == dt.date(2023, 3, 2)
        assert debt.late_interest > 0
        version, updated_at = debt.version, debt.updated_at

    again = load(system_job("recompute_debts", "a", jw, params={"as_of": "2023-03-02"}))
    assert again.result["changed"] == 0
    with system_scope():
        db.session.expire_all()
        debt = db.session.get(Debt, debt_id)
        assert (debt.version, debt.updated_at) == (version, updated_at)


def test_deadline_reminders_are_created_once_per_day(client, jw):
    job = load(system_job("deadline_reminders", "a", jw, params={"today": "2023-08-18"}))
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"created": 6, "deadlines": ["ledger_complete"]}  # 6 units in jurisdiction a
    again = load(system_job("deadline_reminders", "a", jw, params={"today": "2023-08-18"}))
    assert again.result["created"] == 0
    with system_scope():
        notes = list(db.session.scalars(db.select(Notification)))
        assert len(notes) == 6
        assert {n.unit_id for n in notes} == {n.id for c, n in jw.nodes.items() if c.startswith("a")}
        assert all("2023年8月25日" in n.body and n.title.endswith("还有 7 天") for n in notes)
        town1, office = jw.node("a.town1").id, jw.node("a").id

    nothing = load(system_job("deadline_reminders", "a", jw, params={"today": "2023-08-19"}))
    assert nothing.result["created"] == 0
    three_days = load(system_job("deadline_reminders", "a", jw, params={"today": "2023-08-22"}))
    assert three_days.result["created"] == 6

    r = client.get("/api/v1/notifications", headers=jw.headers("clerk_a1"))
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "2"
    assert {n["unit_id"] for n in r.json} == {town1}
    seen = client.get("/api/v1/notifications", headers=jw.headers("office_a")).json
    assert {n["unit_id"] for n in seen} == {office}

    note_id = r.json[0]["id"]
    assert (
        client.post(f"/api/v1/notifications/{note_id}/read", headers=jw.headers("clerk_b1")).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/notifications/{note_id}/read", headers=jw.headers("clerk_a2")).status_code
        == 404
    )
    r = client.post(f"/api/v1/notifications/{note_id}/read", headers=jw.headers("clerk_a1"))
    assert r.status_code == 200 and r.json["read_at"]
    unread = client.get("/api/v1/notifications?unread=true", headers=jw.headers("clerk_a1")).json
    assert [n["id"] for n in unread] != [] and note_id not in [n["id"] for n in unread]
    assert client.get("/api/v1/notifications", headers=jw.headers("clerk_b1")).json == []


def test_jobs_are_shown_by_their_chinese_names(client, jw):
    """A labelled job reads as its Chinese name on the jobs page and in the API; its plugin by label."""
    job_id = system_job("deadline_reminders", "a", jw, params={"today": "2023-08-18"})
    api = client.get(f"/api/v1/jobs/{job_id}", headers=jw.headers("office_a")).json
    assert api["label"] == "工作方案时间节点提醒" and api["name"] == "deadline_reminders"
    assert api["heartbeat_at"] is not None  # written when the attempt started
    unlabelled = system_job("jt_steps", "a", jw, params={"n": 1})
    assert (
        client.get(f"/api/v1/jobs/{unlabelled}", headers=jw.headers("office_a")).json["label"] == "jt_steps"
    )

    from tests.test_web import login, text

    db.session.remove()
    assert login(client, "office_a").status_code == 302
    page = text(client.get("/jobs"))
    assert "工作方案时间节点提醒" in page
    assert "<td>后台作业</td>" in page and "<td>core-jobs</td>" not in page  # the plugin by its label
