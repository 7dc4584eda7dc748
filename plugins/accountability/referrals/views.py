"""Page: referrals to discipline inspection (the office prepares, hands over, records the outcome)."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for

from core import clock
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import NavItem
from plugins.accountability import forms
from plugins.accountability.findings import service as findings
from plugins.accountability.referrals import service
from plugins.accountability.referrals.models import Referral

bp = Blueprint("accountability_referrals_ui", __name__, template_folder="../templates")


@bp.route("/accountability/referrals")
@permission("accountability.referral.read")
def referrals():
    node = forms.jurisdiction()
    units = {n.id: n for n in db.session.scalars(db.select(TenantNode).order_by(TenantNode.path))}
    return render_template(
        "accountability/referrals.html",
        referrals=list(db.session.scalars(db.select(Referral).order_by(Referral.id.desc()))),
        units=units,
        choices=[u for u in units.values() if u.id != node.id],
        findings=list(db.session.scalars(findings.confirmed(jurisdiction_id=node.id))),
        today=clock.today(node),
        can_manage=g.principal.can("accountability.referral.manage"),
    )


def _done(message: str, ok: bool):
    return forms.back(url_for(".referrals"), message, ok)


def _run(action, done: str):
    return forms.run(url_for(".referrals"), action, done)


@bp.route("/accountability/referrals", methods=["POST"])
@permission("accountability.referral.manage")
def referral_prepare():
    node = forms.jurisdiction()
    unit_id, basis = request.form.get("unit_id") or "", (request.form.get("basis") or "").strip()
    if not unit_id.isdigit() or not basis:
        return _done("请选择单位并填写移送依据", False)
    chosen = [int(i) for i in request.form.getlist("finding_ids") if i.isdigit()]
    return _run(
        lambda: service.prepare(
            node, actor=current_user(), unit_id=int(unit_id), basis=basis, finding_ids=chosen or None
        ),
        "已整理问责移送材料",
    )


def _referral(referral_id: int) -> Referral:
    return forms.visible_or_404(Referral, referral_id)


@bp.route("/accountability/referrals/<int:referral_id>/hand-over", methods=["POST"])
@permission("accountability.referral.manage")
def referral_hand_over(referral_id: int):
    row = _referral(referral_id)
    on, received_by = (
        forms.form_date(request.form.get("handed_over_on")),
        (request.form.get("received_by") or "").strip(),
    )
    if on is None or not received_by:
        return _done("请填写移送日期和接收单位", False)
    return _run(
        lambda: service.hand_over(row, actor=current_user(), on=on, received_by=received_by), "已记录移送"
    )


@bp.route("/accountability/referrals/<int:referral_id>/outcome", methods=["POST"])
@permission("accountability.referral.manage")
def referral_outcome(referral_id: int):
    row = _referral(referral_id)
    on, outcome = forms.form_date(request.form.get("outcome_on")), (request.form.get("outcome") or "").strip()
    if on is None or not outcome:
        return _done("请填写处理结果和日期", False)
    return _run(lambda: service.conclude(row, actor=current_user(), on=on, outcome=outcome), "已记录处理结果")


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "问责移送",
            endpoint="accountability_referrals_ui.referrals",
            order=80,
            permission="accountability.referral.read",
            plugin="accountability",
        )
    ]
