"""The disclosure plugin's plan milestone: the previous year's report published by the deadline's date."""

from __future__ import annotations

import datetime as dt

from core.services.milestones import MilestoneStatus
from plugins.disclosure.annual.service import report_of


def milestone_status(tenant, key: str, deadline: dt.date) -> MilestoneStatus | None:
    if key != "disclosure":
        return None
    year = deadline.year - 1
    report = report_of(tenant, year)
    if report is None:
        return MilestoneStatus(False, f"{year}年度信息尚未公开")
    return MilestoneStatus(True, f"{year}年度信息已公开")
