"""/api/v1/accountability/referrals: 问责移送 — prepare, package, hand over, outcome."""

from __future__ import annotations

import io

from flask import g, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.accountability.referrals import package, service
from plugins.accountability.referrals.models import Referral

# Its own blueprint under the same prefix: parts load in any order, and each documents itself.
blp = Blueprint(
    "accountability_referrals", __name__, url_prefix="/accountability", description="通报问责：问责移送"
)


class ReferralPrepareSchema(Schema):
    unit_id = fields.Integer(required=True)
    basis = fields.String(
        required=True,
        validate=validate.Length(min=1, max=5000),
        metadata={"description": "移送依据：经认定的瞒报、屡次逾期等"},
    )
    finding_ids = fields.List(
        fields.Integer(),
        load_default=None,
        metadata={
            "description": "所依据的瞒报漏报认定（须为该单位已认定的疑点；不填则取该单位全部已认定疑点）"
        },
    )


class ReferralHandOverSchema(Schema):
    handed_over_on = fields.Date(required=True)
    received_by = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"description": "接收单位及经办人"}
    )


class ReferralOutcomeSchema(Schema):
    outcome_on = fields.Date(required=True)
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ReferralSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    basis = fields.String()
    finding_ids = fields.List(fields.Integer(), dump_default=list)
    status = fields.String()
    status_label = fields.String()
    handed_over_on = fields.Date(allow_none=True)
    received_by = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_on = fields.Date(allow_none=True)


def refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, exc.message, errors={exc.field: [exc.message]})


@blp.route("/referrals")
class Referrals(MethodView):
    @permission("accountability.referral.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, ReferralSchema(many=True))
    def get(self, args):
        """问责移送记录"""
        if g.principal.jurisdiction is None:
            raise ApiError(404)
        found, headers = paginate(db.select(Referral).order_by(Referral.id.desc()), args)
        return found, 200, headers

    @permission("accountability.referral.manage")
    @blp.arguments(ReferralPrepareSchema)
    @blp.response(201, ReferralSchema)
    def post(self, args):
        """整理问责移送：单位和移送依据（证据包按实时数据生成）"""
        node = g.principal.jurisdiction
        if node is None:
            raise ApiError(404)
        try:
            row = service.prepare(
                node,
                actor=current_user(),
                unit_id=args["unit_id"],
                basis=args["basis"],
                finding_ids=args["finding_ids"],
            )
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row


@blp.route("/referrals/<int:referral_id>")
class ReferralItem(MethodView):
    @permission("accountability.referral.read")
    @blp.response(200, ReferralSchema)
    def get(self, referral_id):
        """一次问责移送"""
        return get_or_404(Referral, referral_id)


@blp.route("/referrals/<int:referral_id>/package.zip")
class ReferralPackage(MethodView):
    @permission("accountability.referral.read")
    def get(self, referral_id):
        """移送材料包（.zip）：移送摘要（Word）、台账报送快照、经认定的瞒报漏报及差异、历史记录、督办过程"""
        row = get_or_404(Referral, referral_id)
        return send_file(
            io.BytesIO(package.to_zip(row)),
            mimetype="application/zip",
            as_attachment=True,
            download_name=f"问责移送材料{row.id}.zip",
        )


@blp.route("/referrals/<int:referral_id>/hand-over")
class ReferralHandOver(MethodView):
    @permission("accountability.referral.manage")
    @blp.arguments(ReferralHandOverSchema)
    @blp.response(200, ReferralSchema)
    def post(self, args, referral_id):
        """记录移交纪检监察机关"""
        row = get_or_404(Referral, referral_id)
        try:
            service.hand_over(
                row, actor=current_user(), on=args["handed_over_on"], received_by=args["received_by"]
            )
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row


@blp.route("/referrals/<int:referral_id>/outcome")
class ReferralOutcome(MethodView):
    @permission("accountability.referral.manage")
    @blp.arguments(ReferralOutcomeSchema)
    @blp.response(200, ReferralSchema)
    def post(self, args, referral_id):
        """记录处理结果"""
        row = get_or_404(Referral, referral_id)
        try:
            service.conclude(row, actor=current_user(), on=args["outcome_on"], outcome=args["outcome"])
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row
