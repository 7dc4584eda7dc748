"""The central route-enumerating isolation proofs, run with agreements enabled in jurisdiction a.

The shared ``world`` does not enable this plugin, so there the gate answers 404 before any lookup; here the
same proofs reach the plugin's object lookups (and the owner must read every object).
"""

from __future__ import annotations

import pytest

from tests import test_isolation_routes as central
from tests.agreements.conftest import set_agreements


@pytest.fixture
def victim(app, client, world):
    set_agreements(world)
    return central.create_victim_data(app, client, world)


ALL_OBJECT_RULES = central.object_rules


def _only_agreements(app):
    rules = [r for r in ALL_OBJECT_RULES(app) if "agreements" in r.rule]
    assert rules
    return rules


def test_agreement_routes_answer_404_to_other_tenants(app, client, world, victim, monkeypatch):
    monkeypatch.setattr(central, "object_rules", _only_agreements)
    central.test_object_routes_answer_404_to_other_tenants(app, client, world, victim)


def test_owner_reaches_agreement_objects(app, client, world, victim, monkeypatch):
    monkeypatch.setattr(central, "object_rules", _only_agreements)
    central.test_owner_reaches_the_same_objects(app, client, world, victim)


def test_agreement_lists_show_nothing_of_other_tenants(app, client, world, victim):
    central.test_list_routes_show_nothing_of_other_tenants(app, client, world, victim)


def test_every_agreements_model_has_samples(app, victim):
    central.test_every_routed_model_has_sample_objects(app, victim)
