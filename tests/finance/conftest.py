"""Fixtures for the finance plugin: jurisdiction a has it enabled (tests/conftest.py), b does not."""

from __future__ import annotations

import pytest

from core.rules.credit_code import make
from core.tenancy.scope import system_scope

CREDITOR_CODE = make("91140922MA0K7C0M1")
DEBTOR_CODE = make("11140922MB0K7C0M1")


def request_body(**overrides) -> dict:
    body = {
        "jurisdiction": "a",
        "creditor_name": "五台山宏达建材有限公司",
        "creditor_code": CREDITOR_CODE,
        "contact_name": "王经理",
        "contact_phone": "138 0000 5678",
        "debtor_unit": "a.town1",
        "contract_no": "HT-2026-018",
        "contract_name": "游客中心建材采购合同",
        "invoice_numbers": "14002300000012345678",
        "amount": "12.5万",
    }
    body.update(overrides)
    return body


def nid(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id


@pytest.fixture
def on_day(app):
    """Pin the business clock at 10:00 Beijing time of a date (``on_day("2026-03-02")``)."""
    before = app.config.get("CLOCK_NOW")

    def pin(day: str) -> None:
        app.config["CLOCK_NOW"] = f"{day}T02:00:00+00:00"

    yield pin
    app.config["CLOCK_NOW"] = before


def file_request(client, **overrides) -> str:
    r = client.post("/api/v1/public/finance/confirmations", json=request_body(**overrides))
    assert r.status_code == 201, r.json
    return r.json["tracking_code"]


def item_id(client, world, code: str) -> int:
    r = client.get("/api/v1/finance/confirmations", headers=world.headers("office_a"))
    assert r.status_code == 200, r.json
    return next(row["id"] for row in r.json if row["tracking_code"] == code)
