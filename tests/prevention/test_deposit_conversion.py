"""A deposit not returned on time becomes an arrears debt (category deposit) by the nightly job, once."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.models.event import Event
from core.models.notification import Notification
from core.rules.credit_code import make
from core.tenancy.scope import system_scope
from tests.ledger.test_rounds_support import run_job
from tests.prevention.test_deposits import deposit

CODE = make("91140922MA0KDEP01")


def events(entity_type: str, entity_id: int) -> list[str]:
    with system_scope():
        return db.session.scalars(
            db.select(Event.action)
            .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
            .order_by(Event.id)
        ).all()


def overdue_deposit(client, world, days: int = 3, **overrides) -> dict:
    today = clock.today()
    body = {
        "enterprise_name": "甲市路桥工程有限公司",
        "credit_code": CODE,
        "contract_no": "HT-DEP-1",
        "kind": "quality",
        "form": "cash",
        "amount": "36000.00",
        "received_on": (today - dt.timedelta(days=400)).isoformat(),
        "due_back_on": (today - dt.timedelta(days=days)).isoformat(),
    }
    return deposit(client, world, **{**body, **overrides})


def test_nightly_job_converts_an_overdue_deposit_once(client, world):
    today = clock.today()
    h = world.headers("clerk_a1")
    late = overdue_deposit(client, world)
    held = deposit(client, world, due_back_on=(today + dt.timedelta(days=5)).isoformat())
    returned = overdue_deposit(client, world, days=10, contract_no="HT-DEP-2")
    r = client.post(
        f"/api/v1/prevention/deposits/{returned['id']}/refund",
        json={"returned_on": today.isoformat()},
        headers=h,
    )
    assert r.status_code == 200

    result = run_job("prevention_deposit_conversion", world, today=today.isoformat())
    assert (result["converted"], result["refused"]) == (1, 0)
    assert run_job("prevention_deposit_conversion", world, today=today.isoformat())["converted"] == 0
    # The next night changes nothing either: a converted deposit names its debt.
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert run_job("prevention_deposit_conversion", world, today=tomorrow)["converted"] == 0

    got = client.get(f"/api/v1/prevention/deposits/{late['id']}", headers=h).json
    assert got["state"] == "converted" and got["converted_on"] == today.isoformat()
    assert got["state_label"] == "逾期未退，已转为欠款"
    for other in (held, returned):
        assert client.get(f"/api/v1/prevention/deposits/{other['id']}", headers=h).json["debt_id"] is None

    debt = client.get(f"/api/v1/debts/{got['debt_id']}", headers=h).json
    assert (debt["category"], debt["amount_owed"], debt["status"]) == ("deposit", "36000.00", "confirmed")
    assert debt["due_date"] == late["due_back_on"] and debt["contract_no"] == "HT-DEP-1"
    assert debt["creditor"]["credit_code"] == CODE and debt["overdue_days"] == 3
    assert "由保证金台账自动转入" in debt["remarks"] and "第十三条" in debt["remarks"]
    listed = client.get("/api/v1/debts?category=deposit", headers=h)
    assert [d["id"] for d in listed.json] == [got["debt_id"]]
    assert client.get("/api/v1/debts?category=deposit", headers=world.headers("clerk_a2")).json == []
    assert [d["id"] for d in client.get("/api/v1/prevention/deposits?state=converted", headers=h).json] == [
        late["id"]
    ]
    assert client.get("/api/v1/prevention/deposits?state=overdue", headers=h).json == []

    assert events("prevention_deposits", late["id"]) == ["created", "converted_to_debt"]
    assert events("debts", got["debt_id"])[0] == "created"
    with system_scope():
        notes = db.session.scalars(
            db.select(Notification.title).where(
                Notification.key == f"prevention:deposit:{late['id']}:converted"
            )
        ).all()
    assert notes == ["甲市路桥工程有限公司的工程质量保证金逾期未退，已转为拖欠账款"]
    page = client.get("/prevention/deposits", headers=h).get_data(as_text=True)
    assert "逾期未退，已转为欠款" in page and f'data-debt="{got["debt_id"]}"' in page


def test_refund_after_conversion_pays_the_debt(client, world):
    today = clock.today()
    h = world.headers("clerk_a1")
    late = overdue_deposit(client, world)
    run_job("prevention_deposit_conversion", world, today=today.isoformat())
    debt_id = client.get(f"/api/v1/prevention/deposits/{late['id']}", headers=h).json["debt_id"]
    r = client.post(
        f"/api/v1/prevention/deposits/{late['id']}/refund", json={"returned_on": today.isoformat()}, headers=h
    )
    assert r.status_code == 200 and r.json["state"] == "returned"
    debt = client.get(f"/api/v1/debts/{debt_id}", headers=h).json
    assert (debt["status"], debt["paid_amount"]) == ("cleared", "36000.00")
    payments = client.get(f"/api/v1/debts/{debt_id}/payments", headers=h).json
    assert [(p["amount"], p["method"]) for p in payments] == [("36000.00", "transfer")]


def test_paying_the_debt_in_the_ledger_returns_the_deposit(client, world):
    today = clock.today()
    h = world.headers("clerk_a1")
    late = overdue_deposit(client, world)
    run_job("prevention_deposit_conversion", world, today=today.isoformat())
    debt_id = client.get(f"/api/v1/prevention/deposits/{late['id']}", headers=h).json["debt_id"]
    url = f"/api/v1/debts/{debt_id}/payments"
    assert (
        client.post(url, json={"amount": "6000.00", "paid_on": today.isoformat()}, headers=h).status_code
        == 201
    )
    assert client.get(f"/api/v1/prevention/deposits/{late['id']}", headers=h).json["state"] == "converted"
    assert (
        client.post(url, json={"amount": "30000.00", "paid_on": today.isoformat()}, headers=h).status_code
        == 201
    )
    got = client.get(f"/api/v1/prevention/deposits/{late['id']}", headers=h).json
    assert (got["state"], got["returned_on"]) == ("returned", today.isoformat())
    assert events("prevention_deposits", late["id"])[-1] == "refunded"


def test_bad_credit_code_is_refused(client, world):
    today = clock.today().isoformat()
    body = {
        "enterprise_name": "甲公司",
        "credit_code": "123",
        "kind": "bid",
        "form": "cash",
        "amount": "1000.00",
        "received_on": today,
        "due_back_on": today,
    }
    r = client.post("/api/v1/prevention/deposits", json=body, headers=world.headers("clerk_a1"))
    assert r.status_code == 422 and "credit_code" in r.json["errors"]
