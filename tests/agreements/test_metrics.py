"""Payment-practice metrics (UK/Australian style), hand-computed."""

from __future__ import annotations

from tests.agreements.conftest import make_debt


def test_payment_practice_hand_computed(client, aw):
    h = aw.headers("clerk_a1")
    # Delivered 2023-01-01, 30-day term: due 2023-01-31.
    d1 = make_debt(client, aw, amount_owed="100000.00")
    d2 = make_debt(
        client, aw, amount_owed="40000.00", contract_no="HT-2", delivery_date="2023-03-01"
    )  # due 03-31
    pay = "/api/v1/debts/{}/payments"
    for debt, on, amount in (
        (d1, "2023-01-21", "20000.00"),  # 20 days, on time
        (d1, "2023-02-20", "30000.00"),  # 50 days, late
        (d1, "2023-04-01", "50000.00"),  # 90 days, late
        (d2, "2023-03-31", "10000.00"),  # 30 days, on time
    ):
        assert (
            client.post(pay.format(debt["id"]), json={"paid_on": on, "amount": amount}, headers=h).status_code
            == 201
        )
    m = client.get(
        "/api/v1/agreements/progress/metrics?as_of=2023-05-01", headers=aw.headers("office_a")
    ).json
    t = m["total"]
    assert t["payments"] == 4 and t["value"] == "110000.00"
    assert t["average_days"] == "47.5"  # (20 + 50 + 90 + 30) / 4
    bands = {b["key"]: b for b in t["bands"]}
    assert (bands["within_30"]["count"], bands["within_30"]["share_count"]) == (2, "0.5000")
    assert bands["within_30"]["share_value"] == "0.2727"  # 30 000 / 110 000
    assert (bands["31_60"]["count"], bands["31_60"]["share_value"]) == (1, "0.2727")
    assert (bands["over_60"]["count"], bands["over_60"]["share_value"]) == (1, "0.4545")
    assert t["late_share_count"] == "0.5000" and t["late_share_value"] == "0.7273"  # 80 000 / 110 000
    # d2 still owes 30 000 past its due date.
    assert m["open_past_terms"] == {"count": 1, "value": "30000.00"}
    assert [u["unit_name"] for u in m["units"]] == ["甲一镇人民政府"]
