"""The dashboard widget and the progress-report section, both from the same figures."""

from __future__ import annotations

import datetime as dt

from flask import g, render_template

from core import clock
from core.tenancy.models import TenantNode
from core.web.nav import ReportSection, Widget
from plugins.prevention.metrics.compute import metrics
from plugins.prevention.watch.service import since_for


def _widget_html() -> str:
    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    since = since_for(jurisdiction, today) if jurisdiction is not None else None
    return render_template("prevention/metrics.html", m=metrics(None, today, since))


def _section(node: TenantNode, as_of: dt.date) -> str:
    jurisdiction = g.principal.jurisdiction
    since = since_for(jurisdiction, as_of) if jurisdiction is not None else None
    return render_template("prevention/metrics.html", m=metrics(node, as_of, since))


def WIDGETS(tenant, user) -> list[Widget]:  # noqa: N802 - the plugin skeleton collects this name
    return [Widget("源头治理", html=_widget_html, order=60, permission="prevention.read")]


def sections() -> list[ReportSection]:
    return [ReportSection("源头治理情况", _section, order=40, permission="prevention.read")]
