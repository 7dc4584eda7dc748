"""Jurisdiction a with the agreements plugin enabled and Wutaishan's 2023 deadlines."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload

DEADLINES = {"ledger_complete": "2023-08-25", "agreements_signed": "2023-08-31", "all_cleared": "2023-10-31"}


def set_agreements(world, enabled: bool = True) -> None:
    with system_scope():
        a = world.node("a")
        plugins = [p for p in a.plan["plugins"] if p != "agreements"]
        # Reassigned, not mutated: the JSON column only notices a new value.
        a.plan = {
            **a.plan,
            "plugins": [*plugins, "agreements"] if enabled else plugins,
            "deadlines": DEADLINES,
        }
        db.session.commit()


@pytest.fixture
def aw(world):
    """The world with agreements enabled in jurisdiction a."""
    set_agreements(world)
    return world


def nid(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id


def make_debt(client, world, user: str = "clerk_a1", unit: str = "a.town1", **overrides) -> dict:
    body = debt_payload(unit_id=nid(world, unit), status="confirmed", **overrides)
    r = client.post("/api/v1/debts", json=body, headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json
