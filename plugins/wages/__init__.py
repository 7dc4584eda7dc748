"""农民工工资联动 (migrant-worker wage linkage): arrears that hold back wages are found, paid first, and
shared with the human-resources bureau (人社). A built-in plugin on the public hooks only.

- ``linkage``: the works projects register (dedicated wage account, labour-cost share, wage deposit), the
  人社 wage-arrears cases matched to projects and debts, wage-first payments, labour-cost payments into
  the wage account and the builder's advance of wages.
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import ALL_ROLES, OFFICE, WRITERS


class WagesPlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.wages.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_permissions(self):
        # The register and the cases are kept by the office with the 人社 bureau; units see their own
        # projects and cases and record the payments they make.
        # The 人社 bureau's liaison reads the wage linkage and nothing else of the ledger.
        return {
            "wages.read": [*ALL_ROLES, "wage_liaison"],
            "wages.manage": OFFICE,
            "wages.pay": WRITERS,
        }

    @hookimpl
    def qingqian_validate_debt(self, debt, plan, tenant):
        from plugins.wages.linkage.priority import planned_date_issues

        return planned_date_issues(debt)

    @hookimpl
    def qingqian_validate_payment(self, debt, payment_data, plan, tenant):
        from plugins.wages.linkage.cases import wage_first_issues

        return wage_first_issues(debt, payment_data)

    @hookimpl
    def qingqian_debt_paid(self, debt, payment, actor):
        from plugins.wages.linkage.cases import clear_paid_cases
        from plugins.wages.linkage.payments import note_payment

        note_payment(debt, payment)
        clear_paid_cases(debt, payment.paid_on, actor=actor)

    @hookimpl
    def qingqian_export_columns(self, plan):
        from plugins.wages.linkage.columns import columns

        return columns()

    @hookimpl
    def qingqian_debt_list_filters(self, tenant):
        from plugins.wages.linkage.debt_list import filters

        return filters()

    @hookimpl
    def qingqian_debt_badges(self, tenant, debts):
        from plugins.wages.linkage.debt_list import badges

        return badges(debts)

    @hookimpl
    def qingqian_report_sections(self, tenant, report):
        from plugins.wages.linkage.metrics import sections

        return sections() if report == "progress" else []

    @hookimpl
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.wages.linkage.demo import demo_data

        return demo_data(jurisdiction, users)


plugin = WagesPlugin(
    "wages",
    "农民工工资联动",
    "工程建设项目与农民工工资专用账户登记，导入人社欠薪案件并关联欠款，涉薪欠款优先支付工资，人工费用拨付核对与先行垫付",
    parts=("plugins.wages.linkage",),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
