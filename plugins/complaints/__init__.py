"""线索投诉核查 (complaints and clues): from an SME's complaint to money paid, tracked to the end.

A built-in plugin on the public hooks only. Parts, each in its own package:

- ``intake``: the public complaint page and API (no account), tracking codes, status lookup, abuse protection,
  the Chinese working-day calendar.
- ``handling``: other channels, triage, transfer, deadlines, handling, ledger links, board, notifications.
"""

from __future__ import annotations

from pathlib import Path

from core.plugin_parts import PartsPlugin
from core.plugins import hookimpl
from plugins.roles import ALL_ROLES, OFFICE, WRITERS


class ComplaintsPlugin(PartsPlugin):
    @hookimpl
    def qingqian_plan_keys(self):
        from plugins.complaints.plan_keys import PLAN_KEYS

        return PLAN_KEYS

    @hookimpl
    def qingqian_demo_data(self, jurisdiction, users):
        from plugins.complaints.handling.demo import demo_data

        return demo_data(jurisdiction, users)

    @hookimpl
    def qingqian_permissions(self):
        return {"complaints.read": ALL_ROLES, "complaints.handle": WRITERS, "complaints.manage": OFFICE}

    @hookimpl
    def qingqian_report_sections(self, tenant, report):
        from plugins.complaints.handling.report import sections

        return sections() if report == "progress" else []

    @hookimpl
    def qingqian_debt_status_changed(self, debt, old_status, new_status, actor):
        """A linked debt cleared in the ledger closes its complaint case (it stays open until then)."""
        from plugins.complaints.handling.service import on_debt_status_changed

        on_debt_status_changed(debt, new_status, actor=actor)


plugin = ComplaintsPlugin(
    "complaints",
    "线索投诉核查",
    "中小企业投诉与线索的受理、核查、转办、限期办理、反馈与跟踪，纳入台账直至清偿",
    parts=("plugins.complaints.intake", "plugins.complaints.handling"),
    migrations=Path(__file__).resolve().parent / "migrations" / "versions",
)
