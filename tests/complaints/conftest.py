"""Fixtures for the complaints plugin: jurisdiction a with the plugin enabled, and a valid filing."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.rules.credit_code import make
from core.tenancy.scope import system_scope

CREDITOR_CODE = make("91140922MA0K7C0M1")


@pytest.fixture
def cworld(world):
    """The shared world, with "complaints" added to jurisdiction a's plan (b keeps it disabled)."""
    with system_scope():
        a = world.node("a")
        plan = dict(a.plan)
        plan["plugins"] = [*plan.get("plugins", []), "complaints"]
        a.plan = plan
        db.session.commit()
    return world


def filing(**overrides) -> dict:
    body = {
        "jurisdiction": "a",
        "creditor_name": "五台山宏达建材有限公司",
        "creditor_code": CREDITOR_CODE,
        "creditor_size": "small",
        "contact_name": "王经理",
        "contact_phone": "138 0000 5678",
        "debtor": "甲一镇政府",
        "contract_name": "游客中心建材采购合同",
        "contract_no": "HT-2023-018",
        "category": "goods",
        "amount": "85000.50",
        "description": "2023年5月交货并验收，至今未付款。",
    }
    body.update(overrides)
    return body


def nid(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id
