"""Pages: supervision items with the proposed candidates, and one item with its timeline."""

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
from plugins.accountability.supervision import candidates, service
from plugins.accountability.supervision.api import steps_of
from plugins.accountability.supervision.models import ACTION_LABELS, EVIDENCE_LABELS, Supervision

bp = Blueprint("accountability_supervision_ui", __name__, template_folder="../templates")


def _jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        abort(404)
    return node


def _item(supervision_id: int) -> Supervision:
    item = visible(Supervision, supervision_id)
    if item is None:
        abort(404)
    return item


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@bp.route("/accountability/supervisions")
@permission("accountability.read")
def supervisions():
    node = _jurisdiction()
    today = clock.today(node)
    can_supervise = g.principal.can("accountability.supervise")
    items = list(
        db.session.scalars(
            db.select(Supervision).order_by(Supervision.status.desc(), Supervision.deadline, Supervision.id)
        )
    )
    units = {n.id: n.name for n in db.session.scalars(db.select(TenantNode))}
    return render_template(
        "accountability/supervisions.html",
        items=items,
        units=units,
        today=today,
        candidates=candidates.candidates(node, today) if can_supervise else [],
        can_supervise=can_supervise,
    )


@bp.route("/accountability/supervisions", methods=["POST"])
@permission("accountability.supervise")
def supervision_open():
    node = _jurisdiction()
    deadline = _date(request.form.get("deadline"))
    unit_id = _int(request.form.get("unit_id"))
    if deadline is None or unit_id is None:
        flash("请填写督办单位和办结期限", "error")
        return redirect(url_for(".supervisions"))
    values = {
        "unit_id": unit_id,
        "subject_kind": request.form.get("subject_kind") or "unit",
        "subject_id": _int(request.form.get("subject_id")),
        "subject_label": request.form.get("subject_label") or None,
        "reason": request.form.get("reason") or "",
        "required_actions": request.form.get("required_actions") or "",
        "deadline": deadline,
        "proposal_key": request.form.get("proposal_key") or None,
    }
    if values["subject_kind"] not in ("unit", "debt", "complaint") or not (
        values["reason"].strip() and values["required_actions"].strip()
    ):
        flash("请填写督办原因和整改要求", "error")
        return redirect(url_for(".supervisions"))
    try:
        item = service.open_item(node, actor=current_user(), values=values)
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".supervisions"))
    db.session.commit()
    flash("已挂牌督办", "success")
    return redirect(url_for(".supervision", supervision_id=item.id))


@bp.route("/accountability/supervisions/<int:supervision_id>")
@permission("accountability.read")
def supervision(supervision_id: int):
    item = _item(supervision_id)
    node = _jurisdiction()
    return render_template(
        "accountability/supervision.html",
        item=item,
        steps=steps_of(item),
        unit=visible(TenantNode, item.unit_id),
        today=clock.today(node),
        action_labels=ACTION_LABELS,
        evidence_labels=EVIDENCE_LABELS,
        can_supervise=g.principal.can("accountability.supervise"),
        can_report=g.principal.can("accountability.report"),
    )


def _act(supervision_id: int, action, success: str):
    item = _item(supervision_id)
    try:
        action(item)
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".supervision", supervision_id=supervision_id))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".supervision", supervision_id=supervision_id))


@bp.route("/accountability/supervisions/<int:supervision_id>/progress", methods=["POST"])
@permission("accountability.report")
def supervision_progress(supervision_id: int):
    upload = request.files.get("file")
    data = (upload.filename, upload.read()) if upload and upload.filename else None
    note = request.form.get("note") or ""
    return _act(
        supervision_id,
        lambda item: service.report(item, actor=current_user(), note=note, upload=data),
        "进展已报告",
    )


@bp.route("/accountability/supervisions/<int:supervision_id>/extend", methods=["POST"])
@permission("accountability.supervise")
def supervision_extend(supervision_id: int):
    deadline = _date(request.form.get("deadline"))
    reason = request.form.get("reason") or ""

    def extend(item):
        if deadline is None:
            raise service.Refused("deadline", "请填写新的办结期限")
        service.extend(item, actor=current_user(), deadline=deadline, reason=reason)

    return _act(supervision_id, extend, "已延期")


@bp.route("/accountability/supervisions/<int:supervision_id>/close", methods=["POST"])
@permission("accountability.supervise")
def supervision_close(supervision_id: int):
    kind = request.form.get("evidence_kind") or ""
    evidence_id = _int(request.form.get("evidence_id"))
    note = request.form.get("note") or ""

    def close(item):
        if kind not in EVIDENCE_LABELS or evidence_id is None:
            raise service.Refused("evidence_id", "办结须选择证据类型并填写证据编号")
        service.close(item, actor=current_user(), kind=kind, evidence_id=evidence_id, note=note)

    return _act(supervision_id, close, "已办结销号")


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "挂牌督办",
            endpoint="accountability_supervision_ui.supervisions",
            order=76,
            permission="accountability.read",
            plugin="accountability",
        )
    ]
