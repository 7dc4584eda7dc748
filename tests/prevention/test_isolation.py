"""The central route-enumerating isolation proofs, narrowed to the prevention plugin's routes and tables.

Every prevention table has sample objects (``plugins/prevention/samples.py``); another jurisdiction's clerk
and a sibling unit's clerk get 404 on every object route and see nothing in every list.
"""

from __future__ import annotations

import pytest

from core.plugins import flatten
from core.tenancy.scope import system_scope
from plugins.prevention import plugin
from tests import test_isolation_routes as central


@pytest.fixture
def victim(app, client, world):
    return central.create_victim_data(app, client, world)


ALL_OBJECT_RULES = central.object_rules


def _only_prevention(app):
    rules = [r for r in ALL_OBJECT_RULES(app) if r.rule.startswith(("/api/v1/prevention", "/prevention"))]
    assert rules
    return rules


def test_prevention_routes_answer_404_to_other_tenants(app, client, world, victim, monkeypatch):
    monkeypatch.setattr(central, "object_rules", _only_prevention)
    central.test_object_routes_answer_404_to_other_tenants(app, client, world, victim)


def test_owner_reaches_prevention_objects(app, client, world, victim, monkeypatch):
    monkeypatch.setattr(central, "object_rules", _only_prevention)
    central.test_owner_reaches_the_same_objects(app, client, world, victim)


def test_lists_show_nothing_of_other_tenants(app, client, world, victim):
    central.test_list_routes_show_nothing_of_other_tenants(app, client, world, victim)


def test_every_prevention_table_has_samples_and_is_tenant_owned(app, world):
    models = flatten([plugin.qingqian_register_models()])
    tables = {m.__tablename__ for m in models}
    assert tables == {
        "prevention_projects",
        "prevention_funding_sources",
        "prevention_reviews",
        "prevention_review_decisions",
        "prevention_review_documents",
        "prevention_deposits",
        "prevention_budget_arrangements",
    }
    with system_scope():
        unit = world.node("a.town1")
        samples = plugin.qingqian_sample_objects(unit=unit, user=world.users["clerk_a1"])
        assert {type(o).__tablename__ for o in samples} == tables - {"prevention_funding_sources"}
        assert all(hasattr(m, "jurisdiction_id") and hasattr(m, "unit_id") for m in models)
        from core.extensions import db

        db.session.rollback()
