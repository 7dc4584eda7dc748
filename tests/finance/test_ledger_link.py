"""Effects on the debt: the request links to (or on confirmation creates) the ledger debt; factoring names
the assignee as creditor of record in the debt's history; bills the contract did not provide for are flagged
(条例第十一条); financing never clears the debt and wage-first still applies."""

from __future__ import annotations

from core.extensions import db
from core.models.event import Event
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload
from tests.finance.conftest import CREDITOR_CODE, DEBTOR_CODE, file_request, item_id, nid


def confirm(client, world, cid: int, **extra):
    body = {"outcome": "confirmed", "payment_due_date": "2026-05-31", "debtor_code": DEBTOR_CODE, **extra}
    r = client.post(
        f"/api/v1/finance/confirmations/{cid}/answer", json=body, headers=world.headers("clerk_a1")
    )
    assert r.status_code == 200, r.json
    return r.json


def debt_events(debt_id: int) -> list[tuple[str, str | None]]:
    with system_scope():
        rows = db.session.execute(
            db.select(Event.action, Event.note)
            .where(Event.entity_type == "debts", Event.entity_id == debt_id)
            .order_by(Event.id)
        ).all()
    return [(a, n) for a, n in rows]


def test_confirmation_creates_the_debt_when_the_ledger_has_none(client, world, on_day):
    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client, category="works"))
    item = confirm(client, world, cid)
    assert item["debt_id"] is not None and item["steps"][-1]["action"] == "debt_created"
    debt = client.get(f"/api/v1/debts/{item['debt_id']}", headers=world.headers("clerk_a1")).json
    assert (debt["amount_owed"], debt["category"], debt["status"]) == ("125000.00", "works", "confirmed")
    assert (debt["contract_no"], debt["due_date"]) == ("HT-2026-018", "2026-05-31")
    assert debt["creditor"]["credit_code"] == CREDITOR_CODE
    assert f"QR2026-{cid:06d}" in debt["remarks"]


def test_the_request_links_to_the_existing_debt(client, world, on_day):
    on_day("2026-03-02")
    body = debt_payload(
        unit_id=nid(world, "a.town1"),
        contract_no="HT-2026-018",
        creditor={"name": "五台山宏达建材有限公司", "credit_code": CREDITOR_CODE, "size_class": "small"},
    )
    debt_id = client.post("/api/v1/debts", json=body, headers=world.headers("office_a")).json["id"]
    cid = item_id(client, world, file_request(client))
    office = world.headers("office_a")
    assert client.get(f"/api/v1/finance/confirmations/{cid}", headers=office).json["debt_id"] == debt_id
    item = confirm(client, world, cid, bills_agreed=True)
    assert item["debt_id"] == debt_id and item["bills_agreed"] is True
    assert "debt_created" not in [s["action"] for s in item["steps"]]
    actions = [a for a, _ in debt_events(debt_id)]
    assert actions == ["created", "receivable_confirmation", "receivable_confirmed"]
    # Nothing else in the ledger: one debt for the contract.
    listed = client.get("/api/v1/debts", headers=office).json
    assert [d["id"] for d in listed if d["contract_no"] == "HT-2026-018"] == [debt_id]


def factored(client, world, on_day) -> tuple[int, int]:
    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client))
    debt_id = confirm(client, world, cid)["debt_id"]
    office = world.headers("office_a")
    r = client.post(f"/api/v1/finance/confirmations/{cid}/consent", json={"given": True}, headers=office)
    assert r.status_code == 200, r.json
    ref = client.post(
        "/api/v1/finance/referrals", json={"confirmation_id": cid, "partner": "zhongzheng"}, headers=office
    ).json
    on_day("2026-03-10")
    r = client.post(
        f"/api/v1/finance/referrals/{ref['id']}/outcome",
        json={
            "outcome": "financed",
            "product": "factoring",
            "financed_amount": "100000.00",
            "annual_rate": "3.85",
            "financed_on": "2026-03-09",
        },
        headers=office,
    )
    assert r.status_code == 200, r.json
    return cid, debt_id


def test_factoring_makes_the_assignee_creditor_of_record_and_does_not_clear_the_debt(client, world, on_day):
    cid, debt_id = factored(client, world, on_day)
    office = world.headers("office_a")
    item = client.get(f"/api/v1/finance/confirmations/{cid}", headers=office).json
    assert item["assignee_name"].startswith("应收账款融资服务平台") and item["assigned_on"] == "2026-03-09"
    debt = client.get(f"/api/v1/debts/{debt_id}", headers=office).json
    assert (debt["status"], debt["paid_amount"]) == ("confirmed", "0.00")  # financing is not payment
    assert "转让给应收账款融资服务平台" in debt["remarks"]
    events = client.get(f"/api/v1/debts/{debt_id}/history", headers=office).json
    assigned = [e for e in events if e["action"] == "creditor_assigned"]
    assert len(assigned) == 1 and assigned[0]["before"] == {"creditor_of_record": "五台山宏达建材有限公司"}
    page = client.get(f"/finance/confirmations/{cid}", headers=office).get_data(as_text=True)
    assert "受让人" in page and f"/debts/{debt_id}" in page


def test_a_pledge_leaves_the_creditor_alone(client, world, on_day):
    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client))
    debt_id = confirm(client, world, cid)["debt_id"]
    office = world.headers("office_a")
    client.post(f"/api/v1/finance/confirmations/{cid}/consent", json={"given": True}, headers=office)
    ref = client.post(
        "/api/v1/finance/referrals", json={"confirmation_id": cid, "partner": "zhongzheng"}, headers=office
    ).json
    outcome = {
        "outcome": "financed",
        "product": "pledge",
        "financed_amount": "80000.00",
        "annual_rate": "3.5",
        "financed_on": "2026-03-02",
    }
    r = client.post(f"/api/v1/finance/referrals/{ref['id']}/outcome", json=outcome, headers=office)
    assert r.status_code == 200, r.json
    assert client.get(f"/api/v1/finance/confirmations/{cid}", headers=office).json["assignee_name"] is None
    assert "creditor_assigned" not in [a for a, _ in debt_events(debt_id)]


def test_bill_payments_are_flagged_when_the_contract_does_not_provide_for_them(client, world, on_day):
    on_day("2026-03-02")
    h = world.headers("clerk_a1")
    cid = item_id(client, world, file_request(client))
    debt_id = confirm(client, world, cid, bills_agreed=False)["debt_id"]
    url = f"/api/v1/debts/{debt_id}/payments"
    for method, amount in (("transfer", "1000.00"), ("e_voucher", "2000.00"), ("commercial_bill", "3000.00")):
        r = client.post(url, json={"amount": amount, "paid_on": "2026-03-02", "method": method}, headers=h)
        assert r.status_code == 201, r.json
    payments = client.get(url, headers=h).json
    assert [(p["method"], p["flagged"]) for p in payments] == [
        ("transfer", False),
        ("e_voucher", True),
        ("commercial_bill", True),
    ]
    flagged = [n for a, n in debt_events(debt_id) if a == "payment_flagged"]
    assert len(flagged) == 2 and all("第十一条" in n for n in flagged)
    steps = client.get(f"/api/v1/finance/confirmations/{cid}", headers=h).json["steps"]
    assert [s["action"] for s in steps].count("payment_flagged") == 2
    with system_scope():
        titles = db.session.scalars(
            db.select(Notification.title).where(Notification.key.like("finance:payment:%"))
        ).all()
    assert sorted(titles) == ["以商业汇票支付未经合同约定", "以应收账款电子凭证支付未经合同约定"]


def test_bills_the_contract_provides_for_are_not_flagged_again(client, world, on_day):
    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client))
    debt_id = confirm(client, world, cid, bills_agreed=True)["debt_id"]
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"amount": "3000.00", "paid_on": "2026-03-02", "method": "commercial_bill"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201
    assert "payment_flagged" not in [a for a, _ in debt_events(debt_id)]


def test_a_bad_category_is_refused(client, world):
    from tests.finance.conftest import request_body

    r = client.post("/api/v1/public/finance/confirmations", json=request_body(category="food"))
    assert r.status_code == 422 and "category" in r.json["errors"]
