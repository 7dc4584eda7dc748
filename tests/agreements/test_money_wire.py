"""Agreement routes take money as strings only: floats and exponent forms are refused, naming the field."""

from __future__ import annotations

import json

import pytest

from tests.agreements.conftest import make_debt

BAD = [100000.0, "1e5", "1E5", "100000.001", "Infinity", " 1 000"]


@pytest.mark.parametrize("amount", BAD)
def test_agreement_amounts_refuse_floats_and_exponents(client, aw, amount):
    debt = make_debt(client, aw)
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": debt["id"],
            "agreed_amount": amount,
            "signed_on": "2023-08-28",
            "installments": [{"due_on": "2023-09-15", "amount": amount}],
        },
        headers=aw.headers("clerk_a1"),
    )
    assert r.status_code == 422, r.json
    errors = r.json["errors"]
    assert errors["agreed_amount"][0].startswith("金额")
    assert "amount" in errors["installments"]["0"]


def test_a_json_exponent_literal_is_refused_too(client, aw):
    debt = make_debt(client, aw)
    body = json.dumps(
        {
            "debt_id": debt["id"],
            "agreed_amount": "EXPONENT",
            "signed_on": "2023-08-28",
            "installments": [{"due_on": "2023-09-15", "amount": "100000.00"}],
        }
    ).replace('"EXPONENT"', "1e5")
    r = client.post(
        "/api/v1/agreements/agreements",
        data=body,
        content_type="application/json",
        headers=aw.headers("clerk_a1"),
    )
    assert r.status_code == 422 and list(r.json["errors"]) == ["agreed_amount"], r.json
    assert json.loads(body)["agreed_amount"] == 100000.0  # what the parser made of it: a float


def test_agreement_amounts_are_strings_with_two_decimals(client, aw):
    debt = make_debt(client, aw)
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": debt["id"],
            "agreed_amount": 100000,  # an integer is whole yuan
            "signed_on": "2023-08-28",
            "installments": [{"due_on": "2023-09-15", "amount": "100000"}],
        },
        headers=aw.headers("clerk_a1"),
    )
    assert r.status_code == 201, r.json
    assert r.json["agreed_amount"] == "100000.00"
    assert r.json["installments"][0]["amount"] == "100000.00"
