"""Plugins can override the due-date and late-interest rules through hooks, per enabled jurisdiction."""

import datetime as dt
from decimal import Decimal

import pytest

from core import create_app, hookimpl
from core.extensions import db
from tests.conftest import debt_payload


class FlatInterest:
    """A plugin that charges a flat 100 yuan of interest and fixes every due date."""

    PLUGIN_NAME = "sample"  # the name jurisdiction a's plan enables

    @hookimpl
    def qingqian_compute_late_interest(self, debt, payments, as_of, plan, tenant):
        return Decimal("100.00")

    @hookimpl
    def qingqian_compute_due_date(self, debt, plan, tenant):
        return dt.date(2023, 6, 30)


@pytest.fixture
def plugin_client(_app, app):
    config = dict(_app.config)
    config.pop("QINGQIAN_LOAD_ENTRY_POINTS", None)
    config["QINGQIAN_LOAD_ENTRY_POINTS"] = False
    other = create_app(config, plugins=[FlatInterest()])
    with other.app_context():
        yield other.test_client()
        db.session.remove()


def test_override_applies_only_where_enabled(plugin_client, world):
    r = plugin_client.post("/api/v1/debts", json=debt_payload(), headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    assert r.json["late_interest"] == "100.00"
    assert r.json["due_date"] == "2023-06-30"
    # Jurisdiction b does not enable the plugin: the core rules apply (30 days after delivery 2023-01-01).
    r = plugin_client.post("/api/v1/debts", json=debt_payload(), headers=world.headers("clerk_b1"))
    assert r.status_code == 201, r.json
    assert r.json["due_date"] == "2023-01-31"
    assert r.json["late_interest"] != "100.00"
