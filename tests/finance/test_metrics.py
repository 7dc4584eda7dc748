"""Figures: requests, answered on time, average days to confirm, amounts confirmed and financed, SMEs
served, and the units that answer late ranked — hand-computed below; the widget and the report section."""

from __future__ import annotations

from core.extensions import db
from core.rules.credit_code import make
from core.tenancy.scope import system_scope
from tests.finance.conftest import DEBTOR_CODE, file_request, item_id


def answer(client, world, cid: int, user: str, **body):
    body.setdefault("debtor_code", DEBTOR_CODE)
    r = client.post(f"/api/v1/finance/confirmations/{cid}/answer", json=body, headers=world.headers(user))
    assert r.status_code == 200, r.json


def test_figures_by_hand(client, world, on_day):
    """On 2026-03-02 three requests (due 2026-04-01):
    1. 甲一镇, 125,000.00, confirmed 2026-03-20 (18 days, on time), financed 50,000.00 on 2026-03-25;
    2. 甲一镇, 80,000.00, never answered → overdue on 2026-04-10;
    3. 甲二镇, another SME, 90,000.00, 60,000.00 confirmed in part 2026-04-05 (34 days, late).
    As of 2026-04-10: 3 requests, 2 answered (1 on time), 1 overdue, 185,000.00 confirmed in an average
    of 26.0 days, 2 SMEs served, 1 financing of 50,000.00; late: 甲一镇 (1, still open), then 甲二镇 (1).
    """
    with system_scope():
        a = world.node("a")
        a.plan = {
            **a.plan,
            "finance": {"partners": [{"code": "bank1", "name": "甲市示例银行", "kind": "bank"}]},
        }
        db.session.commit()
    on_day("2026-03-02")
    c1 = file_request(client)
    c2 = file_request(client, contract_no="HT-2", amount="80000")
    c3 = file_request(
        client,
        debtor_unit="a.town2",
        amount="90000",
        creditor_code=make("91140922MA0K7C0M2"),
        contract_no="HT-3",
    )
    ids = [item_id(client, world, c) for c in (c1, c2, c3)]
    on_day("2026-03-20")
    answer(client, world, ids[0], "clerk_a1", outcome="confirmed", payment_due_date="2026-06-30")
    client.post(
        "/api/v1/public/finance/confirmations/consent",
        json={"jurisdiction": "a", "tracking_code": c1, "phone_last4": "5678", "given": True},
    )
    rid = client.post(
        "/api/v1/finance/referrals",
        json={"confirmation_id": ids[0], "partner": "bank1"},
        headers=world.headers("office_a"),
    ).json["id"]
    on_day("2026-03-26")
    r = client.post(
        f"/api/v1/finance/referrals/{rid}/outcome",
        json={
            "outcome": "financed",
            "product": "factoring",
            "financed_amount": "50000",
            "annual_rate": "3.9",
            "financed_on": "2026-03-25",
        },
        headers=world.headers("office_a"),
    )
    assert r.status_code == 200, r.json
    on_day("2026-04-05")
    answer(
        client,
        world,
        ids[2],
        "clerk_a2",
        outcome="partial",
        confirmed_amount="60000",
        payment_due_date="2026-07-31",
        reason_code="not_performed",
        reason="三期工程尚未验收",
    )
    on_day("2026-04-10")
    f = client.get("/api/v1/finance/metrics", headers=world.headers("office_a")).json
    assert {k: f[k] for k in f if k not in ("late_units", "as_of")} == {
        "requests": 3,
        "answered": 2,
        "answered_on_time": 1,
        "overdue": 1,
        "confirmed": 2,
        "confirmed_amount": "185000.00",
        "average_days_to_confirm": 26.0,
        "financed_count": 1,
        "financed_amount": "50000.00",
        "smes_served": 2,
    }
    assert [(u["unit_name"], u["late"], u["overdue"]) for u in f["late_units"]] == [
        ("甲一镇人民政府", 1, 1),
        ("甲二镇人民政府", 1, 0),
    ]
    # As of a past date, only what had happened then.
    before = client.get("/api/v1/finance/metrics?as_of=2026-03-21", headers=world.headers("office_a")).json
    assert (before["answered"], before["overdue"], before["financed_count"]) == (1, 0, 0)
    assert client.get("/api/v1/finance/metrics", headers=world.headers("clerk_a1")).status_code == 403

    dashboard = client.get("/", headers=world.headers("office_a")).get_data(as_text=True)
    assert "应收账款确权与融资" in dashboard and 'data-key="financed_amount">50,000.00<' in dashboard
    report = client.get("/agreements/progress", headers=world.headers("office_a")).get_data(as_text=True)
    assert "应收账款确权与融资推介" in report and 'data-key="requests">3<' in report
