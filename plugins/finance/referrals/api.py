"""/api/v1/finance/referrals, the consent actions, the partners and the export for the financing partners."""

from __future__ import annotations

import io

from flask import g, request, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.api.schemas import MoneyField
from core.auth.context import current_user
from core.auth.permissions import permission, public
from core.extensions import db
from core.tenancy.scope import Scope, scope_context
from plugins.finance.confirmations import api as confirmations_api
from plugins.finance.confirmations import service as confirmations
from plugins.finance.confirmations.models import PRODUCTS, Confirmation, Referral, ReferralStatus
from plugins.finance.referrals import export, service

blp = Blueprint(
    "finance_referrals",
    __name__,
    url_prefix="/finance",
    description="供应链金融推介：经企业同意推介融资、记录结果",
)
public_blp = Blueprint(
    "finance_public_consent", __name__, url_prefix="/public", description="公开接口：企业同意或撤回推介融资"
)


class FinanceReferralSchema(Schema):
    id = fields.Integer()
    confirmation_id = fields.Integer()
    partner_code = fields.String()
    partner_name = fields.String()
    referred_on = fields.Date()
    status = fields.String(
        metadata={"description": "referred 待反馈 | financed 已融资 | declined 未获融资 | withdrawn 已撤回"}
    )
    status_label = fields.String()
    product = fields.String(
        allow_none=True, metadata={"description": "factoring 保理 | pledge 质押 | scf_bill 供应链票据"}
    )
    product_label = fields.String(allow_none=True)
    financed_amount = MoneyField(allow_none=True)
    annual_rate = fields.Decimal(
        as_string=True, allow_none=True, metadata={"type": "string", "description": "年化利率（%）"}
    )
    financed_on = fields.Date(allow_none=True)
    declined_reason = fields.String(allow_none=True)
    outcome_on = fields.Date(allow_none=True)
    creditor_name = fields.Function(lambda r: r.confirmation.creditor_name)
    confirmed_amount = MoneyField(attribute="confirmation.confirmed_amount", allow_none=True, dump_only=True)
    version = fields.Integer()


class ListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in ReferralStatus]))


class FinanceReferSchema(Schema):
    confirmation_id = fields.Integer(required=True)
    partner = fields.String(required=True, metadata={"description": "合作机构编码（GET /finance/partners）"})


ANNUAL_RATE_PATTERN = r"^(?=[0-9.]*[1-9])(0|[1-9][0-9]?)(\.[0-9]{1,4})?$"


class FinanceOutcomeSchema(Schema):
    outcome = fields.String(
        required=True, validate=validate.OneOf([ReferralStatus.FINANCED, ReferralStatus.DECLINED])
    )
    product = fields.String(load_default=None, validate=validate.OneOf(list(PRODUCTS)))
    financed_amount = MoneyField(load_default=None)
    # Above 0 and below 100 (per cent), at most four places (NUMERIC(7, 4)): the pattern states it for the
    # document; record_outcome checks it with the other outcome fields, so every problem is named at once.
    annual_rate = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=4,
        metadata={
            "type": "string",
            "pattern": ANNUAL_RATE_PATTERN,
            "description": '年化利率（%），如 "3.85"',
        },
    )
    financed_on = fields.Date(load_default=None)
    declined_reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class FinanceConsentSchema(Schema):
    given = fields.Boolean(required=True, metadata={"description": "true 同意推介融资 | false 撤回同意"})
    note = fields.String(
        load_default=None, validate=validate.Length(max=500), metadata={"description": "书面同意的凭据"}
    )


def _refused(exc: confirmations.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(422, errors=exc.errors)


@blp.route("/partners")
class Partners(MethodView):
    @permission("finance.refer")
    def get(self):
        """方案所列的合作金融机构（银行、应收账款融资服务平台）"""
        return service.partners(g.principal.jurisdiction)


@blp.route("/confirmations/<int:confirmation_id>/consent")
class Consent(MethodView):
    @permission("finance.refer")
    @blp.arguments(FinanceConsentSchema)
    def post(self, args, confirmation_id):
        """清欠办登记企业书面同意或撤回同意推介融资（撤回时待反馈的推介一并撤回）"""
        item = get_or_404(Confirmation, confirmation_id)
        try:
            service.set_consent(item, args["given"], actor=current_user(), note=args["note"])
        except confirmations.Refused as exc:
            raise _refused(exc) from exc
        db.session.commit()
        return confirmations_api.FinanceDetailSchema().dump(item)


@blp.route("/referrals")
class Referrals(MethodView):
    @permission("finance.referrals.read")
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, FinanceReferralSchema(many=True))
    def get(self, args):
        """推介记录（最新在前）"""
        stmt = db.select(Referral).order_by(Referral.referred_on.desc(), Referral.id.desc())
        if args.get("status"):
            stmt = stmt.where(Referral.status == args["status"])
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("finance.refer")
    @blp.arguments(FinanceReferSchema)
    @blp.response(201, FinanceReferralSchema)
    def post(self, args):
        """推介一笔已确认的应收账款（须企业同意；同一笔同时只能有一个待反馈的推介）"""
        item = get_or_404(Confirmation, args["confirmation_id"])
        try:
            referral = service.refer(item, args["partner"], actor=current_user())
        except confirmations.Refused as exc:
            raise _refused(exc) from exc
        db.session.commit()
        return referral, 201, {"Location": f"/api/v1/finance/referrals/{referral.id}"}


@blp.route("/referrals/<int:finance_referral_id>")
class ReferralItem(MethodView):
    @permission("finance.referrals.read")
    @blp.response(200, FinanceReferralSchema)
    def get(self, finance_referral_id):
        """一次推介及其结果"""
        return get_or_404(Referral, finance_referral_id)


@blp.route("/referrals/<int:finance_referral_id>/outcome")
class Outcome(MethodView):
    @permission("finance.refer")
    @blp.arguments(FinanceOutcomeSchema)
    @blp.response(200, FinanceReferralSchema)
    def post(self, args, finance_referral_id):
        """记录推介结果：已融资（方式、金额、年化利率、放款日期）或未获融资（原因）"""
        referral = get_or_404(Referral, finance_referral_id)
        try:
            service.record_outcome(referral, args, actor=current_user())
        except confirmations.Refused as exc:
            raise _refused(exc) from exc
        db.session.commit()
        return referral


@blp.route("/referrals/export.xlsx")
class Export(MethodView):
    @permission("finance.refer")
    def get(self):
        """推介清单（Excel，版式见 plugins/finance/README.md）：待反馈且企业仍同意的推介；partner 筛选"""
        data = export.to_xlsx(export.rows(request.args.get("partner") or None))
        return send_file(
            io.BytesIO(data),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name="应收账款推介清单.xlsx",
        )


@public_blp.route("/finance/confirmations/consent")
class PublicConsent(MethodView):
    @public
    def post(self):
        """企业凭查询码和联系电话后四位同意（given=true）或撤回（given=false）推介融资"""
        confirmations_api.limit(confirmations_api.LOOKUP_LIMIT)
        data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(data, dict):
            raise ApiError(404, confirmations_api.NOT_FOUND)
        return public_consent(data)


def public_consent(data: dict) -> dict:
    jurisdiction = confirmations.public_jurisdiction(str(data.get("jurisdiction") or ""))
    if jurisdiction is None:
        raise ApiError(404, confirmations_api.NOT_FOUND)
    given = data.get("given")
    given = given is True or str(given).lower() in ("1", "true", "yes", "on")
    with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
        item = confirmations.lookup(
            jurisdiction.id, str(data.get("tracking_code") or ""), str(data.get("phone_last4") or "")
        )
        if item is None:
            raise ApiError(404, confirmations_api.NOT_FOUND)
        try:
            service.set_consent(item, given)
        except confirmations.Refused as exc:
            raise _refused(exc) from exc
        out = confirmations.public_status(item)
        db.session.commit()
    return out
