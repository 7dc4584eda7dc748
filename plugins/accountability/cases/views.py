"""Pages: typical cases and 失信 referral proposals for the office; the public page of published cases."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for

from core import clock
from core.auth.context import current_user
from core.auth.permissions import permission, public
from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import NavItem
from plugins.accountability import forms
from plugins.accountability.cases import service
from plugins.accountability.cases.api import published_cases
from plugins.accountability.cases.models import CreditReferral, TypicalCase

bp = Blueprint("accountability_cases_ui", __name__, template_folder="../templates")


def _back(message: str, ok: bool):
    return forms.back(url_for(".cases"), message, ok)


def _run(action, done: str):
    return forms.run(url_for(".cases"), action, done)


@bp.route("/accountability/cases")
@permission("accountability.cases.read")
def cases():
    node = forms.jurisdiction()
    units = {n.id: n for n in db.session.scalars(db.select(TenantNode).order_by(TenantNode.path))}
    return render_template(
        "accountability/cases.html",
        cases=list(db.session.scalars(db.select(TypicalCase).order_by(TypicalCase.id.desc()))),
        credits=list(db.session.scalars(db.select(CreditReferral).order_by(CreditReferral.id.desc()))),
        units=units,
        choices=[u for u in units.values() if u.id != node.id],
        debtors=[u for u in units.values() if u.kind in service.DEBTOR_KINDS],
        jurisdiction=node,
        today=clock.today(node),
        can_manage=g.principal.can("accountability.cases.manage"),
    )


@bp.route("/accountability/cases", methods=["POST"])
@permission("accountability.cases.manage")
def case_draft():
    node = forms.jurisdiction()
    form = request.form
    unit_id = form.get("unit_id") or ""
    if (
        not unit_id.isdigit()
        or not (form.get("title") or "").strip()
        or not (form.get("summary") or "").strip()
    ):
        return _back("请填写单位、标题和案情", False)
    values = {
        "unit_id": int(unit_id),
        "title": form["title"],
        "summary": form["summary"],
        "lesson": form.get("lesson"),
    }
    return _run(lambda: service.draft(node, actor=current_user(), values=values), "已保存案例草稿")


@bp.route("/accountability/cases/<int:typical_case_id>/edit", methods=["POST"])
@permission("accountability.cases.manage")
def case_edit(typical_case_id: int):
    row = forms.visible_or_404(TypicalCase, typical_case_id)
    form = request.form
    values = {k: form.get(k) for k in ("title", "summary", "lesson")}
    if not (values["title"] or "").strip() or not (values["summary"] or "").strip():
        return _back("请填写标题和案情", False)
    return _run(lambda: service.edit(row, actor=current_user(), values=values), "已修改案例草稿")


@bp.route("/accountability/credit-referrals", methods=["POST"])
@permission("accountability.cases.manage")
def credit_propose():
    node = forms.jurisdiction()
    unit_id, reason = request.form.get("unit_id") or "", (request.form.get("reason") or "").strip()
    if not unit_id.isdigit() or not reason:
        return _back("请选择企业并填写移送理由", False)
    return _run(
        lambda: service.propose_credit(node, actor=current_user(), unit_id=int(unit_id), reason=reason),
        "已提出失信惩戒移送建议",
    )


@bp.route("/accountability/credit-referrals/<int:credit_referral_id>/decide", methods=["POST"])
@permission("accountability.cases.manage")
def credit_decide(credit_referral_id: int):
    row = forms.visible_or_404(CreditReferral, credit_referral_id)
    form = request.form
    decided_on = forms.form_date(form.get("decided_on"))
    values = {
        "decision": form.get("decision"),
        "decision_no": (form.get("decision_no") or "").strip(),
        "decided_by": (form.get("decided_by") or "").strip(),
        "decided_on": decided_on,
        "note": form.get("note"),
    }
    if values["decision"] not in ("approved", "rejected") or not all(
        values[k] for k in ("decision_no", "decided_by", "decided_on")
    ):
        return _back("请选择决定并填写决定文号、决定机关和日期", False)
    return _run(lambda: service.decide(row, actor=current_user(), values=values), "已记录决定")


@bp.route("/accountability/cases/<int:typical_case_id>/approve", methods=["POST"])
@permission("accountability.cases.manage")
def case_approve(typical_case_id: int):
    return _case_step(typical_case_id, "approve")


@bp.route("/accountability/cases/<int:typical_case_id>/publish", methods=["POST"])
@permission("accountability.cases.manage")
def case_publish(typical_case_id: int):
    return _case_step(typical_case_id, "publish")


def _case_step(typical_case_id: int, step: str):
    row = forms.visible_or_404(TypicalCase, typical_case_id)
    act = service.approve if step == "approve" else service.publish
    return _run(lambda: act(row, actor=current_user()), "已审核" if step == "approve" else "已在公开页面发布")


@bp.route("/public/<jurisdiction_code>/cases")
@public
def public_cases(jurisdiction_code: str):
    node, rows = published_cases(jurisdiction_code)
    if node is None:
        abort(404)
    return render_template("accountability/public_cases.html", jurisdiction=node, cases=rows)


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "典型案例",
            endpoint="accountability_cases_ui.cases",
            order=81,
            permission="accountability.cases.read",
            plugin="accountability",
        )
    ]
