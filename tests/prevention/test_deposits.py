"""The deposits register: allowed kinds only (条例第十三条), refunds, reminders 30/7/1 days ahead."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from tests.ledger.test_rounds_support import run_job


def deposit(client, world, **overrides) -> dict:
    today = clock.today()
    body = {
        "enterprise_name": "甲市路桥工程有限公司",
        "kind": "performance",
        "form": "guarantee",
        "amount": "120000.00",
        "received_on": (today - dt.timedelta(days=300)).isoformat(),
        "due_back_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    body.update(overrides)
    r = client.post("/api/v1/prevention/deposits", json=body, headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    return r.json


def test_register_list_states_and_refund(client, world):
    h = world.headers("clerk_a1")
    today = clock.today()
    held = deposit(client, world)
    overdue = deposit(client, world, due_back_on=(today - dt.timedelta(days=3)).isoformat(), kind="quality")
    assert (held["state"], overdue["state"]) == ("held", "overdue")
    assert overdue["kind_label"] == "工程质量保证金"
    listed = client.get("/api/v1/prevention/deposits?state=overdue", headers=h)
    assert [d["id"] for d in listed.json] == [overdue["id"]] and listed.headers["X-Total-Count"] == "1"
    r = client.post(
        f"/api/v1/prevention/deposits/{overdue['id']}/refund",
        json={"returned_on": today.isoformat()},
        headers=h,
    )
    assert r.status_code == 200 and r.json["state"] == "returned"
    r = client.post(
        f"/api/v1/prevention/deposits/{overdue['id']}/refund",
        json={"returned_on": today.isoformat()},
        headers=h,
    )
    assert r.status_code == 409 and "已于" in r.json["errors"]["returned_on"][0]
    future = (today + dt.timedelta(days=1)).isoformat()
    r = client.post(
        f"/api/v1/prevention/deposits/{held['id']}/refund", json={"returned_on": future}, headers=h
    )
    assert r.status_code == 422


def test_banned_kind_and_bad_input_are_refused(client, world):
    h = world.headers("clerk_a1")
    today = clock.today().isoformat()
    base = {
        "enterprise_name": "甲公司",
        "form": "cash",
        "amount": "1000.00",
        "received_on": today,
        "due_back_on": today,
    }
    r = client.post("/api/v1/prevention/deposits", json={**base, "kind": "other"}, headers=h)
    assert r.status_code == 409 and "第十三条" in r.json["errors"]["kind"][0]
    r = client.post("/api/v1/prevention/deposits", json={**base, "kind": "bid", "amount": 10.5}, headers=h)
    assert r.status_code == 422 and "amount" in r.json["errors"]
    early = (clock.today() - dt.timedelta(days=1)).isoformat()
    r = client.post(
        "/api/v1/prevention/deposits", json={**base, "kind": "bid", "due_back_on": early}, headers=h
    )
    assert r.status_code == 422 and "due_back_on" in r.json["errors"]
    assert client.get("/api/v1/prevention/deposits", headers=h).json == []


def test_reminders_30_7_1_days_ahead_and_overdue_idempotent(client, world):
    today = clock.today()
    for days in (30, 7, 1, 10, -2):
        deposit(
            client,
            world,
            due_back_on=(today + dt.timedelta(days=days)).isoformat(),
            enterprise_name=f"企业{days}",
        )
    day = today.isoformat()
    assert run_job("prevention_deposit_reminders", world, today=day)["created"] == 4
    assert run_job("prevention_deposit_reminders", world, today=day)["created"] == 0  # once a day
    with system_scope():
        titles = sorted(db.session.scalars(db.select(Notification.title)).all())
    assert len(titles) == 4 and not any("企业10" in t for t in titles)
    assert any("企业-2" in t and "已逾期 2 天" in t for t in titles)
    assert any("企业7" in t and "还有 7 天" in t for t in titles)
    # The unit holding the deposits is told; a sibling unit is not.
    assert len(client.get("/api/v1/notifications", headers=world.headers("clerk_a1")).json) == 4
    assert client.get("/api/v1/notifications", headers=world.headers("clerk_a2")).json == []


def test_scope_and_page(client, world):
    d = deposit(client, world)
    assert (
        client.get(f"/api/v1/prevention/deposits/{d['id']}", headers=world.headers("clerk_a2")).status_code
        == 404
    )
    assert client.get("/api/v1/prevention/deposits", headers=world.headers("office_b")).status_code == 404
    h = world.headers("clerk_a1")
    today = clock.today().isoformat()
    form = {
        "enterprise_name": "甲市劳务公司",
        "kind": "migrant_wage",
        "form": "cash",
        "amount": "5000",
        "received_on": today,
        "due_back_on": today,
    }
    assert client.post("/prevention/deposits", data=form, headers=h).status_code == 302
    page = client.get("/prevention/deposits", headers=h).get_data(as_text=True)
    assert "甲市劳务公司" in page and "农民工工资保证金" in page and "今天到期" in page
