"""Pages: interviews (schedule, minutes with commitments) and the commitments' follow-up."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core import clock
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.web.nav import NavItem
from plugins.accountability.interviews import service
from plugins.accountability.interviews.models import Commitment, Interview

bp = Blueprint("accountability_interviews_ui", __name__, template_folder="../templates")
COMMITMENT_ROWS = 5


def _jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        abort(404)
    return node


def _item(interview_id: int) -> Interview:
    item = visible(Interview, interview_id)
    if item is None:
        abort(404)
    return item


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _back(message: str, interview_id: int | None = None):
    flash(message, "error")
    if interview_id is None:
        return redirect(url_for(".interviews"))
    return redirect(url_for(".interview", interview_id=interview_id))


@bp.route("/accountability/interviews")
@permission("accountability.read")
def interviews():
    node = _jurisdiction()
    items = list(db.session.scalars(db.select(Interview).order_by(Interview.scheduled_at.desc())))
    units = {n.id: n for n in db.session.scalars(db.select(TenantNode).order_by(TenantNode.path))}
    can_supervise = g.principal.can("accountability.supervise")
    return render_template(
        "accountability/interviews.html",
        items=items,
        units=units,
        choices=[n for n in units.values() if n.id != node.id] if can_supervise else [],
        to_local=lambda stamp: clock.to_local(stamp, node),
        can_supervise=can_supervise,
    )


@bp.route("/accountability/interviews", methods=["POST"])
@permission("accountability.supervise")
def interview_schedule():
    node = _jurisdiction()
    form = request.form
    try:
        at = dt.datetime.fromisoformat(form.get("scheduled_at") or "")
    except ValueError:
        return _back("请填写约谈时间")
    unit_id = form.get("unit_id") or ""
    if (
        not unit_id.isdigit()
        or not (form.get("head_name") or "").strip()
        or not (form.get("reason") or "").strip()
    ):
        return _back("请填写约谈单位、主要负责人和约谈事由")
    values = {
        "unit_id": int(unit_id),
        "head_name": form["head_name"],
        "scheduled_at": at.replace(tzinfo=None),
        "place": form.get("place") or "",
        "reason": form["reason"],
        "attendees": form.get("attendees") or "",
    }
    try:
        item = service.schedule(node, actor=current_user(), values=values)
    except service.Refused as exc:
        db.session.rollback()
        return _back(exc.message)
    db.session.commit()
    flash("已安排约谈并通知被约谈单位", "success")
    return redirect(url_for(".interview", interview_id=item.id))


@bp.route("/accountability/interviews/<int:interview_id>")
@permission("accountability.read")
def interview(interview_id: int):
    node = _jurisdiction()
    item = _item(interview_id)
    return render_template(
        "accountability/interview.html",
        item=item,
        unit=visible(TenantNode, item.unit_id),
        commitments=service.commitments_of(item),
        when=clock.to_local(item.scheduled_at, node),
        today=clock.today(node),
        rows=range(COMMITMENT_ROWS),
        can_supervise=g.principal.can("accountability.supervise"),
    )


@bp.route("/accountability/interviews/<int:interview_id>/minutes", methods=["POST"])
@permission("accountability.supervise")
def interview_minutes(interview_id: int):
    item = _item(interview_id)
    form = request.form
    held_on = _date(form.get("held_on"))
    if held_on is None or not (form.get("minutes") or "").strip():
        return _back("请填写约谈日期和纪要", interview_id)
    commitments = []
    for n in range(COMMITMENT_ROWS):
        content = (form.get(f"content_{n}") or "").strip()
        if not content:
            continue
        deadline = _date(form.get(f"deadline_{n}"))
        owner = (form.get(f"owner_{n}") or "").strip()
        if deadline is None or not owner:
            return _back(f"第{n + 1}项承诺须填写责任人和期限", interview_id)
        commitments.append({"content": content, "owner": owner, "deadline": deadline})
    values = {
        "held_on": held_on,
        "minutes": form["minutes"],
        "attendees": form.get("attendees"),
        "commitments": commitments,
    }
    try:
        service.record_minutes(item, actor=current_user(), values=values)
    except service.Refused as exc:
        db.session.rollback()
        return _back(exc.message, interview_id)
    db.session.commit()
    flash(f"已记录约谈纪要和 {len(commitments)} 项承诺", "success")
    return redirect(url_for(".interview", interview_id=interview_id))


@bp.route(
    "/accountability/interviews/<int:interview_id>/commitments/<int:commitment_id>/done", methods=["POST"]
)
@permission("accountability.supervise")
def commitment_done(interview_id: int, commitment_id: int):
    _item(interview_id)
    commitment = visible(Commitment, commitment_id)
    if commitment is None or commitment.interview_id != interview_id:
        abort(404)
    try:
        service.complete(commitment, actor=current_user(), note=request.form.get("note") or "")
    except service.Refused as exc:
        db.session.rollback()
        return _back(exc.message, interview_id)
    db.session.commit()
    flash("承诺事项已完成", "success")
    return redirect(url_for(".interview", interview_id=interview_id))


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "专项约谈",
            endpoint="accountability_interviews_ui.interviews",
            order=77,
            permission="accountability.read",
            plugin="accountability",
        )
    ]
