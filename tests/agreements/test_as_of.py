"""Every ``as_of`` is honoured: interest statements of open and cleared debts, payment-practice metrics."""

from __future__ import annotations

from tests.agreements.conftest import make_debt

INTEREST = "/api/v1/agreements/debts/{}/interest?as_of={}"
METRICS = "/api/v1/agreements/progress/metrics?as_of={}"


def pay(client, world, debt_id: int, on: str, amount: str) -> None:
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": on, "amount": amount},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201, r.json


def test_interest_of_an_open_debt_uses_the_balance_on_as_of(client, aw):
    # Due 2023-01-31, 100 000 owed, 0.05% a day; 40 000 paid on 2023-03-02, after the statement's date.
    debt = make_debt(client, aw)
    pay(client, aw, debt["id"], "2023-03-02", "40000.00")
    s = client.get(INTEREST.format(debt["id"], "2023-02-10"), headers=aw.headers("clerk_a1")).json
    # 2023-02-01..2023-02-10: 10 days × 100 000 × 0.0005 = 500.00; the later payment plays no part.
    assert s["outstanding"] == "100000.00" and s["overdue_days"] == 10 and s["cleared_on"] is None
    assert [(p["from"], p["to"], p["balance"], p["days"]) for p in s["periods"]] == [
        ("2023-02-01", "2023-02-10", "100000.00", 10)
    ]
    assert s["total"] == "500.00" and s["interest_days"] == 10


def test_interest_of_a_cleared_debt_honours_as_of(client, aw):
    debt = make_debt(client, aw)
    pay(client, aw, debt["id"], "2023-03-02", "40000.00")
    pay(client, aw, debt["id"], "2023-03-12", "60000.00")  # cleared on 2023-03-12
    h = aw.headers("clerk_a1")
    assert client.get(f"/api/v1/debts/{debt['id']}", headers=h).json["status"] == "cleared"

    before = client.get(INTEREST.format(debt["id"], "2023-03-05"), headers=h).json
    # Still owed on 2023-03-05: 30 days on 100 000 (1500.00), then 3 days on 60 000 (90.00).
    assert before["outstanding"] == "60000.00" and before["cleared_on"] is None
    assert before["overdue_days"] == 33
    assert [(p["to"], p["balance"], p["days"]) for p in before["periods"]] == [
        ("2023-03-02", "100000.00", 30),
        ("2023-03-05", "60000.00", 3),
    ]
    assert before["total"] == "1590.00"

    after = client.get(INTEREST.format(debt["id"], "2023-06-30"), headers=h).json
    # Cleared before the statement's date: interest stops on the day of the last payment, inclusive.
    assert after["outstanding"] == "0.00" and after["cleared_on"] == "2023-03-12"
    assert after["overdue_days"] == 0 and after["interest_days"] == 40
    assert after["total"] == "1800.00"  # 1500.00 + 10 days × 60 000 × 0.0005


def test_open_past_terms_counts_the_balance_on_as_of(client, aw):
    debt = make_debt(client, aw)  # due 2023-01-31
    pay(client, aw, debt["id"], "2023-03-02", "40000.00")
    pay(client, aw, debt["id"], "2023-04-01", "60000.00")  # cleared today, not on 2023-03-15
    h = aw.headers("office_a")
    m = client.get(METRICS.format("2023-03-15"), headers=h).json
    assert m["open_past_terms"] == {"count": 1, "value": "60000.00"}
    assert m["total"]["payments"] == 1 and m["total"]["value"] == "40000.00"
    assert client.get(METRICS.format("2023-01-20"), headers=h).json["open_past_terms"] == {
        "count": 0,
        "value": "0.00",
    }  # not yet due
    assert client.get(METRICS.format("2023-05-01"), headers=h).json["open_past_terms"]["count"] == 0


def test_empty_metrics_format_money_as_two_decimals(client, aw):
    m = client.get(METRICS.format("2023-05-01"), headers=aw.headers("office_a")).json
    assert m["open_past_terms"] == {"count": 0, "value": "0.00"}
    t = m["total"]
    assert t["payments"] == 0 and t["value"] == "0.00" and t["average_days"] is None
    assert {b["value"] for b in t["bands"]} == {"0.00"}
    assert {b["share_count"] for b in t["bands"]} == {"0.0000"}
    assert t["late_share_value"] == "0.0000" and m["units"] == []
    progress = client.get("/api/v1/agreements/progress?as_of=2023-05-01", headers=aw.headers("office_a")).json
    assert (progress["total"]["owed"], progress["total"]["paid"]) == ("0.00", "0.00")
    assert progress["total"]["ratio"] == "0.0000"
    assert {c["outstanding"] for c in progress["by_class"]} == {"0.00"}


def test_metrics_and_interest_have_documented_schemas(client, aw):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]
    metrics = paths["/api/v1/agreements/progress/metrics"]["get"]
    ref = metrics["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "已清偿" in metrics["description"] and "open_past_terms" in schema["properties"]
    opt = spec["components"]["schemas"]["OpenPastTerms"]["properties"]["value"]
    assert opt["type"] == "string" and opt["pattern"]
    interest = paths["/api/v1/agreements/debts/{debt_id}/interest"]["get"]
    assert "次日" in interest["description"] and "含当日" in interest["description"]
    total = spec["components"]["schemas"]["InterestStatement"]["properties"]["total"]
    assert total["type"] == "string" and total["pattern"] == r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$"
