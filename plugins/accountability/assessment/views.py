"""Page: the scorecard per unit, explained item by item; freezing it at a period end."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core import clock
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.web.nav import NavItem
from plugins.accountability.assessment import service
from plugins.accountability.assessment.models import AssessmentSnapshot

bp = Blueprint("accountability_assessment_ui", __name__, template_folder="../templates")


def _jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        abort(404)
    return node


def _args(node) -> tuple[dt.date, int | None]:
    try:
        end = dt.date.fromisoformat(request.values.get("period_end") or "")
    except ValueError:
        end = clock.today(node)
    raw = request.values.get("group_id") or ""
    return end, int(raw) if raw.isdigit() else None


@bp.route("/accountability/assessments")
@permission("accountability.assessment.read")
def assessments():
    node = _jurisdiction()
    end, group_id = _args(node)
    try:
        group = service.group_of(node, group_id)
    except service.Refused as exc:
        flash(exc.message, "error")
        group = None
    snapshots = list(
        db.session.scalars(
            db.select(AssessmentSnapshot).order_by(
                AssessmentSnapshot.period_end.desc(), AssessmentSnapshot.id.desc()
            )
        )
    )
    return render_template(
        "accountability/assessments.html",
        result=service.compute(node, end, group),
        group=group,
        snapshots=snapshots,
        today=clock.today(node),
        can_snapshot=g.principal.can("accountability.assessment.snapshot"),
    )


@bp.route("/accountability/assessments", methods=["POST"])
@permission("accountability.assessment.snapshot")
def assessment_snapshot():
    node = _jurisdiction()
    end, group_id = _args(node)
    try:
        service.snapshot(node, actor=current_user(), end=end, group_id=group_id)
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("考核结果已固定", "success")
    return redirect(url_for(".assessments", period_end=end.isoformat(), group_id=group_id or ""))


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "考核",
            endpoint="accountability_assessment_ui.assessments",
            order=79,
            permission="accountability.assessment.read",
            plugin="accountability",
        )
    ]
