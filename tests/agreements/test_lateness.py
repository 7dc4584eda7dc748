"""Nightly lateness job and the per-debt interest statement (hand-computed)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from core.extensions import db
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from plugins.agreements.clearance.jobs import nightly
from tests.agreements.conftest import make_debt
from tests.test_web import login


def test_interest_statement_hand_computed(client, aw):
    # Delivered 2023-01-01, 30-day term → due 2023-01-31. 100 000 owed, 0.05% a day.
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    r = client.post(
        f"/api/v1/debts/{debt['id']}/payments",
        json={"paid_on": "2023-03-02", "amount": "40000.00"},
        headers=h,
    )
    assert r.status_code == 201
    s = client.get(f"/api/v1/agreements/debts/{debt['id']}/interest?as_of=2023-03-12", headers=h).json
    assert s["due_date"] == "2023-01-31"
    # 2023-02-01..2023-03-02: 30 days × 100 000 × 0.0005 = 1500.00
    # 2023-03-03..2023-03-12: 10 days ×  60 000 × 0.0005 =  300.00
    assert [(p["from"], p["to"], p["balance"], p["days"], p["interest"]) for p in s["periods"]] == [
        ("2023-02-01", "2023-03-02", "100000.00", 30, "1500.00"),
        ("2023-03-03", "2023-03-12", "60000.00", 10, "300.00"),
    ]
    assert s["total"] == "1800.00" and s["overdue_days"] == 40 and s["outstanding"] == "60000.00"


def run_nightly(world, day: str) -> dict:
    with system_scope():
        ctx = SimpleNamespace(tenant=world.node("a"), message=None)
        return nightly(ctx, as_of=day)


def test_nightly_marks_missed_installments_and_overdue_undisputed_debts(client, aw):
    h = aw.headers("clerk_a1")
    d1 = make_debt(client, aw)
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": d1["id"],
            "agreed_amount": "100000.00",
            "signed_on": "2023-08-28",
            "installments": [
                {"due_on": "2023-09-15", "amount": "40000.00"},
                {"due_on": "2023-10-20", "amount": "60000.00"},
            ],
        },
        headers=h,
    )
    aid = r.json["id"]
    d2 = make_debt(client, aw, contract_no="HT-2")
    client.put(
        f"/api/v1/agreements/debts/{d2['id']}/classification",
        json={"debt_class": "undisputed", "confirmed_on": "2023-08-20"},  # pay by 2023-09-19
        headers=h,
    )
    result = run_nightly(aw, "2023-09-10")
    assert (result["missed"], result["overdue"], result["alerts"]) == (0, 0, 0)
    result = run_nightly(aw, "2023-09-20")
    # Installment 1 missed, debt 2 overdue; each alerts the unit and the office: 4 notifications.
    assert (result["missed"], result["overdue"], result["alerts"]) == (1, 1, 4)
    assert run_nightly(aw, "2023-09-20")["alerts"] == 0  # idempotent
    got = client.get(f"/api/v1/agreements/agreements/{aid}", headers=h).json
    assert got["status"] == "breached" and got["installments"][0]["status"] == "missed"
    with system_scope():
        units = {n.unit_id for n in db.session.scalars(db.select(Notification))}
        assert units == {aw.node("a").id, aw.node("a.town1").id}
    # Interest was recomputed as of the run: debt 1 due 2023-01-31 → 232 days × 100 000 × 0.0005.
    d = client.get(f"/api/v1/debts/{d1['id']}", headers=h).json
    assert d["overdue_days"] == (dt.date(2023, 9, 20) - dt.date(2023, 1, 31)).days == 232
    assert d["late_interest"] == "11600.00"


def test_printable_interest_page(client, aw):
    debt = make_debt(client, aw)
    client.post(
        f"/api/v1/debts/{debt['id']}/payments",
        json={"paid_on": "2023-03-02", "amount": "40000.00"},
        headers=aw.headers("clerk_a1"),
    )
    login(client, "clerk_a1")
    r = client.get(f"/agreements/debts/{debt['id']}/interest?as_of=2023-03-12")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "逾期利息计算单" in html and "2023年2月1日" in html and "1,800.00" in html
    other = client.application.test_client()
    login(other, "clerk_a2")
    assert other.get(f"/agreements/debts/{debt['id']}/interest").status_code == 404


def test_nightly_runs_through_the_job_runner_as_scheduled(client, aw):
    from core.jobs import create_job, submit
    from core.jobs.models import Job, JobStatus

    make_debt(client, aw)
    with system_scope():
        job = create_job("agreements.nightly", unit=aw.node("a"), system=True, params={"as_of": "2023-09-20"})
        job_id = job.id
        db.session.commit()
    submit(job_id)
    with system_scope():
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.SUCCEEDED, job.error if hasattr(job, "error") else job
        assert job.result["recomputed"] == 1


def test_nightly_is_scheduled():
    from plugins.agreements.clearance.jobs import JOBS, SCHEDULES

    assert SCHEDULES[0].job in JOBS and SCHEDULES[0].at == "02:30"
