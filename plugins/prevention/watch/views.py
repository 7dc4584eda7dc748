"""Page: the new-arrears watch (新增拖欠) for supervision."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from core import clock, list_exports
from core.api.debts import filtered_totals
from core.auth.permissions import permission
from core.web.views import page_number, paginate_stmt
from plugins.prevention import exports
from plugins.prevention.forms import TEMPLATES
from plugins.prevention.watch import service

bp = Blueprint("prevention_watch_ui", __name__, url_prefix="/prevention", template_folder=str(TEMPLATES))


@bp.route("/new-arrears")
@permission("prevention.read")
def new_arrears():
    jurisdiction = g.principal.jurisdiction
    if jurisdiction is None:
        abort(404)
    today = clock.today(jurisdiction)
    since = service.since_for(jurisdiction, today)
    stmt = service.new_arrears_stmt(since, today)
    rows, pager = paginate_stmt(stmt, page_number())
    return render_template(
        "prevention/new_arrears.html",
        rows=service.traced(rows),
        pager=pager,
        since=since,
        totals=filtered_totals(stmt),
    )


@bp.route("/new-arrears/export.xlsx")
@permission("prevention.read")
def new_arrears_export():
    """新增拖欠 as on screen, in the reader's unit with a 合计 row (in the background when long)."""
    if g.principal.jurisdiction is None:
        abort(404)
    return list_exports.respond(exports.NEW_ARREARS_EXPORT, request.args)
