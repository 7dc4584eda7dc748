"""Running a review, answering its findings and signing: every step goes into the decision log."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.services import history
from core.tenancy.plans import plan_for
from plugins.prevention.errors import Refused
from plugins.prevention.reviews import rules
from plugins.prevention.reviews.models import ContractReview, ReviewDecision

STATUS_LABELS = {"problems": "存在问题待整改", "clean": "审查通过", "signed": "已签订"}


class ReviewRefused(Refused):
    pass


def _log(review: ContractReview, action: str, actor, *, fixed=(), note: str | None = None) -> None:
    db.session.add(
        ReviewDecision(
            jurisdiction_id=review.jurisdiction_id,
            unit_id=review.unit_id,
            review_id=review.id,
            action=action,
            status=review.status,
            findings=list(review.findings),
            fixed=list(fixed),
            note=note,
            clean=not unanswered(review),
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "label", None) or ("系统" if actor is None else None),
        )
    )


def unanswered(review: ContractReview) -> list[dict]:
    return [f for f in review.findings if f["code"] not in (review.answers or {})]


def _check(review: ContractReview) -> list[str]:
    """Run the rules on the review's terms; returns the codes of findings that went away (fixed)."""
    plan = plan_for(review.unit, on=review.contract_date) if review.contract_date else plan_for(review.unit)
    ctx = rules.context_for(
        review.unit, plan, review.contract_date, for_project=review.project_id is not None
    )
    found = rules.review(review.terms, ctx, review.contract_amount, review.counterparty_size)
    before = {f["code"] for f in review.findings or []}
    review.findings = [f.as_dict() for f in found]
    review.rule_set = ctx.rules.get("rule_set")
    now = {f.code for f in found}
    review.answers = {code: text for code, text in (review.answers or {}).items() if code in now}
    new = now - before
    fixed = sorted(before - now)
    review.problems_found = (review.problems_found or 0) + len(new)
    review.problems_fixed = (review.problems_fixed or 0) + len(fixed)
    review.status = "problems" if unanswered(review) else "clean"
    return fixed


FIELDS = (
    "title",
    "counterparty",
    "counterparty_size",
    "category",
    "contract_amount",
    "contract_date",
    "project_id",
)


def create(unit, data: dict, actor) -> ContractReview:
    review = ContractReview(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        unit=unit,
        terms=data["terms"],
        findings=[],
        answers={},
        created_by_id=getattr(actor, "id", None),
        **{key: data.get(key) for key in FIELDS},
    )
    _check(review)
    db.session.add(review)
    db.session.flush()
    _log(review, "checked", actor)
    history.record(
        review, "created", after={"status": review.status, "findings": len(review.findings)}, actor=actor
    )
    return review


def update(review: ContractReview, data: dict, actor) -> ContractReview:
    if review.status == "signed":
        raise ReviewRefused({"status": ["合同已签订，审查记录不再修改"]})
    for key in FIELDS:
        if key in data:
            setattr(review, key, data[key])
    if "terms" in data:
        review.terms = data["terms"]
    fixed = _check(review)
    review.version += 1
    db.session.flush()
    _log(review, "rechecked", actor, fixed=fixed)
    history.record(
        review,
        "rechecked",
        after={"status": review.status, "fixed": fixed, "findings": len(review.findings)},
        actor=actor,
    )
    return review


def answer(review: ContractReview, code: str, note: str, actor) -> ContractReview:
    """The unit keeps a flagged term and says why; the answer is logged and the finding counts as answered."""
    if review.status == "signed":
        raise ReviewRefused({"status": ["合同已签订，审查记录不再修改"]})
    codes = {f["code"] for f in review.findings}
    if code not in codes:
        raise ReviewRefused({"code": ["该审查意见不存在或已整改"]})
    review.answers = {**(review.answers or {}), code: note}
    review.status = "problems" if unanswered(review) else "clean"
    review.version += 1
    db.session.flush()
    _log(review, "answered", actor, note=f"{code}：{note}")
    return review


def sign(review: ContractReview, signed_on: dt.date, contract_no: str | None, actor) -> ContractReview:
    if review.status == "signed":
        raise ReviewRefused({"status": ["合同已签订"]})
    open_findings = unanswered(review)
    if open_findings:
        raise ReviewRefused(
            {"findings": [f"尚有 {len(open_findings)} 条审查意见未整改或未说明，不能登记签订"]}
        )
    review.status = "signed"
    review.signed_on = signed_on
    review.contract_no = contract_no
    review.version += 1
    db.session.flush()
    _log(review, "signed", actor, note=contract_no)
    history.record(
        review, "signed", after={"signed_on": signed_on.isoformat(), "contract_no": contract_no}, actor=actor
    )
    return review
