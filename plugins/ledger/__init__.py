"""台账 (ledger): collect every unit's arrears ledger from real spreadsheets, by deadline, with nothing lost.

A built-in plugin on the public hooks only. Its parts, each in its own module:

- ``parsing/``: reading .xlsx/.xls/.csv as clerks really send them, row by row, into accepted, warned,
  rejected or skipped rows; the jurisdiction's template; rejected-row workbooks.
- ``imports``: upload → preview (new / changed / unchanged / rejected) → commit, as background jobs.
- ``rounds``: reporting rounds, submissions and zero reports, sign-off, locks, snapshots, concealment flags,
  roll-ups and exports upward.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from core.plugins import flatten, hookimpl

PLUGIN_NAME = "ledger"
PLUGIN_LABEL = "清欠台账"
PLUGIN_DESCRIPTION = (
    "台账模板、表格导入（预览后提交）、填报轮次、零报告、负责人签认、瞒报漏报提示、汇总与上报导出"
)

HERE = Path(__file__).resolve().parent
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
OFFICE = ["platform_admin", "office_admin"]

# The plugin's feature modules. Each may define: MODELS, API_BLUEPRINTS, UI_BLUEPRINTS, JOBS, SCHEDULES,
# NAV (callable (tenant, user) -> list), WIDGETS (callable), sample_objects(unit, user).
PARTS = ("plugins.ledger.imports", "plugins.ledger.rounds")


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
        "ledger.read": ALL_ROLES,
        "ledger.import": WRITERS,
        "ledger.submit": ["platform_admin", "office_admin", "unit_clerk", "unit_head", "soe_group_admin"],
        "ledger.signoff": ["platform_admin", "unit_head", "soe_group_admin"],
        "ledger.rounds.manage": OFFICE,
        "ledger.flags.read": ["platform_admin", "office_admin", "leader", "auditor"],
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
def qingqian_import_column_synonyms(plan):
    from plugins.ledger.parsing.headers import DEFAULT_SYNONYMS

    return DEFAULT_SYNONYMS


@hookimpl
def qingqian_sample_objects(unit, user):
    return flatten(part.sample_objects(unit, user) for part in _parts() if hasattr(part, "sample_objects"))
