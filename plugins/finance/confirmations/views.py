"""Pages: the requests list and a request's page with the answer form (staff); the public request form and
status lookup (no login, phone-first, plain HTML forms — no script needed)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from core import clock, list_exports
from core.api.base import ApiError
from core.auth.context import current_user
from core.auth.permissions import permission, public
from core.extensions import csrf, db
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, scope_context
from core.web.labels import filter_error_messages
from core.web.nav import NavItem
from core.web.views import page_number, paginate_stmt
from plugins.finance.confirmations import api, attachments, list_export, rules, service
from plugins.finance.confirmations.models import STATUS_LABELS, Confirmation, ConfirmationAttachment, Status

bp = Blueprint("finance_ui", __name__, template_folder="../templates")


@bp.route("/finance/export.xlsx")
@permission("finance.read")
def export():
    """The requests as the list shows them (status, overdue only), in the reader's unit with a 合计."""
    return list_exports.respond(list_export.CONFIRMATIONS_EXPORT, request.args)


@bp.route("/finance")
@permission("finance.read")
def index():
    status = request.args.get("status") or ""
    # A value that is not a status filters nothing: say so in a sentence rather than show every request.
    errors = filter_error_messages(
        {"status": ["不是可选的值"]} if status and status not in STATUS_LABELS else {},
        {"status": request.args.getlist("status")},
        {"status": {str(k): v for k, v in STATUS_LABELS.items()}},
        {"status": "状态"},
    )
    stmt = list_export.statement(request.args)
    rows, pager = paginate_stmt(stmt, page_number())
    overdue_only = request.args.get("overdue") == "1"
    units = {n.id: n.name for n in db.session.scalars(db.select(TenantNode))}
    # How many files each request came with: the office sees at a glance which arrived with evidence.
    attached = dict(
        db.session.execute(
            db.select(ConfirmationAttachment.confirmation_id, db.func.count())
            .where(ConfirmationAttachment.confirmation_id.in_([r.id for r in rows]))
            .group_by(ConfirmationAttachment.confirmation_id)
        ).all()
    )
    return render_template(
        "finance/index.html",
        rows=rows,
        errors=errors,
        attached=attached,
        units=units,
        status=status,
        statuses=STATUS_LABELS,
        overdue_only=overdue_only,
        pager=pager,
        totals=list_export.totals(request.args),
        sort=request.args.get("sort") or "due_on",
        is_overdue=service.is_overdue,
        answered_late=service.answered_late,
    )


def _item_or_404(confirmation_id: int) -> Confirmation:
    item = visible(Confirmation, confirmation_id)
    if item is None:
        abort(404)
    return item


@bp.route("/finance/confirmations/<int:confirmation_id>")
@permission("finance.read")
def detail(confirmation_id: int):
    item = _item_or_404(confirmation_id)
    return _detail_page(item)


def _detail_page(item: Confirmation, errors: dict | None = None, form: dict | None = None, status: int = 200):
    page = render_template(
        "finance/detail.html",
        item=item,
        debtor=db.session.get(TenantNode, item.unit_id),
        steps=api.steps_of(item),
        attachments=attachments.of(item),
        overdue=service.is_overdue(item),
        late=service.answered_late(item),
        reason=rules.BY_CODE.get(item.reason_code or ""),
        reasons=rules.ALLOWED,
        banned=[r for r in rules.REASONS if r.banned],
        can_answer=g.principal.can("finance.answer") and item.status == Status.PENDING,
        errors=errors or {},
        form=form or {},
        today=clock.today(g.principal.jurisdiction),
        **_referral_context(item),
    )
    return page, status


def _referral_context(item: Confirmation) -> dict:
    from plugins.finance.confirmations.models import PRODUCTS, Referral
    from plugins.finance.referrals import service as referrals

    if not g.principal.can("finance.referrals.read"):
        return {"show_referrals": False}
    rows = db.session.scalars(
        db.select(Referral).where(Referral.confirmation_id == item.id).order_by(Referral.id)
    )
    return {
        "show_referrals": True,
        "can_refer": g.principal.can("finance.refer"),
        "referrals": list(rows),
        "partners": referrals.partners(g.principal.jurisdiction),
        "products": PRODUCTS,
        "referable": item.status in referrals.REFERABLE and item.consent == "given",
    }


@bp.route("/finance/confirmations/<int:confirmation_id>/referrals", methods=["POST"])
@permission("finance.refer")
def referral_action(confirmation_id: int):
    """The office's consent, referral and outcome forms on a request's page."""
    from plugins.finance.confirmations.models import Referral
    from plugins.finance.referrals import api as referrals_api
    from plugins.finance.referrals import service as referrals

    item = _item_or_404(confirmation_id)
    form = request.form.to_dict()
    action = form.get("action")
    try:
        if action == "consent":
            referrals.set_consent(
                item, form.get("given") == "1", actor=current_user(), note=form.get("note") or None
            )
        elif action == "refer":
            referrals.refer(item, form.get("partner") or "", actor=current_user())
        elif action == "outcome":
            referral = visible(Referral, int(form.get("referral_id") or 0))
            if referral is None or referral.confirmation_id != item.id:
                abort(404)
            schema = referrals_api.FinanceOutcomeSchema()
            data = {k: v for k, v in form.items() if v.strip() and k in schema.fields}
            errors = schema.validate(data)
            if errors:
                raise service.Refused(errors)
            referrals.record_outcome(referral, schema.load(data), actor=current_user())
        else:
            abort(400)
    except service.Refused as exc:
        db.session.rollback()
        return _detail_page(_item_or_404(confirmation_id), exc.errors, form, 422)
    db.session.commit()
    flash("已记录", "success")
    return redirect(url_for(".detail", confirmation_id=item.id))


@bp.route("/finance/confirmations/<int:confirmation_id>/answer", methods=["POST"])
@permission("finance.answer")
def answer(confirmation_id: int):
    item = _item_or_404(confirmation_id)
    form = request.form.to_dict()
    schema = api.FinanceAnswerSchema()
    data = {k: v for k, v in form.items() if v.strip() and k in schema.fields}
    errors = schema.validate(data)
    if errors:
        return _detail_page(item, errors, form, 422)
    try:
        service.answer(item, schema.load(data), actor=current_user())
    except service.Refused as exc:
        db.session.rollback()
        return _detail_page(_item_or_404(confirmation_id), exc.errors, form, 422)
    db.session.commit()
    flash(f"已答复：{item.status_label}", "success")
    return redirect(url_for(".detail", confirmation_id=item.id))


# --- Public pages ----------------------------------------------------------------------------------------


def _jurisdiction(code: str) -> TenantNode:
    node = service.public_jurisdiction(code)
    if node is None:
        abort(404)
    return node


def _check_csrf() -> None:
    try:
        csrf.protect()
    except CSRFError:
        abort(400, description="页面已过期，请刷新后重新提交")


@bp.route("/public/<jurisdiction_code>/finance/confirm", methods=["GET", "POST"])
@public
def public_request(jurisdiction_code: str):
    jurisdiction = _jurisdiction(jurisdiction_code)
    form, errors, code = {}, {}, None
    status, attached = 200, 0
    if request.method == "POST":
        _check_csrf()
        form = request.form.to_dict()
        form["jurisdiction"] = jurisdiction.code
        try:
            api.limit(api.REQUEST_LIMIT)
            if (request.content_length or 0) > attachments.MAX_REQUEST_BYTES:
                raise service.Refused(
                    {attachments.FIELD: ["附件总大小超过限制，请压缩或减少附件后重试"]}, 413
                )
            files = attachments.form_files()
            code = api.file_public_request(form, files)
            attached = len(files)
        except service.Refused as exc:
            errors, status = exc.errors, exc.status
        except ApiError as exc:
            errors, status = {"_": [exc.message or "请求过于频繁，请稍后再试"]}, exc.status
    with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
        units = [(u.code, u.name) for u in service.debtor_units(jurisdiction.id)]
    page = render_template(
        "finance/public_request.html",
        jurisdiction=jurisdiction,
        units=units,
        form=form,
        errors=errors,
        tracking_code=code,
        days=rules.answer_days(None),
        attachment_hint=attachments.HINT,
        attached=attached,
    )
    return page, status


@bp.route("/public/<jurisdiction_code>/finance/status", methods=["GET", "POST"])
@public
def public_status(jurisdiction_code: str):
    jurisdiction = _jurisdiction(jurisdiction_code)
    result, error, status = None, None, 200
    form = {}
    if request.method == "POST":
        _check_csrf()
        form = request.form.to_dict()
        try:
            api.limit(api.LOOKUP_LIMIT)
            body = {**form, "jurisdiction": jurisdiction.code}
            if form.get("action") == "consent":
                from plugins.finance.referrals.api import public_consent

                result = public_consent(body)
            else:
                result = api.lookup_status(body)
        except ApiError as exc:
            error, status = exc.message or api.NOT_FOUND, exc.status
    page = render_template(
        "finance/public_status.html", jurisdiction=jurisdiction, result=result, error=error, form=form
    )
    return page, status


@bp.route("/public/<jurisdiction_code>/finance/verify")
@public
def public_verify(jurisdiction_code: str):
    jurisdiction = _jurisdiction(jurisdiction_code)
    code = (request.args.get("code") or "").strip()[:40]
    result = None
    status = 200
    if code:
        try:
            api.limit(api.LOOKUP_LIMIT)
            result = api.verify_letter(jurisdiction.code, code)
        except ApiError as exc:
            result, status = {"genuine": False, "error": exc.message}, exc.status
    page = render_template("finance/public_verify.html", jurisdiction=jurisdiction, code=code, result=result)
    return page, status


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "应收账款确权", endpoint="finance_ui.index", order=75, permission="finance.read", plugin="finance"
        )
    ]
