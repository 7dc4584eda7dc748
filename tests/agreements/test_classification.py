"""Classification of confirmed debts and the office's list of units without a plan past the deadline."""

from __future__ import annotations

from tests.agreements.conftest import make_debt, set_agreements
from tests.conftest import debt_payload

URL = "/api/v1/agreements/debts/{}/classification"


def test_undisputed_pays_within_the_term_capped_by_the_final_deadline(client, aw):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    r = client.put(
        URL.format(debt["id"]), json={"debt_class": "undisputed", "confirmed_on": "2023-08-20"}, headers=h
    )
    assert r.status_code == 200, r.json
    # 2023-08-20 + 30 days = 2023-09-19, before the final deadline 2023-10-31
    assert r.json["pay_by"] == "2023-09-19"
    assert r.json["agreement_by"] is None
    assert r.json["undisputed_payable"] == "100000.00"
    r = client.put(
        URL.format(debt["id"]), json={"debt_class": "undisputed", "confirmed_on": "2023-10-15"}, headers=h
    )
    # 2023-10-15 + 30 = 2023-11-14, capped by all_cleared 2023-10-31
    assert r.json["pay_by"] == "2023-10-31"
    assert client.get(URL.format(debt["id"]), headers=h).json["confirmed_on"] == "2023-10-15"


def test_difficulty_needs_a_reason_and_an_agreement_by_the_plan_deadline(client, aw):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    r = client.put(URL.format(debt["id"]), json={"debt_class": "difficulty"}, headers=h)
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = client.put(
        URL.format(debt["id"]),
        json={"debt_class": "difficulty", "reason": "镇财政收入下降，资金暂时不足"},
        headers=h,
    )
    assert r.status_code == 200, r.json
    assert r.json["agreement_by"] == "2023-08-31"
    assert r.json["pay_by"] == "2023-10-31"


def test_banned_excuses_are_refused_citing_article_14(client, aw):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    for reason in ("单位法定代表人变更，新领导尚未签字", "正在走内部付款流程", "等待决算审计结果后再付"):
        r = client.put(URL.format(debt["id"]), json={"debt_class": "difficulty", "reason": reason}, headers=h)
        assert r.status_code == 422, reason
        assert "第十四条" in r.json["errors"]["reason"][0]


def test_disputed_track_keeps_the_undisputed_part_payable(client, aw):
    debt = make_debt(client, aw, undisputed_amount="70000.00", disputed_amount="30000.00")
    h = aw.headers("clerk_a1")
    r = client.put(
        URL.format(debt["id"]), json={"debt_class": "disputed", "confirmed_on": "2023-08-20"}, headers=h
    )
    assert r.status_code == 200, r.json
    assert r.json["pay_by"] == "2023-09-19" and r.json["undisputed_payable"] == "70000.00"
    assert client.get(f"/api/v1/debts/{debt['id']}", headers=h).json["status"] == "disputed"
    cid = r.json["id"]
    for kind, start, end, outcome in (
        ("negotiation", "2023-08-22", "2023-08-30", "协商未果"),
        ("mediation", "2023-09-01", None, None),
    ):
        r = client.post(
            f"/api/v1/agreements/classifications/{cid}/steps",
            json={"kind": kind, "started_on": start, "ended_on": end, "outcome": outcome},
            headers=h,
        )
        assert r.status_code == 201, r.json
    steps = client.get(URL.format(debt["id"]), headers=h).json["steps"]
    assert [s["kind_label"] for s in steps] == ["协商", "调解"]
    r = client.post(
        f"/api/v1/agreements/classifications/{cid}/steps",
        json={"kind": "arbitration_litigation", "started_on": "2023-09-10", "ended_on": "2023-09-01"},
        headers=h,
    )
    assert r.status_code == 422


def test_disputed_needs_a_disputed_amount_and_unverified_debts_are_refused(client, aw):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    assert client.put(URL.format(debt["id"]), json={"debt_class": "disputed"}, headers=h).status_code == 422
    body = debt_payload(unit_id=debt["unit"]["id"]) if "unit" in debt else debt_payload()
    r = client.post("/api/v1/debts", json=body, headers=h)
    r = client.put(URL.format(r.json["id"]), json={"debt_class": "undisputed"}, headers=h)
    assert r.status_code == 422 and "debt_id" in r.json["errors"]


def test_office_lists_units_without_an_agreement_past_the_deadline(client, aw):
    h1, h2 = aw.headers("clerk_a1"), aw.headers("clerk_a2")
    d1 = make_debt(client, aw, amount_owed="50000.00")
    d2 = make_debt(client, aw, user="clerk_a2", unit="a.town2", amount_owed="80000.00", contract_no="HT-2")
    for d, h in ((d1, h1), (d2, h2)):
        r = client.put(
            URL.format(d["id"]), json={"debt_class": "difficulty", "reason": "资金紧张"}, headers=h
        )
        assert r.status_code == 200
    office = aw.headers("office_a")
    before = client.get("/api/v1/agreements/missing-plans?as_of=2023-08-31", headers=office).json
    assert before["units"] == []
    after = client.get("/api/v1/agreements/missing-plans?as_of=2023-09-01", headers=office).json
    assert [u["unit_name"] for u in after["units"]] == ["甲二镇人民政府", "甲一镇人民政府"]
    assert after["units"][0]["amount"] == "80000.00" and after["units"][0]["debts"][0]["days_late"] == 1
    # A signed agreement takes the unit off the list.
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": d1["id"],
            "agreed_amount": "50000.00",
            "signed_on": "2023-08-30",
            "installments": [{"due_on": "2023-09-30", "amount": "50000.00"}],
        },
        headers=h1,
    )
    assert r.status_code == 201, r.json
    after = client.get("/api/v1/agreements/missing-plans?as_of=2023-09-01", headers=office).json
    assert [u["unit_name"] for u in after["units"]] == ["甲二镇人民政府"]
    # A clerk sees only its own unit's row.
    mine = client.get("/api/v1/agreements/missing-plans?as_of=2023-09-01", headers=h1).json
    assert mine["units"] == []


def test_disabled_plugin_answers_404(client, aw):
    debt = make_debt(client, aw)
    set_agreements(aw, enabled=False)
    h = aw.headers("clerk_a1")
    assert client.put(URL.format(debt["id"]), json={"debt_class": "undisputed"}, headers=h).status_code == 404
    assert client.get("/api/v1/agreements/agreements", headers=h).status_code == 404
