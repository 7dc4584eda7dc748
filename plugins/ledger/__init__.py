"""台账 (ledger): collect every unit's arrears ledger from real spreadsheets, by deadline, with nothing lost.

A built-in plugin on the public hooks only. Its parts, each in its own module:

- ``parsing/``: reading .xlsx/.xls/.csv as clerks really send them, row by row, into accepted, warned,
  rejected or skipped rows; the jurisdiction's template; rejected-row workbooks.
- ``imports``: upload → preview (new / changed / unchanged / rejected) → commit, as background jobs.
- ``rounds``: reporting rounds, submissions and zero reports, sign-off, locks, snapshots, concealment flags,
  roll-ups and exports upward.
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import ALL_ROLES, OFFICE, WRITERS


class LedgerPlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.ledger.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_stored_files(self):
        from core.tenancy.transfer import StoredFiles
        from plugins.ledger.imports.service import upload_root
        from plugins.ledger.rounds.export_files import root

        return [
            StoredFiles("ledger_imports", "stored_path", upload_root),
            StoredFiles("ledger_exports", "stored_path", root),
        ]

    @hookimpl
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.ledger.rounds.demo import demo_data

        return demo_data(jurisdiction, users)

    @hookimpl
    def qingqian_milestone_status(self, tenant, key, deadline, plan):
        from plugins.ledger.rounds.milestones import milestone_status

        return milestone_status(tenant, key, deadline)

    @hookimpl
    def qingqian_permissions(self):
        return {
            "ledger.read": ALL_ROLES,
            "ledger.import": WRITERS,
            "ledger.submit": WRITERS,
            "ledger.signoff": ["platform_admin", "unit_head", "soe_group_admin"],
            "ledger.rounds.manage": OFFICE,
            "ledger.flags.read": ["platform_admin", "office_admin", "leader", "auditor"],
        }

    @hookimpl
    def qingqian_job_failed(self, job, tenant):
        from plugins.ledger.imports.jobs import release_import
        from plugins.ledger.rounds.export_files import fail_export

        release_import(job)
        fail_export(job)

    @hookimpl
    def qingqian_report_sections(self, tenant, report):
        from plugins.ledger.rounds.report import sections

        return sections() if report == "progress" else []

    @hookimpl
    def qingqian_import_column_synonyms(self, plan):
        from plugins.ledger.parsing.headers import DEFAULT_SYNONYMS

        return DEFAULT_SYNONYMS


plugin = LedgerPlugin(
    "ledger",
    "清欠台账",
    "台账模板、表格导入（预览后提交）、填报轮次、零报告、负责人签认、瞒报漏报提示、汇总与上报导出",
    parts=("plugins.ledger.imports", "plugins.ledger.rounds"),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
