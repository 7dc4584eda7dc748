"""Staff pages: case list, board, clue registration and the case page with its actions."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core import clock, list_exports
from core.api.money import parse_money
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.views import get_visible_or_404
from plugins.complaints.handling import access, exports, listing, serialize, service
from plugins.complaints.intake import service as intake
from plugins.complaints.models import (
    CHANNEL_LABELS,
    OUT_OF_SCOPE_REASONS,
    ROUTE_LABELS,
    STATUS_LABELS,
    TRIAGE_CATEGORIES,
    Channel,
    Complaint,
)

bp = Blueprint("complaints", __name__, template_folder="../templates", static_folder=None)


def _units() -> list[TenantNode]:
    jurisdiction_id = g.principal.jurisdiction.id
    return list(
        db.session.scalars(
            db.select(TenantNode)
            .where(TenantNode.jurisdiction_id == jurisdiction_id, TenantNode.id != jurisdiction_id)
            .where(TenantNode.active.is_(True))
            .order_by(TenantNode.path)
        )
    )


LIST_LIMIT = 500


@bp.route("/complaints")
@permission("complaints.read")
def index():
    filters, errors = listing.parse(request.args)
    stmt = listing.statement(filters)
    total = db.session.scalar(db.select(db.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    cases = list(db.session.scalars(stmt.limit(LIST_LIMIT)))
    amount_total = db.session.scalar(
        stmt.order_by(None).with_only_columns(db.func.coalesce(db.func.sum(Complaint.amount), 0))
    )
    return render_template(
        "complaints/index.html",
        rows=[{**serialize.summary(c), "amount_value": c.amount} for c in cases],
        total=total,
        shown=len(cases),
        amount_total=amount_total,
        filters=filters,
        errors=errors,
        statuses=STATUS_LABELS,
        channels=CHANNEL_LABELS,
        sorts=listing.SORTS,
        units=_units(),
        office=access.is_office(),
        export_url=url_for("complaints.export", **request.args.to_dict(flat=False)),
    )


@bp.route("/complaints/export.xlsx")
@permission("complaints.read")
def export():
    """The complaints list as filtered on screen, in the reader's unit with a 合计 row."""
    return list_exports.respond(exports.COMPLAINTS_EXPORT, request.args)


@bp.route("/complaints/board")
@permission("complaints.read")
def board():
    return render_template("complaints/board.html", board=service.board())


@bp.route("/complaints/new", methods=["GET", "POST"])
@permission("complaints.manage")
def new():
    errors: dict = {}
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        channel = form.get("channel")
        if channel not in CHANNEL_LABELS or channel == Channel.PUBLIC:
            errors["channel"] = ["请选择线索来源"]
        try:
            clean = intake.clean_complaint(form.to_dict())
        except intake.IntakeRefused as exc:
            errors.update(exc.errors)
        if not errors:
            complaint = intake.create_complaint(
                g.principal.jurisdiction, clean, channel=channel, actor=current_user()
            )
            db.session.commit()
            flash(f"线索已登记，查询码 {complaint.tracking_code}", "success")
            return redirect(url_for("complaints.detail", complaint_id=complaint.id))
    channels = {k: v for k, v in CHANNEL_LABELS.items() if k != Channel.PUBLIC}
    return render_template(
        "complaints/new.html",
        form=form,
        errors=errors,
        channels=channels,
        sizes=intake.SIZES,
        categories=intake.CATEGORIES,
    ), (422 if errors else 200)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _act(complaint: Complaint, action: str) -> str:
    """Run one form action; returns the success message. Raises CaseRefused or aborts 403."""
    form = request.form
    actor = current_user()
    principal = g.principal
    unit = db.session.get(TenantNode, complaint.unit_id)
    if action in ("triage", "transfer", "note", "decide", "debtor"):
        if not access.is_office():
            abort(403)
    elif action in ("extend", "outcome", "payment"):
        if not principal.can_at("complaints.handle", unit):
            abort(403)
    else:
        abort(400)
    if action == "triage":
        in_scope = form.get("in_scope") == "1"
        service.triage(
            complaint, in_scope=in_scope, reason=form.get("reason"), note=form.get("note"), actor=actor
        )
        return "已受理" if in_scope else "已告知投诉人不予受理的理由"
    if action == "decide":
        service.decide(
            complaint,
            category=form.get("category") or None,
            override_reason=form.get("override_reason"),
            info_request=form.get("info_request"),
            actor=actor,
        )
        return f"核查结论：{complaint.status_label}"
    if action == "debtor":
        raw = form.get("unit_id") or ""
        target = (
            db.session.scalar(db.select(TenantNode).where(TenantNode.id == int(raw)))
            if raw.isdigit() and len(raw) < 10
            else None
        )
        if target is None:
            raise service.CaseRefused({"unit_id": ["请选择欠款单位"]})
        service.confirm_debtor(complaint, target, actor=actor)
        return f"欠款单位已确认为{target.name}"
    if action == "transfer":
        raw = form.get("unit_id") or ""
        target = (
            db.session.scalar(db.select(TenantNode).where(TenantNode.id == int(raw)))
            if raw.isdigit() and len(raw) < 10
            else None
        )
        if target is None:
            raise service.CaseRefused({"unit_id": ["请选择承办单位"]})
        service.transfer(complaint, target, actor=actor, note=form.get("note"))
        return f"已转办至{target.name}"
    if action == "note":
        from plugins.complaints.models import ConfidentialNote

        text = (form.get("text") or "").strip()
        if not text:
            raise service.CaseRefused({"text": ["请填写内容"]})
        db.session.add(
            ConfidentialNote(
                jurisdiction_id=complaint.jurisdiction_id,
                unit_id=complaint.jurisdiction_id,
                complaint_id=complaint.id,
                text=text[:2000],
            )
        )
        return "已保密记录"
    if action == "extend":
        due = _date(form.get("result_due"))
        if due is None:
            raise service.CaseRefused({"result_due": ["请填写延长后的期限"]})
        service.extend(complaint, due, form.get("reason") or "", actor=actor)
        return "办理期限已延长"
    if action == "outcome":
        service.record_outcome(
            complaint,
            outcome=form.get("outcome") or "",
            detail=form.get("detail") or "",
            route=form.get("route") or None,
            payment_deadline=_date(form.get("payment_deadline")),
            actor=actor,
        )
        return "核查结果已反馈"
    try:
        amount = parse_money((form.get("amount") or "").replace(",", ""))
    except ValueError as exc:
        raise service.CaseRefused({"amount": [str(exc)]}) from exc
    paid_on = _date(form.get("paid_on")) or clock.today()
    service.record_payment(complaint, amount, paid_on, actor=actor)
    return "付款已登记"


@bp.route("/complaints/<int:complaint_id>", methods=["GET", "POST"])
@permission("complaints.read")
def detail(complaint_id: int):
    complaint = get_visible_or_404(Complaint, complaint_id)
    if request.method == "POST":
        if not g.principal.can("complaints.handle"):
            abort(403)
        try:
            message = _act(complaint, request.form.get("action") or "")
            db.session.commit()
            flash(message, "success")
        except service.CaseRefused as exc:
            db.session.rollback()
            for messages in exc.errors.values():
                for message in messages:
                    flash(message, "error")
        return redirect(url_for("complaints.detail", complaint_id=complaint_id))
    unit = db.session.get(TenantNode, complaint.unit_id)
    return render_template(
        "complaints/detail.html",
        c=serialize.detail(complaint),
        office=access.is_office(),
        can_handle=g.principal.can_at("complaints.handle", unit),
        units=_units() if access.is_office() else [],
        reasons=OUT_OF_SCOPE_REASONS,
        categories=TRIAGE_CATEGORIES,
        routes=ROUTE_LABELS,
        today=clock.today(),
    )
