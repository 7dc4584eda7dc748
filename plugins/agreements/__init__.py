"""化解 (agreements and clearance): classify, agree, pay, and drive every debt to cleared on time.

A built-in plugin on the public hooks only. Parts, each in its own package:

- ``clearance``: classification of confirmed debts, disputed-debt tracks, repayment agreements with
  installments and signed scans, payments against installments (wage-first), reversals, breach and lateness.
- ``progress``: progress against the plan's milestones, payment-practice metrics, exports (.xlsx, .docx).
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import ALL_ROLES, WRITERS


class AgreementsPlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.agreements.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.agreements.clearance.demo import demo_data

        return demo_data(jurisdiction, users)

    @hookimpl
    def qingqian_milestone_status(self, tenant, key, deadline, plan):
        from plugins.agreements.progress.milestones import milestone_status

        return milestone_status(tenant, key, deadline)

    @hookimpl
    def qingqian_permissions(self):
        return {
            "agreements.read": ALL_ROLES,
            "agreements.write": WRITERS,
            "agreements.progress.read": ALL_ROLES,
        }

    @hookimpl
    def qingqian_validate_payment(self, debt, payment_data, plan, tenant):
        # Wage-first (seed 二（三）): migrant-worker wages inside a debt are paid before the rest of it.
        from plugins.agreements.clearance.service import wage_first

        return wage_first(debt, payment_data)

    @hookimpl
    def qingqian_stored_files(self):
        from core.tenancy.transfer import StoredFiles
        from plugins.agreements.clearance.scans import root

        return [StoredFiles("agreements_agreements", "scan_path", root)]

    @hookimpl
    def qingqian_export_columns(self, plan):
        from plugins.agreements.clearance.columns import export_columns

        return export_columns()


plugin = AgreementsPlugin(
    "agreements",
    "化解与清偿",
    "欠款分类、还款协议与分期、付款（农民工工资优先）、违约与逾期提醒、化解进度、付款行为指标、报表导出",
    parts=("plugins.agreements.clearance", "plugins.agreements.progress"),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
