"""线索投诉核查 (complaints and clues): from an SME's complaint to money paid, tracked to the end.

A built-in plugin on the public hooks only. Parts, each in its own package:

- ``intake``: the public complaint page and API (no account), tracking codes, status lookup, abuse protection,
  the Chinese working-day calendar.
- ``handling``: other channels, triage, transfer, deadlines, handling, ledger links, board, notifications.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from core.plugins import flatten, hookimpl

PLUGIN_NAME = "complaints"
PLUGIN_LABEL = "线索投诉核查"
PLUGIN_DESCRIPTION = "中小企业投诉与线索的受理、核查、转办、限期办理、反馈与跟踪，纳入台账直至清偿"

HERE = Path(__file__).resolve().parent
PARTS = ("plugins.complaints.intake", "plugins.complaints.handling")
ALL_ROLES = [
    "platform_admin",
    "office_admin",
    "unit_clerk",
    "unit_head",
    "soe_group_admin",
    "leader",
    "auditor",
]
WRITERS = ["platform_admin", "office_admin", "unit_clerk", "unit_head", "soe_group_admin"]


def _parts():
    return [importlib.import_module(name) for name in PARTS]


def _collect(attr: str) -> list:
    return flatten(getattr(part, attr, []) for part in _parts())


@hookimpl
def qingqian_register_models():
    return _collect("MODELS")


@hookimpl
def qingqian_migration_locations():
    return [str(HERE / "migrations" / "versions")]


@hookimpl
def qingqian_api_blueprints():
    return _collect("API_BLUEPRINTS")


@hookimpl
def qingqian_ui_blueprints():
    return _collect("UI_BLUEPRINTS")


@hookimpl
def qingqian_permissions():
    return {
        "complaints.read": ALL_ROLES,
        "complaints.handle": WRITERS,
        "complaints.manage": ["platform_admin", "office_admin"],
    }


@hookimpl
def qingqian_nav_items(tenant, user):
    return flatten(part.NAV(tenant, user) for part in _parts() if hasattr(part, "NAV"))


@hookimpl
def qingqian_dashboard_widgets(tenant, user):
    return flatten(part.WIDGETS(tenant, user) for part in _parts() if hasattr(part, "WIDGETS"))


@hookimpl
def qingqian_jobs():
    jobs: dict = {}
    for part in _parts():
        jobs.update(getattr(part, "JOBS", {}))
    return jobs


@hookimpl
def qingqian_schedules():
    return _collect("SCHEDULES")


@hookimpl
def qingqian_sample_objects(unit, user):
    return flatten(part.sample_objects(unit, user) for part in _parts() if hasattr(part, "sample_objects"))


@hookimpl
def qingqian_debt_status_changed(debt, old_status, new_status, actor):
    """A linked debt cleared in the ledger closes its complaint case (it stays open until then)."""
    from plugins.complaints.handling.service import on_debt_status_changed

    on_debt_status_changed(debt, new_status, actor=actor)
