"""化解 (agreements and clearance): classify, agree, pay, and drive every debt to cleared on time.

A built-in plugin on the public hooks only. Parts, each in its own package:

- ``clearance``: classification of confirmed debts, disputed-debt tracks, repayment agreements with
  installments and signed scans, payments against installments (wage-first), reversals, breach and lateness.
- ``progress``: progress against the plan's milestones, payment-practice metrics, exports (.xlsx, .docx).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from core.plugins import flatten, hookimpl

PLUGIN_NAME = "agreements"
PLUGIN_LABEL = "化解与清偿"
PLUGIN_DESCRIPTION = (
    "欠款分类、还款协议与分期、付款（农民工工资优先）、违约与逾期提醒、化解进度、付款行为指标、报表导出"
)

HERE = Path(__file__).resolve().parent
PARTS = ("plugins.agreements.clearance", "plugins.agreements.progress")
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
        "agreements.read": ALL_ROLES,
        "agreements.write": WRITERS,
        "agreements.progress.read": ALL_ROLES,
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
def qingqian_validate_payment(debt, payment_data, plan, tenant):
    # Wage-first (seed 二（三）): migrant-worker wages inside a debt are paid before the rest of it.
    from plugins.agreements.clearance.service import wage_first

    return wage_first(debt, payment_data)


@hookimpl
def qingqian_sample_objects(unit, user):
    return flatten(part.sample_objects(unit, user) for part in _parts() if hasattr(part, "sample_objects"))
