"""Pages: contract reviews — enter the terms, see each finding with its article, fix or answer, sign."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from marshmallow import Schema

from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.plans import plan_for
from core.web.views import get_visible_or_404, page_number, paginate_stmt
from plugins.prevention.common import require_write, writable_unit
from plugins.prevention.errors import Refused
from plugins.prevention.forms import CHECKED, TEMPLATES, blank_to_none, submit
from plugins.prevention.reviews import documents, rules, service
from plugins.prevention.reviews.api import _prepare
from plugins.prevention.reviews.models import ContractReview
from plugins.prevention.reviews.schemas import (
    ReviewAnswerSchema,
    ReviewSignSchema,
    ReviewUpdateSchema,
    ReviewWriteSchema,
)

bp = Blueprint("prevention_reviews_ui", __name__, url_prefix="/prevention", template_folder=str(TEMPLATES))

LABELS = {
    "title": "合同名称",
    "counterparty": "对方单位",
    "counterparty_size": "对方规模",
    "category": "合同类别",
    "contract_amount": "合同金额",
    "contract_date": "签订日期",
    "terms": "合同条款",
    "code": "审查意见",
    "note": "说明",
    "signed_on": "签订日期",
    "contract_no": "合同编号",
}
BOOLEANS = (
    "term_specially_agreed",
    "sme_chose_method",
    "back_to_back",
    "audit_condition",
    "audit_agreed",
    "advance_funding",
)
DEPOSIT_ROWS = 2


def _raw_review(form) -> dict:
    raw = blank_to_none(
        form, ("title", "counterparty", "counterparty_size", "category", "contract_amount", "contract_date")
    )
    terms = blank_to_none(
        form, ("payment_term_days", "clock_start", "acceptance_days", "payment_method", "bill_maturity_days")
    )
    terms = {k: v for k, v in terms.items() if v is not None}
    for name in BOOLEANS:
        terms[name] = form.get(name) in CHECKED
    deposits = []
    for i in range(DEPOSIT_ROWS):
        kind = form.get(f"deposit-{i}-kind")
        if kind:
            row = {"kind": kind, "form": form.get(f"deposit-{i}-form") or "cash"}
            if form.get(f"deposit-{i}-rate"):
                row["rate"] = form.get(f"deposit-{i}-rate").strip()
            row["guarantee_refused"] = form.get(f"deposit-{i}-guarantee_refused") in CHECKED
            deposits.append(row)
    terms["deposits"] = deposits
    raw["terms"] = terms
    return raw


def _choices() -> dict:
    return {
        "sizes": {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"},
        "categories": {"goods": "货物", "works": "工程", "services": "服务"},
        "clock_starts": rules.CLOCK_START_LABELS,
        "methods": rules.METHOD_LABELS,
        "deposit_kinds": rules.DEPOSIT_KIND_LABELS,
        "forms": rules.FORM_LABELS,
        "deposit_rows": range(DEPOSIT_ROWS),
        "status_labels": service.STATUS_LABELS,
    }


@bp.route("/reviews")
@permission("prevention.read")
def reviews():
    rows, pager = paginate_stmt(db.select(ContractReview).order_by(ContractReview.id.desc()), page_number())
    return render_template(
        "prevention/reviews.html",
        rows=rows,
        pager=pager,
        can_write=g.principal.can("prevention.write"),
        **_choices(),
    )


@bp.route("/reviews", methods=["POST"])
@permission("prevention.write")
def review_create():
    def create(data):
        unit = writable_unit(data.pop("unit_id", None))
        return service.create(unit, _prepare(data, unit.id), current_user())

    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.stream.read(documents.MAX_BYTES + 1)
        if len(data) > documents.MAX_BYTES:
            flash("合同文件：不能超过10MB", "error")
            return redirect(url_for(".reviews"))
        kind, problem = documents.inspect(data)
        if kind is None:
            flash(f"合同文件：{problem}", "error")
            return redirect(url_for(".reviews"))
        upload = (upload.filename, data)
    else:
        upload = None

    def create_with_document(data):
        review = create(data)
        if upload is not None:
            documents.attach(review, upload[0], upload[1], current_user())
        return review

    review = submit(ReviewWriteSchema(), _raw_review(request.form), create_with_document, LABELS)
    if review is None:
        return redirect(url_for(".reviews"))
    return redirect(url_for(".review_detail", review_id=review.id))


@bp.route("/reviews/<int:review_id>/documents", methods=["POST"])
@permission("prevention.write")
def review_document(review_id: int):
    review = get_visible_or_404(ContractReview, review_id)
    upload = request.files.get("file")
    data = upload.stream.read(documents.MAX_BYTES + 1) if upload else b""

    def attach(_data):
        require_write(review)
        if review.status == "signed":
            raise Refused({"status": ["合同已签订，审查记录不再修改"]})
        return documents.attach(review, upload.filename if upload else "", data, current_user())

    if submit(_Empty(), {}, attach, {"file": "合同文件", "status": "状态"}) is not None:
        flash("合同文件已上传", "success")
    return redirect(url_for(".review_detail", review_id=review_id))


class _Empty(Schema):
    pass


def _rule_set_label(review: ContractReview) -> str | None:
    """The rule set's name as the plan gives it (《…条例》（2025年修订）), else its id."""
    sets = (plan_for(review.unit).get("rules") or {}).get("rule_sets") or []
    return next((s.get("label") for s in sets if s.get("id") == review.rule_set), review.rule_set)


@bp.route("/reviews/<int:review_id>")
@permission("prevention.read")
def review_detail(review_id: int):
    review = get_visible_or_404(ContractReview, review_id)
    latest = review.documents[-1] if review.documents else None
    return render_template(
        "prevention/review_detail.html",
        review=review,
        clues=documents.clues(documents.text_of(latest)) if latest is not None else [],
        open_codes={f["code"] for f in service.unanswered(review)},
        rule_set_label=_rule_set_label(review),
        can_write=g.principal.can_at("prevention.write", review.unit),
        **_choices(),
    )


@bp.route("/reviews/<int:review_id>", methods=["POST"])
@permission("prevention.write")
def review_update(review_id: int):
    review = get_visible_or_404(ContractReview, review_id)

    def update(data):
        require_write(review)
        before = review.status
        service.update(review, _prepare(data, review.unit_id), current_user())
        return before

    if submit(ReviewUpdateSchema(), _raw_review(request.form), update, LABELS) is not None:
        flash("已重新审查" + ("，未发现问题" if review.status == "clean" else ""), "success")
    return redirect(url_for(".review_detail", review_id=review_id))


@bp.route("/reviews/<int:review_id>/answers", methods=["POST"])
@permission("prevention.write")
def review_answer(review_id: int):
    review = get_visible_or_404(ContractReview, review_id)

    def answer(data):
        require_write(review)
        return service.answer(review, data["code"], data["note"], current_user())

    if (
        submit(ReviewAnswerSchema(), blank_to_none(request.form, ("code", "note")), answer, LABELS)
        is not None
    ):
        flash("说明已记录", "success")
    return redirect(url_for(".review_detail", review_id=review_id))


@bp.route("/reviews/<int:review_id>/sign", methods=["POST"])
@permission("prevention.write")
def review_sign(review_id: int):
    review = get_visible_or_404(ContractReview, review_id)

    def sign(data):
        require_write(review)
        return service.sign(review, data["signed_on"], data.get("contract_no"), current_user())

    if (
        submit(ReviewSignSchema(), blank_to_none(request.form, ("signed_on", "contract_no")), sign, LABELS)
        is not None
    ):
        flash("已登记合同签订", "success")
    return redirect(url_for(".review_detail", review_id=review_id))
