"""供应链金融推介 (supply-chain finance referral): turn a confirmed receivable into cash for the SME.

An SME asks a debtor unit to confirm what it owes (应收账款确权); the unit must answer within 30 days of the
request (条例第十六条) and may not refuse for a reason the 条例 bans (第十四条). A confirmed receivable is the
basis on which banks and the receivables financing platform lend against it. A built-in plugin on the
public hooks only.

- ``confirmations``: the public request page and API (tracking codes, attachments checked like a
  complaint's), the office's channel, the debtor's answer, the 30-day clock with reminders, escalation and
  to-do items, the office and unit pages.
- ``confirmations.ledger``: the request's ledger debt (linked, or created on confirmation), factoring
  naming the assignee as creditor of record, bills and e-vouchers the contract did not provide for flagged.
- ``referrals``: with the SME's consent (given, revocable), a confirmed receivable referred to a bank or the
  financing platform listed in the plan, the outcome recorded, the export the partners read.
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import ALL_ROLES, OFFICE, WRITERS

JURISDICTION_WIDE = ["platform_admin", "office_admin", "leader", "auditor"]


class FinancePlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.finance.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_permissions(self):
        # A debtor unit sees and answers the requests addressed to its subtree; the office records requests
        # that reach it on paper and follows every one.
        # Referrals are the SME's and the office's business with banks: jurisdiction-wide roles only.
        return {
            "finance.read": ALL_ROLES,
            "finance.answer": WRITERS,
            "finance.manage": OFFICE,
            "finance.refer": OFFICE,
            "finance.referrals.read": JURISDICTION_WIDE,
        }

    @hookimpl
    def qingqian_report_sections(self, tenant, report):
        from plugins.finance.confirmations.metrics import sections

        return sections() if report == "progress" else []

    @hookimpl
    def qingqian_debt_paid(self, debt, payment, actor):
        from plugins.finance.confirmations.ledger import debt_paid

        debt_paid(debt, payment, actor)

    @hookimpl
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.finance.confirmations.demo import demo_data

        return demo_data(jurisdiction, users)


plugin = FinancePlugin(
    "finance",
    "供应链金融推介",
    "应收账款确权：中小企业申请、欠款单位30日内确认或说明理由，逾期提醒督办，为应收账款融资提供依据",
    parts=("plugins.finance.confirmations", "plugins.finance.referrals"),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
