"""The dashboard's figures: hand-checked on a small ledger, equal in the API and the summary, scoped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import g

from core.auth.context import resolve
from core.extensions import db
from core.services.dashboard import summary, to_json
from core.tenancy.scope import set_scope, system_scope
from tests.conftest import debt_payload

AS_OF = "2023-03-02"


def nid(world, code: str) -> int:
    """A node's id; read under the system scope because the fixture's objects expire at commit and
    PostgreSQL's row-level security would hide the refresh outside any tenant."""
    with system_scope():
        return world.nodes[code].id


def _create(client, world, user, unit_code, **fields):
    body = debt_payload(unit_id=nid(world, unit_code), **fields)
    r = client.post("/api/v1/debts", json=body, headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json


def _pay(client, world, user, debt_id, amount, on="2023-03-01"):
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": on, "amount": amount},
        headers=world.headers(user),
    )
    assert r.status_code == 201, r.json


@pytest.fixture
def ledger(client, world):
    """Five debts in jurisdiction A and one in B.

    d1 a.town1 works 100000, paid 40000, due 2023-01-31 (30 days overdue on 2023-03-02)
    d2 a.town2 goods 50000, due 2022-12-31 (61 days overdue)
    d3 a.soe.sub services 30000, delivered 2023-03-01 (not yet due) — rolls up into a.soe
    d4 a.town1.office services 20000, fully paid — rolls up into a.town1
    d5 a.town2 works 10000, judicial — excluded from the campaign figures
    """
    d1 = _create(client, world, "clerk_a1", "a.town1", project_name="一号工程")
    _pay(client, world, "clerk_a1", d1["id"], "40000")
    d2 = _create(
        client,
        world,
        "clerk_a2",
        "a.town2",
        project_name="二号货物",
        category="goods",
        amount_owed="50000",
        delivery_date="2022-12-01",
    )
    d3 = _create(
        client,
        world,
        "soe_a",
        "a.soe.sub",
        project_name="三号服务",
        category="services",
        amount_owed="30000",
        delivery_date="2023-03-01",
    )
    d4 = _create(
        client,
        world,
        "office_a",
        "a.town1.office",
        project_name="四号服务",
        category="services",
        amount_owed="20000",
    )
    _pay(client, world, "office_a", d4["id"], "20000")
    d5 = _create(
        client, world, "clerk_a2", "a.town2", project_name="五号诉讼", amount_owed="10000", judicial=True
    )
    _create(client, world, "clerk_b1", "b.town1", project_name="乙方工程", amount_owed="999999")
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5}


def api_dashboard(client, world, user):
    r = client.get(f"/api/v1/dashboard?as_of={AS_OF}", headers=world.headers(user))
    assert r.status_code == 200, r.json
    return r.json


def test_totals_are_hand_checked(client, world, ledger):
    data = api_dashboard(client, world, "office_a")
    t = data["totals"]
    assert t["owed"] == "200000.00"
    assert t["cleared"] == "60000.00"
    assert t["outstanding"] == "140000.00"
    assert t["clearance_rate"] == "0.3000"
    assert t["overdue_count"] == 2
    assert t["overdue_amount"] == "110000.00"  # 60000 left on d1 + 50000 on d2
    assert t["count"] == 5 and t["campaign_count"] == 4
    assert t["excluded_amount"] == "10000.00"


def test_by_unit_rolls_up_subtrees(client, world, ledger):
    rows = {u["code"]: u for u in api_dashboard(client, world, "office_a")["by_unit"]}
    assert set(rows) == {"a.town1", "a.town2", "a.soe"}
    assert rows["a.town1"]["owed"] == "120000.00"  # includes a.town1.office
    assert rows["a.town1"]["cleared"] == "60000.00"
    assert rows["a.town1"]["clearance_rate"] == "0.5000"
    assert rows["a.town2"]["owed"] == "50000.00" and rows["a.town2"]["count"] == 2
    assert rows["a.soe"]["owed"] == "30000.00"  # the subsidiary's debt, rolled up
    assert rows["a.soe"]["overdue_count"] == 0


def test_by_category_status_and_buckets(client, world, ledger):
    data = api_dashboard(client, world, "office_a")
    cats = {c["category"]: c for c in data["by_category"]}
    assert cats["works"]["owed"] == "100000.00" and cats["works"]["count"] == 1
    assert cats["goods"]["outstanding"] == "50000.00"
    assert cats["services"]["owed"] == "50000.00" and cats["services"]["cleared"] == "20000.00"
    statuses = {s["status"]: s["count"] for s in data["by_status"]}
    assert statuses == {
        "to_verify": 2,
        "confirmed": 0,
        "disputed": 0,
        "under_agreement": 0,
        "partly_repaid": 1,
        "cleared": 1,
        "judicial": 1,
        "out_of_scope": 0,
    }
    buckets = {b["bucket"]: (b["count"], b["amount"]) for b in data["overdue_buckets"]}
    assert buckets == {
        "not_overdue": (1, "30000.00"),
        "d1_30": (1, "60000.00"),
        "d31_90": (1, "50000.00"),
        "d91_365": (0, "0.00"),
        "d365_plus": (0, "0.00"),
    }


def test_api_equals_summary(app, client, world, ledger):
    body = api_dashboard(client, world, "office_a")
    with app.test_request_context("/"):
        g.principal = resolve(db.session.get(type(world.users["office_a"]), world.users["office_a"].id))
        set_scope(g.principal.scope)
        direct = summary(dt.date.fromisoformat(AS_OF))
    assert isinstance(direct["totals"]["owed"], Decimal)
    # The API adds the year's plan and its milestones (tests/test_milestones.py) to the same figures.
    extra = {key: body.pop(key) for key in ("plan", "milestones", "calendar_missing")}
    assert extra["plan"]["name"] == "甲方案" and isinstance(extra["milestones"], list)
    assert to_json(direct) == body


def test_unit_user_summary_counts_only_their_subtree(client, world, ledger):
    data = api_dashboard(client, world, "clerk_a1")
    assert data["totals"]["owed"] == "120000.00"
    assert data["totals"]["count"] == 2
    assert [u["code"] for u in data["by_unit"]] == ["a.town1"]
    soe = api_dashboard(client, world, "soe_a")
    assert soe["totals"]["owed"] == "30000.00"
    assert [u["code"] for u in soe["by_unit"]] == ["a.soe"]
    other = api_dashboard(client, world, "office_b")
    assert other["totals"]["owed"] == "999999.00"


def test_dashboard_requires_login(client, world):
    assert client.get("/api/v1/dashboard").status_code == 401
