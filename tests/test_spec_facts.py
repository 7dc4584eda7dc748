"""The OpenAPI document states what the server checks (issue 13, point 7), and the answers that changed so
that a schema-valid request is never refused as malformed: an id the caller cannot see is a 404 naming the
field, a rule of the record's state or of today's date a 409, a missing permission a 403."""

from __future__ import annotations

import re

import pytest

from core.api.money import (
    MONEY_PATTERN,
    NON_NEGATIVE_MONEY_PATTERN,
    POSITIVE_MONEY_PATTERN,
    parse_money,
)
from core.api.openapi import NAIVE_UTC_PATTERN
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload, needs_plugins


def _doc(client) -> dict:
    return client.get("/api/openapi.json").get_json()


def _id(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id


def test_money_has_at_most_sixteen_integer_digits_in_pattern_and_parser():
    assert re.fullmatch(MONEY_PATTERN, "9" * 16 + ".99")
    assert not re.fullmatch(MONEY_PATTERN, "1" + "0" * 16)
    with pytest.raises(ValueError, match="整数部分最多 16 位"):
        parse_money("1" + "0" * 16)
    assert parse_money("-" + "9" * 16) < 0


def test_sign_aware_money_patterns():
    assert re.fullmatch(NON_NEGATIVE_MONEY_PATTERN, "0") and not re.fullmatch(
        NON_NEGATIVE_MONEY_PATTERN, "-1"
    )
    for zero in ("0", "0.00", "00.0"):
        assert not re.fullmatch(POSITIVE_MONEY_PATTERN, zero)
    for positive in ("0.01", "1", "10.5", "0010"):
        assert re.fullmatch(POSITIVE_MONEY_PATTERN, positive)


def test_debt_amounts_state_their_sign(client):
    schemas = _doc(client)["components"]["schemas"]
    create = schemas["DebtCreate"]["properties"]
    assert create["amount_owed"]["pattern"] == POSITIVE_MONEY_PATTERN
    assert create["disputed_amount"]["pattern"] == NON_NEGATIVE_MONEY_PATTERN
    # Responses show what is stored: the plain pattern.
    assert schemas["Debt"]["properties"]["amount_owed"]["pattern"] == MONEY_PATTERN


def test_creditor_ref_is_an_id_or_a_name(client):
    ref = _doc(client)["components"]["schemas"]["CreditorRef"]
    assert {"required": ["id"]} in ref["anyOf"] and {"required": ["name"]} in ref["anyOf"]
    assert ref["properties"]["id"]["minimum"] == 1
    assert re.search(ref["properties"]["name"]["pattern"], "宏达") and not re.search(
        ref["properties"]["name"]["pattern"], " \u3000 "
    )
    assert ref["properties"]["credit_code"]["pattern"]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-02-29T08:00:00", True),
        ("2023-02-29T08:00:00", False),
        ("1900-02-29T08:00:00", False),
        ("2000-02-29T23:59:59.5", True),
        ("2023-04-31T00:00:00", False),
        ("0000-01-01T00:00:00", False),
        ("2023-01-01T24:00:00", False),
    ],
)
def test_timestamp_pattern_is_calendar_true(text, ok):
    assert bool(re.fullmatch(NAIVE_UTC_PATTERN, text)) is ok


def test_page_is_capped_and_documented(client, world):
    h = world.headers("office_a")
    assert client.get("/api/v1/debts?page=1000000", headers=h).status_code == 200
    r = client.get("/api/v1/debts?page=1000001", headers=h)
    assert r.status_code == 422 and "page" in r.json["errors"]
    page = next(p for p in _doc(client)["paths"]["/api/v1/debts"]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"]["maximum"] == 1_000_000


def test_debt_for_a_unit_out_of_scope_is_404_naming_unit_id(client, world):
    # clerk_a1 works in a.town1; a.town2 is a sibling it cannot see.
    r = client.post(
        "/api/v1/debts",
        json=debt_payload(unit_id=_id(world, "a.town2")),
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 404 and r.json["errors"]["unit_id"], r.json


def test_unknown_creditor_id_is_404_naming_the_nested_field(client, world):
    r = client.post(
        "/api/v1/debts", json=debt_payload(creditor={"id": 987654}), headers=world.headers("clerk_a1")
    )
    assert r.status_code == 404 and r.json["errors"]["creditor"]["id"], r.json


def test_tenant_parent_out_of_scope_is_404_naming_parent_id_and_no_parent_is_403(client, world):
    h = world.headers("office_a")
    body = {"code": "x9", "name": "新单位", "kind": "township"}
    r = client.post("/api/v1/tenants", json={**body, "parent_id": _id(world, "b")}, headers=h)
    assert r.status_code == 404 and "parent_id" in r.json["errors"]
    r = client.post("/api/v1/tenants", json=body, headers=h)
    assert r.status_code == 403 and "parent_id" in r.json["errors"]


@needs_plugins("accountability")
def test_accountability_unit_out_of_jurisdiction_is_404_naming_unit_id(client, world):
    r = client.post(
        "/api/v1/accountability/referrals",
        json={"unit_id": _id(world, "b.town1"), "basis": "屡次逾期"},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 404 and "unit_id" in r.json["errors"], r.json


@needs_plugins("agreements")
def test_agreement_for_a_debt_out_of_scope_is_404_naming_debt_id(client, world):
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": 987654,
            "agreed_amount": "10.00",
            "installments": [{"amount": "10.00", "due_on": "2024-01-01"}],
        },
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 404 and "debt_id" in r.json["errors"], r.json


@needs_plugins("disclosure")
def test_publishing_a_year_not_yet_over_is_409(client, world):
    r = client.post("/api/v1/disclosure/reports", json={"year": 2100}, headers=world.headers("office_a"))
    assert r.status_code == 409 and "year" in r.json["errors"], r.json
    doc = _doc(client)["paths"]["/api/v1/disclosure/reports"]["post"]
    assert "409" in doc["responses"]


@needs_plugins("finance")
def test_finance_rate_bounds_are_a_pattern(client):
    schemas = _doc(client)["components"]["schemas"]
    rate = next(
        s["properties"]["annual_rate"]
        for s in schemas.values()
        if "outcome" in s.get("properties", {}) and "annual_rate" in s.get("properties", {})
    )
    assert rate["type"] == "string" and re.fullmatch(rate["pattern"], "3.85")
    assert not re.fullmatch(rate["pattern"], "0") and not re.fullmatch(rate["pattern"], "100")


@needs_plugins("ledger")
def test_upload_route_documents_its_multipart_body(client):
    body = _doc(client)["paths"]["/api/v1/ledger/imports"]["post"]["requestBody"]
    form = body["content"]["multipart/form-data"]["schema"]
    assert body["required"] and form["required"] == ["file"]
    assert form["properties"]["file"]["format"] == "binary"


@needs_plugins("complaints")
def test_complaint_filings_document_their_body_and_answer(client):
    paths = _doc(client)["paths"]
    public = paths["/api/v1/public/complaints"]["post"]
    schema = public["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" in schema or "properties" in schema
    assert "201" in public["responses"]
    staff = paths["/api/v1/complaints"]["post"]
    assert staff["requestBody"]["required"] and "201" in staff["responses"]


def test_a_date_after_today_is_a_409_naming_the_field(client, world):
    r = client.post(
        "/api/v1/debts", json=debt_payload(delivery_date="2999-01-01"), headers=world.headers("clerk_a1")
    )
    assert r.status_code == 409 and "delivery_date" in r.json["errors"], r.json


def test_a_nul_character_is_refused_naming_the_field_on_every_database(client, world):
    # SQLite would store it and PostgreSQL fail; the document's free-text pattern excludes it.
    r = client.post(
        "/api/v1/debts", json=debt_payload(project_name="道路\x00工程"), headers=world.headers("clerk_a1")
    )
    assert r.status_code == 422 and "project_name" in r.json["errors"], r.json
    name = _doc(client)["components"]["schemas"]["DebtCreate"]["properties"]["project_name"]
    assert name["pattern"] == r"^[^\x00]*$"
