"""The accountability section of the progress report (``qingqian_report_sections``)."""

from __future__ import annotations

import datetime as dt

from flask import render_template

from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import ReportSection
from plugins.accountability.bulletins.models import Bulletin
from plugins.accountability.interviews.models import Commitment
from plugins.accountability.supervision.models import Supervision


def render(node: TenantNode, as_of: dt.date) -> str:
    """Supervision items and interview commitments of the units under ``node``, and the latest bulletin."""
    inside = set(db.session.scalars(db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))))
    items = [s for s in db.session.scalars(db.select(Supervision)) if s.unit_id in inside]
    promises = [c for c in db.session.scalars(db.select(Commitment)) if c.unit_id in inside]
    latest = db.session.scalars(
        db.select(Bulletin).where(Bulletin.status == "issued").order_by(Bulletin.id.desc()).limit(1)
    ).first()
    totals = {
        "open": sum(s.status == "open" for s in items),
        "overdue": sum(s.overdue_days(as_of) > 0 for s in items),
        "closed": sum(s.status == "closed" for s in items),
        "commitments_open": sum(c.status == "open" for c in promises),
        "commitments_overdue": sum(c.overdue_days(as_of) > 0 for c in promises),
    }
    return render_template("accountability/report_section.html", totals=totals, latest=latest)


def sections() -> list[ReportSection]:
    return [ReportSection("通报督办情况", render, order=30, permission="accountability.read")]
