"""A plugin that breaks the contract on purpose (tests/test_plugin_contract.py runs the kit on it).

Its migration forgets ``enable_tenant_rls``; its key to a debt forgets the jurisdiction; its item route
reads past the tenant filter; its list route hands every jurisdiction's notes out; its amount is a float
on the wire; its own error is English.
Never installed: the kit registers it with ``--qingqian-contract-module=qingqian_broken``.
"""

from __future__ import annotations

from pathlib import Path

from core.plugins import hookimpl

PLUGIN_NAME = "broken"
PLUGIN_LABEL = "反例插件"


@hookimpl
def qingqian_register_models():
    from qingqian_broken.app import BrokenNote

    return [BrokenNote]


@hookimpl
def qingqian_migration_locations():
    return [str(Path(__file__).resolve().parent / "migrations")]


@hookimpl
def qingqian_api_blueprints():
    from qingqian_broken.app import blp

    return [blp]


@hookimpl
def qingqian_permissions():
    return {"broken.read": ["platform_admin", "office_admin", "unit_clerk"]}


@hookimpl
def qingqian_sample_objects(unit, user):
    from core.extensions import db
    from qingqian_broken.app import BrokenNote

    note = BrokenNote(jurisdiction_id=unit.jurisdiction_id, unit_id=unit.id, text="反例插件的隔离标记备注")
    db.session.add(note)
    return [note]
