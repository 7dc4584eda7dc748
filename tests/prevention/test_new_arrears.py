"""新增拖欠: arrears due after the plan's baseline are listed apart and traced to their contract review."""

from __future__ import annotations

from core.extensions import db
from core.tenancy.plans import deep_merge
from core.tenancy.scope import system_scope
from plugins.prevention.watch.service import baseline
from tests.conftest import debt_payload
from tests.prevention.test_reviews import body as review_body


def set_baseline(world, date: str) -> None:
    with system_scope():
        node = world.node("a")
        node.plan = deep_merge(node.plan, {"prevention": {"new_arrears_from": date}})
        db.session.commit()


def add_debt(client, world, contract_no: str, delivery: str) -> int:
    with system_scope():  # world's nodes expire at each commit; RLS hides them outside a scope
        unit_id = world.nodes["a.town1"].id
    body = debt_payload(unit_id=unit_id, amount_owed="50000.00", contract_no=contract_no)
    body["delivery_date"] = delivery
    r = client.post("/api/v1/debts", json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_new_arrears_listed_and_traced(client, world):
    set_baseline(world, "2023-09-01")
    h = world.headers("clerk_a1")
    review = client.post(
        "/api/v1/prevention/reviews", json=review_body(terms={"payment_term_days": 30}), headers=h
    )
    assert review.status_code == 201 and review.json["status"] == "clean"
    signed = client.post(
        f"/api/v1/prevention/reviews/{review.json['id']}/sign",
        json={"signed_on": "2023-09-10", "contract_no": "HT-NEW-1"},
        headers=h,
    )
    assert signed.status_code == 200
    add_debt(client, world, "HT-OLD", "2023-06-01")  # due 1 July 2023: before the baseline
    reviewed = add_debt(client, world, "HT-NEW-1", "2023-10-01")
    unreviewed = add_debt(client, world, "HT-NEW-2", "2023-11-01")

    office = world.headers("office_a")
    rows = client.get("/api/v1/prevention/new-arrears", headers=office).json
    assert [(r["debt_id"], r["reviewed"]) for r in rows] == [(unreviewed, False), (reviewed, True)]
    assert rows[1]["review_id"] == review.json["id"] and rows[0]["outstanding"] == "50000.00"
    m = client.get("/api/v1/prevention/metrics", headers=office).json
    assert (
        m["new_arrears_since"],
        m["new_arrears"],
        m["new_arrears_amount"],
        m["new_arrears_unreviewed"],
    ) == (
        "2023-09-01",
        2,
        "100000.00",
        1,
    )
    page = client.get("/prevention/new-arrears", headers=office).get_data(as_text=True)
    assert (
        "2023年9月1日" in page and "未经审查" in page and f'data-debt="{reviewed}" data-reviewed="1"' in page
    )
    assert client.get("/api/v1/prevention/new-arrears", headers=world.headers("clerk_a2")).json == []
    assert client.get("/api/v1/prevention/new-arrears", headers=world.headers("office_b")).status_code == 404


def test_baseline_defaults():
    import datetime as dt

    today = dt.date(2026, 12, 3)
    assert baseline({"deadlines": {"ledger_complete": "2023-08-25"}}, today) == dt.date(2023, 8, 25)
    assert baseline({"prevention": {"new_arrears_from": "2024-01-01"}, "deadlines": {}}, today) == dt.date(
        2024, 1, 1
    )
    assert baseline({}, today) == dt.date(2026, 1, 1)
