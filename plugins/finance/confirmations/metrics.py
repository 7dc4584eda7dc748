"""Figures of the confirmations and referrals: the dashboard widget, the progress-report section, the API.

Counted under the reader's scope; a request counts as answered on time when answered by its deadline.
The late ranking (units that answer late or not at all) is what the accountability work reads.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import render_template

from core import clock
from core.auth.context import current_principal
from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import ReportSection, Widget
from plugins.finance.confirmations.models import Confirmation, Referral, ReferralStatus, Status

CONFIRMED = (Status.CONFIRMED, Status.PARTIAL)


def figures(as_of: dt.date, node: TenantNode | None = None) -> dict[str, Any]:
    requests = db.select(Confirmation).where(Confirmation.requested_on <= as_of)
    referrals = db.select(Referral).where(
        Referral.status == ReferralStatus.FINANCED, Referral.financed_on <= as_of
    )
    if node is not None:
        inside = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))
        requests = requests.where(Confirmation.unit_id.in_(inside))
        referrals = referrals.where(Referral.unit_id.in_(inside))
    rows = list(db.session.scalars(requests))
    answered = [r for r in rows if r.answered_on is not None and r.answered_on <= as_of]
    confirmed = [r for r in answered if r.status in CONFIRMED]
    overdue = [r for r in rows if r not in answered and as_of > r.due_on]
    days = [(r.answered_on - r.requested_on).days for r in confirmed]
    financed = list(db.session.scalars(referrals))
    late: dict[int, dict] = {}
    for r in rows:
        is_late = (r in answered and r.answered_on > r.due_on) or r in overdue
        if is_late:
            entry = late.setdefault(r.unit_id, {"unit_id": r.unit_id, "late": 0, "overdue": 0})
            entry["late"] += 1
            entry["overdue"] += r in overdue
    names = {n.id: n.name for n in db.session.scalars(db.select(TenantNode).where(TenantNode.id.in_(late)))}
    ranking = sorted(late.values(), key=lambda e: (-e["late"], -e["overdue"], names.get(e["unit_id"], "")))
    for entry in ranking:
        entry["unit_name"] = names.get(entry["unit_id"], "")
    return {
        "as_of": as_of.isoformat(),
        "requests": len(rows),
        "answered": len(answered),
        "answered_on_time": sum(r.answered_on <= r.due_on for r in answered),
        "overdue": len(overdue),
        "confirmed": len(confirmed),
        "confirmed_amount": str(sum((r.confirmed_amount for r in confirmed), Decimal("0.00"))),
        "average_days_to_confirm": round(sum(days) / len(days), 1) if days else None,
        "financed_count": len(financed),
        "financed_amount": str(sum((f.financed_amount for f in financed), Decimal("0.00"))),
        "smes_served": len({r.creditor_code for r in confirmed}),
        "late_units": ranking,
    }


def _widget_html() -> str:
    principal = current_principal()
    today = clock.today(principal.jurisdiction if principal else None)
    return render_template("finance/figures.html", f=figures(today), compact=True)


def WIDGETS(tenant, user) -> list[Widget]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        Widget(title="应收账款确权与融资", html=_widget_html, order=45, permission="finance.referrals.read")
    ]


def render_section(node: TenantNode, as_of: dt.date) -> str:
    return render_template("finance/figures.html", f=figures(as_of, node), compact=False)


def sections() -> list[ReportSection]:
    return [
        ReportSection("应收账款确权与融资推介", render_section, order=30, permission="finance.referrals.read")
    ]
