"""Isolation of the finance plugin: every table has sample objects, the central route-enumerating proofs
narrowed to its routes, and the public routes never cross jurisdictions — a tracking code, a verification
code or a letter of jurisdiction a answers nothing when asked through jurisdiction b (finance enabled)."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.plugins import flatten
from core.tenancy.plans import deep_merge
from core.tenancy.scope import system_scope
from plugins.finance import plugin
from tests import test_isolation_routes as central
from tests.finance.conftest import DEBTOR_CODE, file_request, item_id

ALL_OBJECT_RULES = central.object_rules


@pytest.fixture
def victim(app, client, world):
    return central.create_victim_data(app, client, world)


def _only_finance(app):
    rules = [r for r in ALL_OBJECT_RULES(app) if "/finance" in r.rule]
    assert rules
    return rules


def test_finance_routes_answer_404_to_other_tenants(app, client, world, victim, monkeypatch):
    monkeypatch.setattr(central, "object_rules", _only_finance)
    central.test_object_routes_answer_404_to_other_tenants(app, client, world, victim)


def test_owner_reaches_finance_objects(app, client, world, victim, monkeypatch):
    monkeypatch.setattr(central, "object_rules", _only_finance)
    central.test_owner_reaches_the_same_objects(app, client, world, victim)


def test_every_finance_table_has_samples(app, world):
    tables = {m.__tablename__ for m in flatten([plugin.qingqian_register_models()])}
    assert tables == {
        "finance_confirmations",
        "finance_confirmation_steps",
        "finance_confirmation_attachments",
        "finance_referrals",
    }
    with system_scope():
        unit = world.node("a.town1")
        samples = flatten(plugin.qingqian_sample_objects(unit=unit, user=world.users["clerk_a1"]))
        assert {type(o).__tablename__ for o in samples} == tables
        db.session.rollback()


def enable_finance_in_b(world) -> None:
    with system_scope():
        node = world.node("b")
        node.plan = deep_merge(node.plan, {"plugins": ["finance"]})
        db.session.commit()


def test_public_routes_stay_in_their_jurisdiction(client, world):
    enable_finance_in_b(world)
    code = file_request(client)
    cid = item_id(client, world, code)
    r = client.post(
        f"/api/v1/finance/confirmations/{cid}/answer",
        json={"outcome": "confirmed", "payment_due_date": "2026-06-30", "debtor_code": DEBTOR_CODE},
        headers=world.headers("clerk_a1"),
    )
    verification = r.json["verification_code"]
    lookup = {"tracking_code": code, "phone_last4": "5678"}
    own = client.post("/api/v1/public/finance/confirmations/status", json={**lookup, "jurisdiction": "a"})
    assert own.status_code == 200
    for url in (
        "/api/v1/public/finance/confirmations/status",
        "/api/v1/public/finance/confirmations/letter.docx",
        "/api/v1/public/finance/confirmations/consent",
    ):
        r = client.post(url, json={**lookup, "jurisdiction": "b", "given": True})
        assert r.status_code == 404, url
    verify = client.post(
        "/api/v1/public/finance/verify", json={"jurisdiction": "b", "verification_code": verification}
    )
    assert verify.status_code == 200 and verify.json == {"genuine": False}
    b_units = client.get("/api/v1/public/b/finance/debtors").json
    assert [u["code"] for u in b_units] == ["b.town1"]
    # A request filed in b cannot name a's unit as debtor.
    r = client.post(
        "/api/v1/public/finance/confirmations",
        json=_body(jurisdiction="b", debtor_unit="a.town1"),
    )
    assert r.status_code == 422 and "debtor_unit" in r.json["errors"]
    # b's office sees none of a's requests or referrals.
    assert client.get("/api/v1/finance/confirmations", headers=world.headers("office_b")).json == []
    assert client.get("/api/v1/finance/referrals", headers=world.headers("office_b")).json == []


def _body(**overrides) -> dict:
    from tests.finance.conftest import request_body

    return request_body(**overrides)
