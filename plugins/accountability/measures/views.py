"""Page: the register of restriction measures (the finance bureau reads it; the office records and lifts)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.web.nav import NavItem
from plugins.accountability.measures import service
from plugins.accountability.measures.api import rows
from plugins.accountability.measures.models import Measure

bp = Blueprint("accountability_measures_ui", __name__, template_folder="../templates")


def _jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        abort(404)
    return node


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.route("/accountability/measures")
@permission("accountability.measures.read")
def measures():
    node = _jurisdiction()
    found = list(db.session.scalars(db.select(Measure).order_by(Measure.start_on.desc(), Measure.id.desc())))
    can_manage = g.principal.can("accountability.measures.manage")
    units = list(db.session.scalars(db.select(TenantNode).order_by(TenantNode.path))) if can_manage else []
    return render_template(
        "accountability/measures.html",
        measures=rows(found),
        types=service.types(node),
        units=[u for u in units if u.id != node.id],
        can_manage=can_manage,
    )


@bp.route("/accountability/measures", methods=["POST"])
@permission("accountability.measures.manage")
def measure_record():
    node = _jurisdiction()
    form = request.form
    start_on = _date(form.get("start_on"))
    unit_id = form.get("unit_id") or ""
    required = ("measure_type", "decision_no", "decided_by")
    if start_on is None or not unit_id.isdigit() or not all((form.get(k) or "").strip() for k in required):
        flash("请填写单位、措施类型、决定文号、决定机关和开始日期", "error")
        return redirect(url_for(".measures"))
    values = {
        "unit_id": int(unit_id),
        "measure_type": form["measure_type"],
        "decision_no": form["decision_no"],
        "decided_by": form["decided_by"],
        "start_on": start_on,
        "lift_condition": form.get("lift_condition") or "",
        "lift_on": _date(form.get("lift_on")),
    }
    try:
        service.record(node, actor=current_user(), values=values)
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".measures"))
    db.session.commit()
    flash("已登记限制措施", "success")
    return redirect(url_for(".measures"))


@bp.route("/accountability/measures/<int:measure_id>/lift", methods=["POST"])
@permission("accountability.measures.manage")
def measure_lift(measure_id: int):
    measure = visible(Measure, measure_id)
    if measure is None:
        abort(404)
    try:
        service.lift(measure, actor=current_user(), reason=request.form.get("reason") or "")
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".measures"))
    db.session.commit()
    flash("已解除限制措施", "success")
    return redirect(url_for(".measures"))


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "限制措施",
            endpoint="accountability_measures_ui.measures",
            order=78,
            permission="accountability.measures.read",
            plugin="accountability",
        )
    ]
