"""/api/v1/accountability/cases and /credit-referrals; /api/v1/public/<code>/accountability/cases."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission, public
from core.extensions import db
from core.tenancy import service as tenancy
from core.tenancy.scope import Scope, scope_context
from plugins.accountability.cases import service
from plugins.accountability.cases.models import CreditReferral, TypicalCase

# Its own blueprint under the same prefix: parts load in any order, and each documents itself.
blp = Blueprint(
    "accountability_cases",
    __name__,
    url_prefix="/accountability",
    description="通报问责：典型案例与失信惩戒移送",
)
public_blp = Blueprint(
    "accountability_public",
    __name__,
    url_prefix="/public",
    description="公开接口：拖欠中小企业账款典型案例（免登录）",
)


class CaseDraftSchema(Schema):
    unit_id = fields.Integer(required=True, metadata={"description": "案例涉及的欠款单位"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    summary = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20000),
        metadata={"description": "案情（债权企业须匿名）"},
    )
    lesson = fields.String(load_default="", validate=validate.Length(max=5000))


class CaseEditSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    summary = fields.String(validate=validate.Length(min=1, max=20000))
    lesson = fields.String(validate=validate.Length(max=5000))


class CaseSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    lesson = fields.String()
    status = fields.String()
    status_label = fields.String()
    approved_on = fields.Date(allow_none=True)
    published_on = fields.Date(allow_none=True)


class PublicCaseSchema(Schema):
    title = fields.String()
    summary = fields.String()
    lesson = fields.String()
    published_on = fields.Date()


class CreditProposeSchema(Schema):
    unit_id = fields.Integer(required=True, metadata={"description": "国有企业或大型企业"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class CreditDecideSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approved", "rejected"]))
    decision_no = fields.String(required=True, validate=validate.Length(min=1, max=100))
    decided_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    decided_on = fields.Date(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=5000))


class CreditSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    reason = fields.String()
    status = fields.String()
    status_label = fields.String()
    decision_no = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    decision_note = fields.String(allow_none=True)


def refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, exc.message, errors={exc.field: [exc.message]})


def jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        raise ApiError(404)
    return node


@blp.route("/cases")
class Cases(MethodView):
    @permission("accountability.cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, CaseSchema(many=True))
    def get(self, args):
        """典型案例（含草稿）"""
        jurisdiction()
        found, headers = paginate(db.select(TypicalCase).order_by(TypicalCase.id.desc()), args)
        return found, 200, headers

    @permission("accountability.cases.manage")
    @blp.arguments(CaseDraftSchema)
    @blp.response(201, CaseSchema)
    def post(self, args):
        """起草典型案例（出现债权企业名称或代码的不予保存）"""
        try:
            row = service.draft(jurisdiction(), actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row


@blp.route("/cases/<int:typical_case_id>")
class CaseItem(MethodView):
    @permission("accountability.cases.read")
    @blp.response(200, CaseSchema)
    def get(self, typical_case_id):
        """一个典型案例"""
        return get_or_404(TypicalCase, typical_case_id)

    @permission("accountability.cases.manage")
    @blp.arguments(CaseEditSchema)
    @blp.response(200, CaseSchema)
    def patch(self, args, typical_case_id):
        """修改草稿"""
        row = get_or_404(TypicalCase, typical_case_id)
        try:
            service.edit(row, actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row


def _step(typical_case_id: int, action):
    row = get_or_404(TypicalCase, typical_case_id)
    try:
        action(row, actor=current_user())
    except service.Refused as exc:
        raise refused(exc) from exc
    db.session.commit()
    return row


@blp.route("/cases/<int:typical_case_id>/approve")
class CaseApprove(MethodView):
    @permission("accountability.cases.manage")
    @blp.response(200, CaseSchema)
    def post(self, typical_case_id):
        """审核通过"""
        return _step(typical_case_id, service.approve)


@blp.route("/cases/<int:typical_case_id>/publish")
class CasePublish(MethodView):
    @permission("accountability.cases.manage")
    @blp.response(200, CaseSchema)
    def post(self, typical_case_id):
        """在辖区公开页面发布（须已审核）"""
        return _step(typical_case_id, service.publish)


@blp.route("/credit-referrals")
class CreditReferrals(MethodView):
    @permission("accountability.cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, CreditSchema(many=True))
    def get(self, args):
        """失信惩戒移送建议及决定"""
        jurisdiction()
        found, headers = paginate(db.select(CreditReferral).order_by(CreditReferral.id.desc()), args)
        return found, 200, headers

    @permission("accountability.cases.manage")
    @blp.arguments(CreditProposeSchema)
    @blp.response(201, CreditSchema)
    def post(self, args):
        """提出失信惩戒移送（国有企业、大型企业）"""
        try:
            row = service.propose_credit(
                jurisdiction(), actor=current_user(), unit_id=args["unit_id"], reason=args["reason"]
            )
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row


@blp.route("/credit-referrals/<int:credit_referral_id>/decide")
class CreditDecide(MethodView):
    @permission("accountability.cases.manage")
    @blp.arguments(CreditDecideSchema)
    @blp.response(200, CreditSchema)
    def post(self, args, credit_referral_id):
        """记录决定：移送或不移送，决定文号、决定机关、日期"""
        row = get_or_404(CreditReferral, credit_referral_id)
        try:
            service.decide(row, actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row


def published_cases(code: str) -> tuple:
    node = tenancy.public_jurisdiction(code, "accountability")
    if node is None:
        return None, []
    with scope_context(Scope(jurisdiction_id=node.id)):
        rows = list(
            db.session.scalars(
                db.select(TypicalCase)
                .where(TypicalCase.jurisdiction_id == node.id, TypicalCase.status == "published")
                .order_by(TypicalCase.published_on.desc(), TypicalCase.id.desc())
            )
        )
    return node, rows


@public_blp.route("/<jurisdiction_code>/accountability/cases")
class PublicCases(MethodView):
    @public
    @public_blp.response(200, PublicCaseSchema(many=True))
    def get(self, jurisdiction_code):
        """某辖区已公开的拖欠中小企业账款典型案例（免登录）"""
        node, rows = published_cases(jurisdiction_code)
        if node is None:
            raise ApiError(404)
        return rows
