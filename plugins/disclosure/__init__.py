"""信息公开 (disclosure): the annual disclosure of arrears overdue at year-end (条例第十八条).

Agencies and public institutions publish, by 31 March, how many contracts with SMEs were overdue and
unpaid at the end of the year before and for how much; large enterprises (the SOEs) put the same in
their annual report. The office reviews the figures the ledger gives, publishes them as a fixed snapshot,
and the public page shows what was published. A built-in plugin on the public hooks only.

- ``annual``: the year-end figures, the published reports, the office page and the public page.
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import OFFICE

JURISDICTION_WIDE = ["platform_admin", "office_admin", "leader", "auditor"]


class DisclosurePlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.disclosure.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_milestone_status(self, tenant, key, deadline, plan):
        from plugins.disclosure.annual.milestones import milestone_status

        return milestone_status(tenant, key, deadline)

    @hookimpl
    def qingqian_permissions(self):
        # The report covers every unit of the jurisdiction, so it is for jurisdiction-wide roles; a unit
        # sees exactly its own subtree (and, like anyone, the public page once published).
        return {"disclosure.read": JURISDICTION_WIDE, "disclosure.publish": OFFICE}

    @hookimpl
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.disclosure.annual.demo import demo_data

        return demo_data(jurisdiction, users)


plugin = DisclosurePlugin(
    "disclosure",
    "信息公开",
    "逾期未支付中小企业账款年度信息公开：按年末统计各机关、事业单位逾期未付合同数和金额，审核发布并在公开页面展示",
    parts=("plugins.disclosure.annual",),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
