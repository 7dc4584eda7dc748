"""Schedules: due or not due, once per tenant and slot, plugin-gated, safe with two schedulers at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import g

from core import hookimpl
from core.extensions import db
from core.jobs.models import Job, JobStatus
from core.jobs.schedule import Schedule, ScheduleRun, all_schedules, run_due
from core.tenancy.scope import system_scope
from tests.conftest import registered


class SchedulePlugin:
    PLUGIN_NAME = "schedtest"

    @hookimpl
    def qingqian_jobs(self):
        return {"st_noop": lambda ctx: {"tenant": ctx.tenant.code}}

    @hookimpl
    def qingqian_schedules(self):
        return [Schedule(name="st.quarter_hour", job="st_noop", every_minutes=15)]


@pytest.fixture
def sw(app, world):
    with registered(app, SchedulePlugin()):
        with system_scope():
            a = world.node("a")
            a.plan = {**a.plan, "plugins": [*a.plan["plugins"], "schedtest"]}
            db.session.commit()
        g.pop("principal", None)
        yield world


def jobs_by(world) -> list[tuple[str, str]]:
    with system_scope():
        codes = {n.id: c for c, n in world.nodes.items()}
        db.session.expire_all()
        rows = db.session.execute(db.select(Job.name, Job.jurisdiction_id)).all()
    return sorted((name, codes[jid]) for name, jid in rows)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_schedule_slots():
    daily = Schedule(name="d", job="x", at="02:00")
    assert daily.slot(at("2023-08-18 01:59")) is None
    assert daily.slot(at("2023-08-18 02:00")) == "2023-08-18"
    assert daily.slot(at("2023-08-18 23:00")) == "2023-08-18"
    every = Schedule(name="e", job="x", every_minutes=15)
    assert every.slot(at("2023-08-18 08:14")) == "2023-08-18T08:00"
    assert every.slot(at("2023-08-18 08:15")) == "2023-08-18T08:15"
    with pytest.raises(ValueError):
        Schedule(name="bad", job="x")
    with pytest.raises(ValueError):
        Schedule(name="bad", job="x", at="02:00", every_minutes=5)


def test_core_schedules_are_declared(app):
    names = {s.name: s for s in all_schedules()}
    assert names["recompute_debts.nightly"].plugin == "core-jobs"
    assert names["recompute_debts.nightly"].at == "02:00"
    assert names["deadline_reminders.daily"].job == "deadline_reminders"


def test_due_schedules_run_once_per_tenant_and_slot(sw):
    assert run_due(at("2023-08-18 01:00")) != []  # only the quarter-hour schedule, for a only
    assert jobs_by(sw) == [("st_noop", "a")]

    run_due(at("2023-08-18 01:10"))  # same quarter hour: nothing new
    assert jobs_by(sw) == [("st_noop", "a")]

    started = run_due(at("2023-08-18 02:05"))
    assert len(started) == 3  # nightly recompute for a and b, next quarter hour for a
    assert jobs_by(sw) == [
        ("recompute_debts", "a"),
        ("recompute_debts", "b"),
        ("st_noop", "a"),
        ("st_noop", "a"),
    ]

    # A restarted scheduler later the same day: the nightly run is not repeated.
    run_due(at("2023-08-18 02:10"))
    assert [j for j in jobs_by(sw) if j[0] == "recompute_debts"] == [
        ("recompute_debts", "a"),
        ("recompute_debts", "b"),
    ]

    run_due(at("2023-08-19 02:00"))
    assert len([j for j in jobs_by(sw) if j[0] == "recompute_debts"]) == 4

    with system_scope():
        jobs = list(db.session.scalars(db.select(Job)))
        assert all(j.user_id is None and j.status == JobStatus.SUCCEEDED for j in jobs)
        assert {j.result["tenant"] for j in jobs if j.name == "st_noop"} == {"a"}


def test_plugin_schedule_skips_tenants_without_the_plugin(sw):
    run_due(at("2023-08-18 08:30"))
    names = jobs_by(sw)
    assert ("st_noop", "b") not in names
    assert ("deadline_reminders", "a") in names and ("deadline_reminders", "b") in names


def test_inactive_tenant_is_not_scheduled(sw):
    with system_scope():
        sw.node("b").active = False
        db.session.commit()
    run_due(at("2023-08-18 02:30"))
    assert {code for _name, code in jobs_by(sw)} == {"a"}


def test_two_schedulers_at_once_do_not_double_run(app, sw):
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def tick():
        try:
            barrier.wait()
            run_due(at("2023-08-18 08:30"), app=app)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    # Only core's schedules and this test's: built-in plugins enabled for a add schedules of their own.
    mine = {"recompute_debts", "deadline_reminders", "st_noop"}
    names = [n for n in jobs_by(sw) if n[0] in mine]
    assert len(names) == len(set(names)) == 5  # 2 daily jobs × 2 tenants + the quarter hour for a
    with system_scope():
        runs = db.session.scalar(
            db.select(db.func.count())
            .select_from(ScheduleRun)
            .where(ScheduleRun.last_job_id.in_(db.select(Job.id).where(Job.name.in_(mine))))
        )
    assert runs == 5


class DailyPlugin:
    PLUGIN_NAME = "schedtest"

    @hookimpl
    def qingqian_jobs(self):
        return {"st_noop": lambda ctx: {"tenant": ctx.tenant.code}}

    @hookimpl
    def qingqian_schedules(self):
        return [Schedule(name="st.daily", job="st_noop", at="08:30")]


def test_daily_times_are_each_jurisdictions_wall_clock(app, world):
    """The business clock's instant, read in each jurisdiction's zone (its plan's ``timezone``)."""
    with registered(app, DailyPlugin()):
        with system_scope():
            for code, extra in (("a", {}), ("b", {"timezone": "Asia/Urumqi"})):  # Urumqi: UTC+6
                node = world.node(code)
                node.plan = {**node.plan, **extra, "plugins": [*node.plan["plugins"], "schedtest"]}
            db.session.commit()
        g.pop("principal", None)
        app.config["CLOCK_NOW"] = "2023-08-18T00:30:00"  # 08:30 in Beijing, 06:30 in Urumqi
        run_due(app=app)
        assert [c for n, c in jobs_by(world) if n == "st_noop"] == ["a"]
        app.config["CLOCK_NOW"] = "2023-08-18T02:30:00+00:00"  # 08:30 in Urumqi
        run_due(app=app)
        assert [c for n, c in jobs_by(world) if n == "st_noop"] == ["a", "b"]
