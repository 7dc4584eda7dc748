"""Pages of the progress part: the progress board with its burn-down chart, navigation and the widget."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from flask import Blueprint, abort, g, render_template, request
from markupsafe import Markup

from core import clock
from core.auth.permissions import permission
from core.tenancy.models import TenantNode
from core.web.nav import NavItem, Widget
from core.web.views import get_visible_or_404
from plugins.agreements.progress import compute, metrics
from plugins.agreements.progress.api import jsonable

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent.parent
bp = Blueprint(
    "agreements_progress_ui",
    __name__,
    url_prefix="/agreements/progress",
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/static",
)


def home_node() -> TenantNode | None:
    principal = g.principal
    for _role, node in principal.role_nodes:
        if node is not None:
            return node
    return principal.jurisdiction


def _as_of() -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return clock.today()


@bp.route("")
@permission("agreements.progress.read")
def progress():
    unit_id = request.args.get("unit", type=int)
    node = get_visible_or_404(TenantNode, unit_id) if unit_id else home_node()
    if node is None:
        abort(404)
    as_of = _as_of()
    report = compute.progress(node, as_of)
    practice = metrics.metrics(node, as_of)
    chart = jsonable({k: report["burn_down"][k] for k in ("dates", "actual", "ideal")})
    sections = other_sections(node, as_of)
    return render_template(
        "agreements/progress.html", r=report, m=practice, node=node, chart=chart, sections=sections
    )


def other_sections(node: TenantNode, as_of: dt.date) -> list[tuple[str, Markup]]:
    """(title, HTML) of the sections other plugins add to the progress report (``qingqian_report_sections``).

    Rendered for the unit shown and the report date; a section that fails is logged and left out, so one
    plugin cannot take the office's report down.
    """
    from core.plugins import flatten, get_pm

    tenant = g.principal.jurisdiction
    caller = get_pm().hook_for(tenant, "qingqian_report_sections")
    out = []
    for section in sorted(flatten(caller(tenant=tenant, report="progress")), key=lambda s: s.order):
        if section.permission and not g.principal.can(section.permission):
            continue
        try:
            out.append((section.title, Markup(section.render(node=node, as_of=as_of))))
        except Exception:
            log.exception("report section %r failed", section.title)
    return out


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem("还款协议", endpoint="agreements_ui.agreements", order=40, permission="agreements.read"),
        NavItem(
            "化解进度",
            endpoint="agreements_progress_ui.progress",
            order=41,
            permission="agreements.progress.read",
        ),
    ]


def _widget_html() -> str:
    node = home_node()
    if node is None:
        return ""
    report = compute.progress(node, clock.today(node))
    return render_template("agreements/widget.html", r=report)


def WIDGETS(tenant, user) -> list[Widget]:  # noqa: N802
    return [Widget("化解进度", html=_widget_html, order=40, permission="agreements.progress.read")]


__all__ = ["NAV", "WIDGETS", "bp"]
