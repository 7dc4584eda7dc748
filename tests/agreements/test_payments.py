"""Payments against debts and installments: wage-first (hand-computed), reversal, installment status."""

from __future__ import annotations

from tests.agreements.conftest import make_debt


def pay(client, world, debt_id, amount, wage="0", on="2023-09-01", user="clerk_a1"):
    return client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": on, "amount": amount, "wage_amount": wage},
        headers=world.headers(user),
    )


def test_wage_first_hand_computed(client, aw):
    # Debt 100 000 of which 30 000 are migrant-worker wages.
    debt = make_debt(client, aw, migrant_wages=True, migrant_wage_amount="30000.00")
    r = pay(client, aw, debt["id"], "20000.00")  # wage part 0 while 30 000 of wages are unpaid
    assert r.status_code == 422
    message = r.json["errors"]["wage_amount"][0]
    assert "尚有30000.00元未付" in message and "至少应有20000.00元" in message
    r = pay(client, aw, debt["id"], "20000.00", wage="15000.00")  # 15 000 < min(20 000, 30 000)
    assert r.status_code == 422
    assert pay(client, aw, debt["id"], "20000.00", wage="20000.00").status_code == 201  # wages left: 10 000
    r = pay(client, aw, debt["id"], "25000.00", wage="5000.00")  # needs min(25 000, 10 000) = 10 000
    assert r.status_code == 422 and "至少应有10000.00元" in r.json["errors"]["wage_amount"][0]
    assert pay(client, aw, debt["id"], "25000.00", wage="10000.00").status_code == 201  # wages now paid
    assert pay(client, aw, debt["id"], "5000.00", wage="0").status_code == 201  # no wages left: anything goes
    r = pay(client, aw, debt["id"], "1000.00", wage="1000.00")
    assert r.status_code == 422 and "超过尚未支付的农民工工资" in r.json["errors"]["wage_amount"][0]


def test_reversed_wage_payment_reopens_the_wage_part(client, aw):
    debt = make_debt(client, aw, migrant_wages=True, migrant_wage_amount="30000.00")
    p = pay(client, aw, debt["id"], "30000.00", wage="30000.00").json
    assert pay(client, aw, debt["id"], "1000.00").status_code == 201
    r = client.post(
        f"/api/v1/agreements/payments/{p['id']}/reversal",
        json={"reason": "银行退票"},
        headers=aw.headers("clerk_a1"),
    )
    assert r.status_code == 200 and r.json["reversal_reason"] == "银行退票"
    assert pay(client, aw, debt["id"], "1000.00").status_code == 422


def test_wage_first_is_off_where_the_plugin_is_disabled(client, world):
    from tests.agreements.conftest import set_agreements

    set_agreements(world, enabled=False)
    debt = make_debt(client, world, migrant_wages=True, migrant_wage_amount="30000.00")
    assert pay(client, world, debt["id"], "20000.00").status_code == 201


def _agreement(client, world, debt_id):
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": debt_id,
            "agreed_amount": "100000.00",
            "signed_on": "2023-08-28",
            "installments": [
                {"due_on": "2023-09-15", "amount": "40000.00"},
                {"due_on": "2023-10-20", "amount": "60000.00"},
            ],
        },
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201, r.json
    return r.json


def test_installment_payments_partial_then_full_then_reversal(client, aw):
    debt = make_debt(client, aw)
    a = _agreement(client, aw, debt["id"])
    first, second = a["installments"]
    h = aw.headers("clerk_a1")
    url = "/api/v1/agreements/installments/{}/payments"
    r = client.post(url.format(first["id"]), json={"paid_on": "2023-09-10", "amount": "50000.00"}, headers=h)
    assert r.status_code == 422 and "本期未付金额（40000.00元）" in r.json["errors"]["amount"][0]
    r = client.post(
        url.format(first["id"]),
        json={
            "paid_on": "2023-09-10",
            "amount": "10000.00",
            "method": "commercial_bill",
            "evidence": "汇票号001",
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json["flagged"] is True
    got = client.get(f"/api/v1/agreements/agreements/{a['id']}", headers=h).json
    assert got["installments"][0]["paid_amount"] == "10000.00"
    r = client.post(url.format(first["id"]), json={"paid_on": "2023-09-14", "amount": "30000.00"}, headers=h)
    assert r.status_code == 201
    p2 = r.json["id"]
    client.post(url.format(second["id"]), json={"paid_on": "2023-10-18", "amount": "60000.00"}, headers=h)
    got = client.get(f"/api/v1/agreements/agreements/{a['id']}", headers=h).json
    assert [i["status"] for i in got["installments"]] == ["paid", "paid"]
    assert got["status"] == "fulfilled"
    d = client.get(f"/api/v1/debts/{debt['id']}", headers=h).json
    assert d["status"] == "cleared" and d["paid_amount"] == "100000.00"
    # Reversal never deletes: the payment stays, marked, and the installment is due again (and late by now).
    r = client.post(f"/api/v1/agreements/payments/{p2}/reversal", json={"reason": "录入错误"}, headers=h)
    assert r.status_code == 200
    got = client.get(f"/api/v1/agreements/agreements/{a['id']}", headers=h).json
    assert got["installments"][0]["paid_amount"] == "10000.00"
    assert got["installments"][0]["status"] == "missed" and got["status"] == "breached"
    payments = client.get(f"/api/v1/debts/{debt['id']}/payments", headers=h).json
    assert len(payments) == 3 and sum(1 for p in payments if p["reversed_at"]) == 1
    assert (
        client.post(f"/api/v1/agreements/payments/{p2}/reversal", json={"reason": "x"}, headers=h).status_code
        == 422
    )


def test_outsiders_cannot_pay_or_reverse(client, aw):
    debt = make_debt(client, aw)
    a = _agreement(client, aw, debt["id"])
    inst = a["installments"][0]["id"]
    for who in ("clerk_a2", "clerk_b1"):
        r = client.post(
            f"/api/v1/agreements/installments/{inst}/payments",
            json={"paid_on": "2023-09-10", "amount": "1.00"},
            headers=aw.headers(who),
        )
        assert r.status_code == 404
    assert (
        client.post(
            f"/api/v1/agreements/installments/{inst}/payments",
            json={"paid_on": "2023-09-10", "amount": "1.00"},
            headers=aw.headers("leader_a"),
        ).status_code
        == 403
    )
