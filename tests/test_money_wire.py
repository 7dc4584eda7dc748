"""Money on the wire is a string: OpenAPI says so (with a pattern) and core routes refuse floats and "1e3"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.api import Money
from core.api.money import MONEY_PATTERNS, parse_money
from tests.conftest import INSTALLED_PLUGINS, debt_payload

# Number-typed properties of the API that are not money (a job's progress percentage and rows per second).
NOT_MONEY_NUMBERS = {"percent", "rate"}


def _properties(spec: dict):
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        for prop, body in (schema.get("properties") or {}).items():
            yield name, prop, body


def test_openapi_declares_every_money_field_as_a_pattern_string(client, world):
    spec = client.get("/api/openapi.json").json
    numbers = {(s, p) for s, p, body in _properties(spec) if body.get("type") == "number"}
    assert numbers <= {("Job", p) for p in NOT_MONEY_NUMBERS}, numbers
    money = {(s, p): body for s, p, body in _properties(spec) if body.get("pattern") in MONEY_PATTERNS}
    # Core's and the plugins' amounts: debts, payments, agreements, complaints, rounds, disclosure.
    expected = [("Debt", "amount_owed"), ("Debt", "outstanding"), ("Payment", "amount")]
    by_plugin = {
        "agreements": [("Agreement", "agreed_amount"), ("InstallmentPayment", "amount")],
        "ledger": [("Submission", "total_outstanding")],
        "disclosure": [("Report", "total_amount")],
    }
    for plugin, props in by_plugin.items():
        if plugin in INSTALLED_PLUGINS:
            expected += props
    for schema, prop in expected:
        assert money.get((schema, prop), {}).get("type") == "string", (schema, prop)
    assert all(body["type"] == "string" for body in money.values())
    # A property named like money that the document leaves untyped (a marshmallow Function field) tells a
    # client nothing: every one must be a pattern string.
    money_like = ("amount", "outstanding", "owed", "paid", "balance", "budget", "deposit")
    untyped = {
        (s, p)
        for s, p, body in _properties(spec)
        if any(word in p for word in money_like)
        and not {"type", "$ref", "allOf", "anyOf", "oneOf"} & body.keys()
    }
    assert untyped == set(), untyped


@pytest.mark.parametrize("amount", [100000.5, "1e3", "1E3", "1000.001", "NaN", "-Infinity", "1,000", ""])
def test_debt_routes_refuse_floats_and_exponents(client, world, amount):
    r = client.post("/api/v1/debts", json=debt_payload(amount_owed=amount), headers=world.headers("clerk_a1"))
    assert r.status_code == 422 and list(r.json["errors"]) == ["amount_owed"], r.json
    assert r.json["errors"]["amount_owed"][0].startswith("金额")


@pytest.mark.parametrize("amount", [100.5, "1e2", "100.005"])
def test_payments_and_filters_refuse_floats_and_exponents(client, world, amount):
    h = world.headers("clerk_a1")
    debt = client.post("/api/v1/debts", json=debt_payload(), headers=h).json
    r = client.post(
        f"/api/v1/debts/{debt['id']}/payments", json={"paid_on": "2023-03-01", "amount": amount}, headers=h
    )
    assert r.status_code == 422 and list(r.json["errors"]) == ["amount"], r.json
    if isinstance(amount, str):
        r = client.get(f"/api/v1/debts?min_amount={amount}", headers=h)
        assert r.status_code == 422 and "min_amount" in r.json["errors"], r.json


def test_money_strings_and_whole_yuan_integers_are_taken(client, world):
    h = world.headers("clerk_a1")
    r = client.post("/api/v1/debts", json=debt_payload(amount_owed=100000), headers=h)
    assert r.status_code == 201 and r.json["amount_owed"] == "100000.00"
    r = client.post(
        f"/api/v1/debts/{r.json['id']}/payments", json={"paid_on": "2023-03-01", "amount": " 0.5 "}, headers=h
    )
    assert r.status_code == 201 and r.json["amount"] == "0.50"


def test_parse_money_reasons():
    assert str(parse_money("1234.5")) == "1234.50" and str(parse_money(7)) == "7.00"
    assert str(parse_money("-0.01")) == "-0.01"
    for raw, reason in (
        (1.5, "浮点数"),
        ("1e3", "科学计数法"),
        ("1.234", "两位小数"),
        ("1" * 17, "过大"),
        (None, "格式不正确"),
        (False, "格式不正确"),
    ):
        with pytest.raises(ValueError, match=reason):
            parse_money(raw)
    assert Money().serialize("x", {"x": Decimal("5")}) == "5.00"
