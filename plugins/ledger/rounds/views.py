"""Web pages: rounds and the board, submitting and signing, reopening, diffs, flags, roll-ups and export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from core import clock
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import CATEGORY_LABELS, SOURCE_LABELS
from core.models.event import Event
from core.rules.status import STATUS_LABELS
from core.tenancy.models import TenantNode
from core.web.nav import NavItem, Widget
from core.web.views import get_visible_or_404, page_number, paginate_stmt
from plugins.ledger.rounds import export_files, service
from plugins.ledger.rounds import rollup as rollups
from plugins.ledger.rounds.models import (
    FLAG_KIND_LABELS,
    FLAG_STATUS_LABELS,
    ExportStatus,
    Flag,
    LedgerExport,
    LedgerRound,
    RoundStatus,
    Submission,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
bp = Blueprint("ledger_rounds_ui", __name__, url_prefix="/ledger", template_folder=str(TEMPLATES))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _refused(exc: service.RoundError):
    flash(exc.message, "error")


def _can_manage(node: TenantNode | None) -> bool:
    return node is not None and g.principal.can_at("ledger.rounds.manage", node)


# --- Rounds ------------------------------------------------------------------------------------------


@bp.route("/rounds")
@permission("ledger.read")
def rounds():
    stmt = db.select(LedgerRound).order_by(LedgerRound.as_of.desc(), LedgerRound.id.desc())
    rows, pager = paginate_stmt(stmt, page_number())
    boards = {r.id: service.board(r) for r in rows}
    office = g.principal.jurisdiction
    can_open = office is not None and _can_manage(office)
    return render_template(
        "ledger/rounds.html",
        rounds=rows,
        boards=boards,
        pager=pager,
        can_open=can_open,
        default_units=service.default_scope(office) if can_open else [],
        default_deadline=service.default_deadline(office) if can_open else None,
        today=clock.today(),
    )


@bp.route("/rounds", methods=["POST"])
@permission("ledger.rounds.manage")
def round_open():
    office = g.principal.jurisdiction
    if office is None or not _can_manage(office):
        abort(403)
    ids = [int(i) for i in request.form.getlist("unit_ids") if i.isdigit()]
    units = [get_visible_or_404(TenantNode, i) for i in ids] or None
    name = (request.form.get("name") or "").strip()
    if not name:
        flash("请填写轮次名称", "error")
        return redirect(url_for(".rounds"))
    try:
        rnd = service.open_round(
            office,
            name=name,
            as_of=_date(request.form.get("as_of")),
            deadline=_date(request.form.get("deadline")),
            units=units,
            actor=current_user(),
        )
    except service.RoundError as exc:
        db.session.rollback()
        _refused(exc)
        return redirect(url_for(".rounds"))
    db.session.commit()
    flash(f"已开启填报轮次“{rnd.name}”", "success")
    return redirect(url_for(".round_board", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>")
@permission("ledger.read")
def round_board(round_id: int):
    rnd = get_visible_or_404(LedgerRound, round_id)
    board = service.board(rnd)
    principal = g.principal
    is_open = rnd.status == RoundStatus.OPEN
    actions = {
        row.unit.id: {
            "submit": row.state == "missing" and is_open and principal.can_at("ledger.submit", row.unit),
            "sign": row.state == "submitted" and is_open and principal.can_at("ledger.signoff", row.unit),
        }
        for row in board.rows
    }
    can_manage = _can_manage(rnd.office)
    return render_template(
        "ledger/rounds_board.html",
        round=rnd,
        board=board,
        actions=actions,
        can_manage=can_manage,
        can_close=is_open and can_manage,
        closing=None if is_open else service.closing_event(rnd),
        can_flags=principal.can("ledger.flags.read"),
        today=clock.today(),
    )


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@permission("ledger.rounds.manage")
def round_close(round_id: int):
    rnd = get_visible_or_404(LedgerRound, round_id)
    if not _can_manage(rnd.office):
        abort(403)
    try:
        service.close_round(rnd, actor=current_user(), note=request.form.get("note"))
    except service.RoundError as exc:
        db.session.rollback()
        _refused(exc)
        return redirect(url_for(".round_board", round_id=round_id))
    db.session.commit()
    flash(f"已结束填报轮次“{rnd.name}”，各单位不能再报送、签认，报送进度保留最终状态", "success")
    return redirect(url_for(".round_board", round_id=round_id))


@bp.route("/rounds/<int:round_id>/submit", methods=["POST"])
@permission("ledger.submit")
def round_submit(round_id: int):
    rnd = get_visible_or_404(LedgerRound, round_id)
    unit_id = request.form.get("unit_id", "")
    unit = get_visible_or_404(TenantNode, int(unit_id)) if unit_id.isdigit() else abort(404)
    if not g.principal.can_at("ledger.submit", unit):
        abort(403)
    try:
        sub = service.submit(
            rnd,
            unit,
            actor=current_user(),
            zero=request.form.get("zero") == "1",
            statement=request.form.get("statement"),
        )
    except service.RoundError as exc:
        db.session.rollback()
        _refused(exc)
        return redirect(url_for(".round_board", round_id=rnd.id))
    db.session.commit()
    what = "零报告" if sub.zero else f"台账（{sub.row_count} 笔）"
    flash(f"{unit.name}已报送{what}，请单位负责人签认", "success")
    return redirect(url_for(".submission_detail", submission_id=sub.id))


@bp.route("/rounds/<int:round_id>/diff")
@permission("ledger.read")
def round_diff(round_id: int):
    from plugins.ledger.rounds.api import diff_json

    rnd = get_visible_or_404(LedgerRound, round_id)
    unit = request.args.get("unit", "")
    against = request.args.get("against", "")
    if against.isdigit():
        get_visible_or_404(LedgerRound, int(against))
    if unit.isdigit():
        get_visible_or_404(TenantNode, int(unit))
    result = diff_json(
        rnd, int(unit) if unit.isdigit() else None, int(against) if against.isdigit() else None
    )
    others = [
        r
        for r in db.session.scalars(db.select(LedgerRound).order_by(LedgerRound.as_of.desc()))
        if r.id != rnd.id
    ]
    return render_template(
        "ledger/rounds_diff.html",
        round=rnd,
        result=result,
        others=others,
        against=against,
        status_labels=STATUS_LABELS,
    )


# --- Submissions -------------------------------------------------------------------------------------


@bp.route("/submissions/<int:submission_id>")
@permission("ledger.read")
def submission_detail(submission_id: int):
    sub = get_visible_or_404(Submission, submission_id)
    events = list(
        db.session.scalars(
            db.select(Event)
            .where(Event.entity_type == Submission.__tablename__, Event.entity_id == sub.id)
            .order_by(Event.at, Event.id)
        )
    )
    return render_template(
        "ledger/rounds_submission.html",
        sub=sub,
        events=events,
        can_sign=sub.status == "submitted"
        and sub.round.status == RoundStatus.OPEN
        and g.principal.can_at("ledger.signoff", sub.unit),
        can_reopen=sub.status in ("submitted", "signed")
        and sub.round.status == RoundStatus.OPEN
        and _can_manage(sub.round.office),
        status_labels=STATUS_LABELS,
        category_labels=CATEGORY_LABELS,
        source_labels=SOURCE_LABELS,
    )


@bp.route("/submissions/<int:submission_id>/signoff", methods=["POST"])
@permission("ledger.signoff")
def submission_signoff(submission_id: int):
    sub = get_visible_or_404(Submission, submission_id)
    if not g.principal.can_at("ledger.signoff", sub.unit):
        abort(403)
    try:
        service.signoff(sub, actor=current_user(), comment=request.form.get("comment"))
    except service.RoundError as exc:
        db.session.rollback()
        _refused(exc)
        return redirect(url_for(".submission_detail", submission_id=submission_id))
    db.session.commit()
    flash("已签认，本单位台账报送完成", "success")
    return redirect(url_for(".round_board", round_id=sub.round_id))


@bp.route("/submissions/<int:submission_id>/send-back", methods=["POST"])
@permission("ledger.signoff")
def submission_send_back(submission_id: int):
    """The unit head returns the submission to the clerk instead of signing it."""
    sub = get_visible_or_404(Submission, submission_id)
    if not g.principal.can_at("ledger.signoff", sub.unit):
        abort(403)
    try:
        service.send_back(sub, reason=request.form.get("reason") or "", actor=current_user())
    except service.RoundError as exc:
        db.session.rollback()
        _refused(exc)
        return redirect(url_for(".submission_detail", submission_id=submission_id))
    db.session.commit()
    flash("已退回填报员，请其修改后重新报送", "success")
    return redirect(url_for(".round_board", round_id=sub.round_id))


@bp.route("/submissions/<int:submission_id>/reopen", methods=["POST"])
@permission("ledger.rounds.manage")
def submission_reopen(submission_id: int):
    sub = get_visible_or_404(Submission, submission_id)
    if not _can_manage(sub.round.office):
        abort(403)
    try:
        service.reopen(sub, reason=request.form.get("reason") or "", actor=current_user())
    except service.RoundError as exc:
        db.session.rollback()
        _refused(exc)
        return redirect(url_for(".submission_detail", submission_id=submission_id))
    db.session.commit()
    flash(f"已退回{sub.unit.name}的台账，该单位可重新报送", "success")
    return redirect(url_for(".round_board", round_id=sub.round_id))


# --- Flags -------------------------------------------------------------------------------------------


@bp.route("/flags")
@permission("ledger.flags.read")
def flags():
    stmt = db.select(Flag).order_by(Flag.status.desc(), Flag.id.desc())
    status = request.args.get("status", "open")
    kind = request.args.get("kind", "")
    round_id = request.args.get("round", "")
    if status in FLAG_STATUS_LABELS:
        stmt = stmt.where(Flag.status == status)
    if kind in FLAG_KIND_LABELS:
        stmt = stmt.where(Flag.kind == kind)
    if round_id.isdigit():
        stmt = stmt.where(Flag.round_id == int(round_id))
    rows, pager = paginate_stmt(stmt, page_number())
    return render_template(
        "ledger/flags.html",
        flags=rows,
        pager=pager,
        status=status,
        kind=kind,
        round_id=round_id,
        rounds=list(db.session.scalars(db.select(LedgerRound).order_by(LedgerRound.as_of.desc()))),
        kind_labels=FLAG_KIND_LABELS,
        status_labels=FLAG_STATUS_LABELS,
        can_resolve=g.principal.can("ledger.rounds.manage"),
    )


@bp.route("/flags/<int:flag_id>/resolve", methods=["POST"])
@permission("ledger.rounds.manage")
def flag_resolve(flag_id: int):
    from core.api.base import ApiError
    from plugins.ledger.rounds.api import resolve_flag

    flag = get_visible_or_404(Flag, flag_id)
    if not _can_manage(flag.round.office):
        abort(403)
    try:
        resolve_flag(flag, request.form.get("note") or "")
    except ApiError as exc:
        db.session.rollback()
        flash(exc.errors.get("note", [exc.message])[0], "error")
        return redirect(url_for(".flags"))
    db.session.commit()
    flash("已记录核实处理情况", "success")
    return redirect(url_for(".flags"))


# --- Roll-ups ----------------------------------------------------------------------------------------


@bp.route("/summary")
@permission("ledger.read")
def summary():
    from plugins.ledger.rounds.api import home_unit

    by = request.args.get("by", "unit")
    if by not in rollups.DIMENSIONS:
        by = "unit"
    unit = request.args.get("unit", "")
    parent = get_visible_or_404(TenantNode, int(unit)) if unit.isdigit() else home_unit()
    result = rollups.rollup(by, parent if by == "unit" else None)
    return render_template(
        "ledger/summary.html",
        result=result,
        by=by,
        parent=parent,
        dimensions=rollups.DIMENSIONS,
        home=home_unit(),
    )


# --- Background exports ------------------------------------------------------------------------------


@bp.route("/exports")
@permission("ledger.read")
def exports():
    stmt = db.select(LedgerExport).order_by(LedgerExport.created_at.desc(), LedgerExport.id.desc())
    rows, pager = paginate_stmt(stmt, page_number())
    fresh = request.args.get("new", "")
    unit_ids = {int(e.params["unit"]) for e in rows if (e.params or {}).get("unit")}
    units = db.session.scalars(db.select(TenantNode).where(TenantNode.id.in_(unit_ids))) if unit_ids else []
    return render_template(
        "ledger/exports.html",
        exports=rows,
        pager=pager,
        fresh=int(fresh) if fresh.isdigit() else None,
        keep_days=export_files.keep_days(),
        dimensions=rollups.DIMENSIONS,
        running=[e.id for e in rows if e.status == ExportStatus.RUNNING],
        unit_names={u.id: u.name for u in units},
    )


@bp.route("/exports", methods=["POST"])
@permission("ledger.read")
def export_start():
    from marshmallow import ValidationError

    from core.api.base import ApiError
    from plugins.ledger.rounds.api import ExportQuerySchema, start_export

    params = {k: v for k, v in request.form.items() if k in ("by", "unit", "round", "as_of") and v}
    try:
        export = start_export(ExportQuerySchema().load(params))
    except (ValidationError, ApiError):
        db.session.rollback()
        flash("导出内容无效：请从汇总页面重新选择", "error")
        return redirect(url_for(".exports"))
    flash("已开始在后台生成导出文件，完成后可在本页下载", "success")
    return redirect(url_for(".exports", new=export.id))


# --- Navigation and dashboard ------------------------------------------------------------------------


def nav(tenant, user) -> list[NavItem]:
    return [
        NavItem(
            "填报轮次",
            endpoint="ledger_rounds_ui.rounds",
            order=41,
            permission="ledger.read",
            plugin="ledger",
        ),
        NavItem(
            "瞒报漏报提示",
            endpoint="ledger_rounds_ui.flags",
            order=42,
            permission="ledger.flags.read",
            plugin="ledger",
        ),
        NavItem(
            "台账汇总",
            endpoint="ledger_rounds_ui.summary",
            order=43,
            permission="ledger.read",
            plugin="ledger",
        ),
        NavItem(
            "导出文件",
            endpoint="ledger_rounds_ui.exports",
            order=44,
            permission="ledger.read",
            plugin="ledger",
        ),
    ]


def _widget_html() -> str:
    rnd = db.session.scalar(
        db.select(LedgerRound)
        .where(LedgerRound.status == RoundStatus.OPEN)
        .order_by(LedgerRound.deadline.desc(), LedgerRound.id.desc())
    )
    board = service.board(rnd) if rnd is not None else None
    return str(
        Markup(render_template("ledger/rounds_widget.html", round=rnd, board=board, today=clock.today()))
    )


def widgets(tenant, user) -> list[Widget]:
    return [Widget("台账报送进度", html=_widget_html, order=15, permission="ledger.read")]
