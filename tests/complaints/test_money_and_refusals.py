"""Complaint routes take money as strings only, and a payment core refuses answers 422, never 500."""

from __future__ import annotations

import datetime as dt

import pytest

from core import clock
from tests.complaints.conftest import filing
from tests.complaints.test_handling import accept_and_transfer, file, post


@pytest.mark.parametrize("amount", [85000.5, "1e3", "8.5E4", "85000.505", "NaN", "1,000.00"])
def test_staff_payment_refuses_floats_and_exponents(client, cworld, amount):
    cid = file(client)
    r = post(client, cworld, "office_a", f"/{cid}/payments", {"amount": amount, "paid_on": "2023-10-01"})
    assert r.status_code == 422 and list(r.json["errors"]) == ["amount"], r.json
    assert r.json["errors"]["amount"][0].startswith("金额")


@pytest.mark.parametrize("amount", [85000.5, "1e3", "85000.505", True])
def test_public_filing_refuses_floats_and_exponents(client, cworld, amount):
    r = client.post("/api/v1/public/complaints", json=filing(amount=amount))
    assert r.status_code == 422 and "amount" in r.json["errors"], r.json


def test_public_filing_still_takes_thousands_separators(client, cworld):
    r = client.post("/api/v1/public/complaints", json=filing(amount="85,000.50"))
    assert r.status_code == 201, r.json


def test_a_payment_core_refuses_is_422_on_the_complaints_route(client, cworld):
    cid = file(client)
    accept_and_transfer(client, cworld, cid)
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    r = post(
        client,
        cworld,
        "clerk_a1",
        f"/{cid}/outcome",
        {"outcome": "undisputed", "detail": "已核实", "payment_deadline": tomorrow},
    )
    assert r.status_code == 200, r.json
    r = post(client, cworld, "clerk_a1", f"/{cid}/payments", {"amount": "100.00", "paid_on": tomorrow})
    assert r.status_code == 422, r.json
    assert r.json["code"] == "validation_error" and r.json["errors"] == {"paid_on": ["付款日期不能晚于今天"]}
    # Nothing half-written: no payment step on the case, no payment on the debt.
    detail = client.get(f"/api/v1/complaints/{cid}", headers=cworld.headers("clerk_a1")).json
    assert "paid" not in [s["action"] for s in detail["timeline"]]
    assert detail["debts"][0]["paid_amount"] == "0.00"
