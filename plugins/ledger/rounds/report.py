"""The ledger section of the office's progress report (``qingqian_report_sections``): the open round."""

from __future__ import annotations

import datetime as dt

from flask import render_template

from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import ReportSection
from plugins.ledger.rounds import service
from plugins.ledger.rounds.models import LedgerRound, RoundStatus


def render(node: TenantNode, as_of: dt.date) -> str:
    """How the units under ``node`` stand in the newest open reporting round, as of the date."""
    rnd = db.session.scalar(
        db.select(LedgerRound)
        .where(LedgerRound.status == RoundStatus.OPEN)
        .order_by(LedgerRound.as_of.desc(), LedgerRound.id.desc())
        .limit(1)
    )
    rows = []
    if rnd is not None:
        rows = [r for r in service.board(rnd, as_of).rows if r.unit.path.startswith(node.path)]
    counts = {
        "units": len(rows),
        "signed": sum(1 for r in rows if r.state == "signed"),
        "awaiting": sum(1 for r in rows if r.state == "submitted"),
        "missing": sum(1 for r in rows if r.state == "missing"),
        "overdue": sum(1 for r in rows if r.overdue),
    }
    missing = [r.unit.name for r in rows if r.state == "missing"]
    return render_template("ledger/report_section.html", rnd=rnd, counts=counts, missing=missing)


def sections() -> list[ReportSection]:
    return [ReportSection("台账报送情况", render, order=10, permission="ledger.read")]
