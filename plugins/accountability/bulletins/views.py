"""Pages: the bulletin list (drafting for the office, 未阅 for units) and one bulletin."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core import clock
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.isolation import visible
from core.web.nav import NavItem, Widget
from plugins.accountability.bulletins import export, service
from plugins.accountability.bulletins.models import Bulletin, BulletinRecipient

bp = Blueprint("accountability_ui", __name__, template_folder="../templates")


def _jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        abort(404)
    return node


def _bulletin(bulletin_id: int) -> Bulletin:
    bulletin = visible(Bulletin, bulletin_id)
    if bulletin is None:
        abort(404)
    return bulletin


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.route("/accountability/bulletins")
@permission("accountability.read")
def bulletins():
    jurisdiction = _jurisdiction()
    rows = list(db.session.scalars(db.select(Bulletin).order_by(Bulletin.id.desc()).limit(200)))
    unread = set(
        db.session.scalars(
            db.select(BulletinRecipient.bulletin_id).where(BulletinRecipient.read_at.is_(None))
        )
    )
    return render_template(
        "accountability/bulletins.html",
        bulletins=rows,
        unread=unread,
        today=clock.today(jurisdiction),
        can_manage=g.principal.can("accountability.manage"),
    )


@bp.route("/accountability/bulletins", methods=["POST"])
@permission("accountability.manage")
def bulletin_create():
    jurisdiction = _jurisdiction()
    raw = request.form.get("period_end")
    period_end = _date(raw)
    if raw and period_end is None:
        flash("统计截止日期格式不正确", "error")
        return redirect(url_for(".bulletins"))
    try:
        bulletin = service.create(jurisdiction, actor=current_user(), values={"period_end": period_end})
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".bulletins"))
    db.session.commit()
    flash("已按实时数据生成通报草稿", "success")
    return redirect(url_for(".bulletin", bulletin_id=bulletin.id))


@bp.route("/accountability/bulletins/<int:bulletin_id>")
@permission("accountability.read")
def bulletin(bulletin_id: int):
    item = _bulletin(bulletin_id)
    rows = service.recipients(item)
    return render_template(
        "accountability/bulletin.html",
        bulletin=item,
        recipients=rows,
        unread=[r for r in rows if r.read_at is None],
        corrected_by=service.corrected_by(item),
        corrects=visible(Bulletin, item.corrects_id),
        heading=export.heading,
        cell_text=export.cell_text,
        can_manage=g.principal.can("accountability.manage"),
        can_acknowledge=g.principal.can("accountability.acknowledge"),
    )


def _act(bulletin_id: int, action, success: str):
    item = _bulletin(bulletin_id)
    try:
        action(item)
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".bulletin", bulletin_id=bulletin_id))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".bulletin", bulletin_id=bulletin_id))


@bp.route("/accountability/bulletins/<int:bulletin_id>/edit", methods=["POST"])
@permission("accountability.manage")
def bulletin_edit(bulletin_id: int):
    values = {key: request.form.get(key) for key in ("title", "intro", "closing", "cc")}
    values["regenerate"] = request.form.get("regenerate") == "1"
    return _act(
        bulletin_id,
        lambda item: service.update(item, actor=current_user(), values=values),
        "已按实时数据重新生成表格" if values["regenerate"] else "草稿已保存",
    )


@bp.route("/accountability/bulletins/<int:bulletin_id>/issue", methods=["POST"])
@permission("accountability.manage")
def bulletin_issue(bulletin_id: int):
    return _act(bulletin_id, lambda item: service.issue(item, actor=current_user()), "通报已印发")


@bp.route("/accountability/bulletins/<int:bulletin_id>/correct", methods=["POST"])
@permission("accountability.manage")
def bulletin_correct(bulletin_id: int):
    item = _bulletin(bulletin_id)
    try:
        draft = service.create(_jurisdiction(), actor=current_user(), values={"corrects_id": item.id})
    except service.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".bulletin", bulletin_id=bulletin_id))
    db.session.commit()
    flash("已生成更正通报草稿", "success")
    return redirect(url_for(".bulletin", bulletin_id=draft.id))


@bp.route("/accountability/bulletins/<int:bulletin_id>/acknowledge", methods=["POST"])
@permission("accountability.acknowledge")
def bulletin_acknowledge(bulletin_id: int):
    return _act(
        bulletin_id,
        lambda item: service.acknowledge(item, actor=current_user(), unit_ids=g.principal.scope.unit_ids),
        "已阅",
    )


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "通报",
            endpoint="accountability_ui.bulletins",
            order=75,
            permission="accountability.read",
            plugin="accountability",
        )
    ]


def _widget_html() -> str:
    """Units: the bulletins sent to them they have not read. Office: the latest issued and who has not."""
    if g.principal.jurisdiction is None:
        return ""
    latest = db.session.scalars(
        db.select(Bulletin).where(Bulletin.status == "issued").order_by(Bulletin.id.desc()).limit(1)
    ).first()
    unread = list(
        db.session.scalars(
            db.select(Bulletin)
            .where(
                Bulletin.id.in_(
                    db.select(BulletinRecipient.bulletin_id).where(BulletinRecipient.read_at.is_(None))
                )
            )
            .order_by(Bulletin.id.desc())
        )
    )
    missing = [r for r in service.recipients(latest) if r.read_at is None] if latest else []
    return render_template(
        "accountability/widget.html",
        latest=latest,
        unread=unread,
        missing=missing,
        office=g.principal.can("accountability.manage"),
    )


def WIDGETS(tenant, user) -> list[Widget]:  # noqa: N802 - the plugin skeleton collects this name
    return [Widget("通报", html=_widget_html, order=45, permission="accountability.read")]
