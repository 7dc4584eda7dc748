"""Progress per unit and jurisdiction (hand-computed)."""

from __future__ import annotations

from tests.agreements.conftest import make_debt, nid

URL = "/api/v1/agreements/progress"


def _setup(client, aw):
    h1, h2 = aw.headers("clerk_a1"), aw.headers("clerk_a2")
    d1 = make_debt(client, aw, amount_owed="100000.00")  # town1
    d2 = make_debt(client, aw, amount_owed="50000.00", contract_no="HT-2")  # town1, difficulty
    d3 = make_debt(client, aw, user="clerk_a2", unit="a.town2", amount_owed="50000.00", contract_no="HT-3")
    cls = "/api/v1/agreements/debts/{}/classification"
    client.put(
        cls.format(d1["id"]), json={"debt_class": "undisputed", "confirmed_on": "2023-08-20"}, headers=h1
    )
    client.put(cls.format(d2["id"]), json={"debt_class": "difficulty", "reason": "资金紧张"}, headers=h1)
    pay = "/api/v1/debts/{}/payments"
    assert (
        client.post(
            pay.format(d1["id"]), json={"paid_on": "2023-08-30", "amount": "100000.00"}, headers=h1
        ).status_code
        == 201
    )
    assert (
        client.post(
            pay.format(d3["id"]), json={"paid_on": "2023-09-05", "amount": "10000.00"}, headers=h2
        ).status_code
        == 201
    )
    return d1, d2, d3


def test_progress_hand_computed(client, aw):
    _setup(client, aw)
    p = client.get(f"{URL}?as_of=2023-09-28", headers=aw.headers("office_a")).json
    # 200 000 owed, 110 000 paid → 55%; one debt cleared of three.
    assert p["total"] == {
        "count": 3,
        "owed": "200000.00",
        "paid": "110000.00",
        "outstanding": "90000.00",
        "cleared_count": 1,
        "ratio": "0.5500",
    }
    by_class = {c["key"]: c for c in p["by_class"]}
    assert by_class["undisputed"]["paid"] == "100000.00"
    assert by_class["difficulty"]["outstanding"] == "50000.00"
    assert by_class["unclassified"]["outstanding"] == "40000.00"
    units = {u["unit_name"]: u for u in p["units"]}
    assert units["甲一镇人民政府"]["ratio"] == "0.6667" and units["甲二镇人民政府"]["ratio"] == "0.2000"
    # Ledger deadline 2023-08-25 → final 2023-10-31 is 67 days; 2023-09-28 is day 34: 34/67 = 0.5075.
    assert units["甲二镇人民政府"]["expected_ratio"] == "0.5075"
    assert [u["unit_name"] for u in p["behind"]] == ["甲二镇人民政府"]
    m = {x["key"]: x for x in p["milestones"]}
    assert m["agreements_signed"]["actual"] == "0.0000" and m["agreements_signed"]["late"] is True
    assert m["all_cleared"]["days_left"] == 33
    # Confirmed 2023-08-20, paid in full 2023-08-30: 10 days.
    assert p["pay_on_discovery"] == {"paid": 1, "pending": 0, "average_days": "10.0", "max_days": 10}
    bd = p["burn_down"]
    assert bd["dates"][0] == "2023-08-25" and bd["dates"][-1] == "2023-10-31"
    assert bd["actual"][0] == "200000.00" and bd["actual"][5] == "100000.00"  # 2023-08-30
    assert bd["actual"][11] == "90000.00" and bd["actual"][-1] is None
    assert bd["ideal"][0] == "200000.00" and bd["ideal"][-1] == "0.00"


def test_progress_of_a_unit_sees_only_its_subtree(client, aw):
    _setup(client, aw)
    p = client.get(f"{URL}?as_of=2023-09-28", headers=aw.headers("clerk_a1")).json
    assert p["total"]["count"] == 2 and p["total"]["owed"] == "150000.00"
    assert client.get(f"{URL}?unit={nid(aw, 'a.town1')}", headers=aw.headers("clerk_a2")).status_code == 404
