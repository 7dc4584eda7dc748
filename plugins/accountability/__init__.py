"""问责 (accountability): how the office drives units that fall behind (工作方案 任务五、保障措施（三）).

- ``bulletins``: 通报 — the office generates a bulletin for a period from live data (ranking of units by
  clearance ratio and progress against the plan's milestones, overdue installments, complaints past their
  deadline, ledger rounds reported late or not at all, confirmed concealment), edits the narrative around the
  tables, and issues it under the next number of the year (``台清欠办通报〔2023〕3号``). An issued bulletin is
  an immutable snapshot; a correction is a new bulletin that cites the old. Units it is sent to read it in
  the app and acknowledge it (已阅); the office sees who has not.
- ``supervision``: 挂牌督办 — units, debts or complaints listed with a deadline; candidates proposed from
  the plan's thresholds; the unit reports progress with attachments; the office closes an item only with
  evidence (payment, signed agreement, complaint result) or extends it with a reason; overdue items are
  escalated to the leaders and the unit, and listed in the next bulletin.
- ``interviews``: 专项约谈 — scheduled with a unit's head; minutes and commitments (owner, deadline),
  tracked until done and escalated like supervision items when overdue.
- ``measures``: 限制措施 — measures applied to units and SOEs (type from the plan's list, decision, start,
  lifting condition or date), a register the finance bureau reads (role ``measures_reader``), lifting
  logged, a prompt to lift once the unit's arrears are cleared.
- ``assessment``: 考核 — the plan's scorecard (indicators, weights, formulas over ledger timeliness,
  clearance vs milestones, agreements, complaints, concealment, disclosure, supervision) per unit, explained
  item by item; SOE groups assess their subsidiaries; .xlsx; frozen at the period end.
- ``findings``: 瞒报认定 — the office confirms or dismisses each concealment flag the ledger raised (the
  ledger only knows 待核实/已处理); bulletins, assessments and referrals count confirmed findings only.
- ``referrals``: 问责移送 — built from the unit's confirmed findings (or repeated failures): a package for
  discipline inspection (.docx summary + .zip of ledger snapshots, the confirmed flags with their diffs,
  history events, the supervision timeline), the hand-over and the outcome.
- ``cases``: 典型案例 — drafted with the creditor anonymised (names and codes of the unit's creditors are
  refused), approved, published on the jurisdiction's public page; SOEs and large enterprises proposed for
  失信 referral with a decision record.

A built-in plugin on the public hooks only. Figures of other plugins (agreements, complaints, ledger
rounds) are read through their mapped tables when those plugins are installed, never by importing them.
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import ALL_ROLES, OFFICE

UNIT_ROLES = ["unit_clerk", "unit_head", "soe_group_admin"]
JURISDICTION_WIDE = ["platform_admin", "office_admin", "leader", "auditor"]


class AccountabilityPlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.accountability.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_stored_files(self):
        from core.tenancy.transfer import StoredFiles
        from plugins.accountability.supervision.files import root

        return [StoredFiles("accountability_supervision_steps", "file_path", root)]

    @hookimpl
    def qingqian_permissions(self):
        # Everyone reads what concerns their subtree (a unit sees the bulletins sent to it); the office
        # drafts and issues; units acknowledge.
        return {
            "accountability.read": ALL_ROLES,
            "accountability.manage": OFFICE,
            "accountability.acknowledge": UNIT_ROLES,
            "accountability.supervise": OFFICE,
            "accountability.report": [*OFFICE, *UNIT_ROLES],
            # The register of measures: the finance bureau's read-only role sees this and nothing else.
            "accountability.measures.read": [*ALL_ROLES, "measures_reader"],
            "accountability.measures.manage": OFFICE,
            # SOE groups assess their subsidiaries the same way (internal performance assessment).
            "accountability.assessment.read": [*JURISDICTION_WIDE, "soe_group_admin"],
            "accountability.assessment.snapshot": [*OFFICE, "soe_group_admin"],
            # Findings on the ledger's concealment flags: only confirmed ones count anywhere.
            "accountability.flags.read": JURISDICTION_WIDE,
            "accountability.flags.confirm": OFFICE,
            # Referral packages hold evidence for discipline inspection: jurisdiction-wide readers only.
            "accountability.referral.read": JURISDICTION_WIDE,
            "accountability.referral.manage": OFFICE,
            "accountability.cases.read": JURISDICTION_WIDE,
            "accountability.cases.manage": OFFICE,
        }

    @hookimpl
    def qingqian_report_sections(self, tenant, report):
        from plugins.accountability.supervision.report import sections

        return sections() if report == "progress" else []

    # Last, so the demo bulletin reports the rounds, complaints and agreements the other plugins add.
    @hookimpl(trylast=True)
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.accountability.bulletins.demo import demo_data

        return demo_data(jurisdiction, users)


plugin = AccountabilityPlugin(
    "accountability",
    "通报问责",
    "定期通报清欠进度：按实时数据生成通报（清偿率排名、进度目标差距、分期逾期、投诉超期、台账迟报漏报、瞒报疑点），"
    "编号印发、各单位已阅确认；挂牌督办、限期办结、逾期升级提醒；专项约谈及承诺事项跟踪；限制措施登记；考核评分；问责移送；典型案例曝光、失信惩戒移送",
    parts=(
        "plugins.accountability.bulletins",
        "plugins.accountability.supervision",
        "plugins.accountability.interviews",
        "plugins.accountability.measures",
        "plugins.accountability.assessment",
        "plugins.accountability.findings",
        "plugins.accountability.referrals",
        "plugins.accountability.cases",
    ),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
