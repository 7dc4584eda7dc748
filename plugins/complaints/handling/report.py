"""The complaints section of the office's progress report (``qingqian_report_sections``)."""

from __future__ import annotations

import datetime as dt

from flask import render_template

from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import ReportSection
from plugins.complaints.handling.service import board


def render(node: TenantNode, as_of: dt.date) -> str:
    """Complaints about the units under ``node``: received, in progress, overdue, closed, as of the date."""
    inside = set(db.session.scalars(db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))))
    units = [u for u in board(as_of)["units"] if u["unit_id"] in inside]
    totals = {key: sum(u[key] for u in units) for key in ("received", "in_progress", "overdue", "closed")}
    return render_template("complaints/report_section.html", totals=totals, units=units)


def sections() -> list[ReportSection]:
    return [ReportSection("线索投诉办理情况", render, order=20, permission="complaints.read")]
