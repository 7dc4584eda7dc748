"""源头治理 (prevention): stop new arrears before the contract is signed (seed task 6).

A built-in plugin on the public hooks only. Parts, each in its own package:

- ``projects``: government-investment projects with approval and funding sources; starting one without
  approval or with funds not secured is refused unless overridden with a reason (《政府投资条例》第二十条、
  第二十二条), and overrides are listed.
- ``reviews``: contract review before signing against 《保障中小企业款项支付条例》 Arts. 8–14, findings with
  their article and a suggested wording, answers, signing, the review opinion (.docx).
- ``deposits``: the deposits register (Art. 13) with refunds and reminders before the return date; a
  deposit not returned on time becomes an arrears debt (category deposit) by the nightly job.
- ``budget``: 还款纳入预算, the budget line and amount for paying a debt (and its agreement's installments);
  debts and agreement installments due this year without one, for the office and the finance bureau (role
  ``measures_reader`` reads the page, the API and the Excel list); an agreement signed without its
  installments in the budget is flagged on the debt and to the unit; the unit's to-do list counts them.
- ``watch``: 新增拖欠, arrears due after the plan's baseline date, traced to their contract review.
- ``metrics``: the figures, the dashboard widget and the progress-report section.

Plan keys (``prevention:`` in plan.yaml, read with defaults in ``reviews/rules.plan_settings``):
``deposit_kinds`` (allowed kinds), ``deposit_caps`` (percent of the contract amount per kind),
``deposit_reminder_days`` (default 30, 7, 1), ``new_arrears_from`` (default: the ``ledger_complete``
deadline).
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import ALL_ROLES, WRITERS


class PreventionPlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.prevention.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_permissions(self):
        return {
            "prevention.read": ALL_ROLES,
            "prevention.write": WRITERS,
            # 还款纳入预算 is listed "for the office and the finance bureau": the bureau's read-only role
            # (measures_reader) sees the budget page and nothing else of prevention.
            "prevention.budget.read": [*ALL_ROLES, "measures_reader"],
        }

    @hookimpl
    def qingqian_report_sections(self, tenant, report):
        from plugins.prevention.metrics.views import sections

        return sections() if report == "progress" else []

    @hookimpl
    def qingqian_debt_paid(self, debt, payment, actor):
        from plugins.prevention.deposits.conversion import debt_paid

        debt_paid(debt, payment, actor)

    @hookimpl
    def qingqian_debt_created(self, debt, actor):
        from plugins.prevention.reviews.trace import debt_created

        debt_created(debt, actor)

    @hookimpl
    def qingqian_debt_status_changed(self, debt, old_status, new_status, actor):
        from plugins.prevention.budget.flags import debt_status_changed

        debt_status_changed(debt, old_status, new_status, actor)

    @hookimpl
    def qingqian_export_columns(self, plan):
        from plugins.prevention.reviews.trace import EXPORT_COLUMNS

        return EXPORT_COLUMNS

    @hookimpl
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.prevention.demo import demo_data

        return demo_data(jurisdiction, users)

    @hookimpl
    def qingqian_sample_objects(self, unit, user):
        from plugins.prevention.samples import sample_objects

        return sample_objects(unit, user)


plugin = PreventionPlugin(
    "prevention",
    "源头治理",
    "政府投资项目资金落实与开工审查、合同签订前审查（付款期限、背靠背、审计条件、承兑汇票、保证金、垫资）、保证金台账与到期退还提醒",
    parts=(
        "plugins.prevention.projects",
        "plugins.prevention.reviews",
        "plugins.prevention.deposits",
        "plugins.prevention.budget",
        "plugins.prevention.watch",
        "plugins.prevention.metrics",
        "plugins.prevention.exports",
    ),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
