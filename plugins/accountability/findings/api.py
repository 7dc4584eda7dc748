"""/api/v1/accountability/flag-findings: the office confirms or dismisses the ledger's concealment flags."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.accountability.findings import service
from plugins.accountability.findings.models import CONFIRMED, DISMISSED, FlagFinding

# Its own blueprint under the same prefix: parts load in any order, and each documents itself.
blp = Blueprint(
    "accountability_findings",
    __name__,
    url_prefix="/accountability",
    description="通报问责：瞒报漏报认定（只有认定的疑点计入通报、考核和问责移送）",
)


class FindingListArgs(PageArgs):
    finding = fields.String(validate=validate.OneOf([CONFIRMED, DISMISSED]))
    current = fields.Boolean(
        metadata={"description": "true 只列各疑点现行的认定（未被更正的）；false 只列已被更正的"}
    )


class FindingDecideSchema(Schema):
    flag_id = fields.Integer(required=True, metadata={"description": "台账的瞒报漏报疑点编号"})
    finding = fields.String(
        required=True,
        validate=validate.OneOf([CONFIRMED, DISMISSED]),
        metadata={"description": "confirmed 认定瞒报漏报；dismissed 排除"},
    )
    note = fields.String(
        required=True, validate=validate.Length(min=1, max=5000), metadata={"description": "核实情况"}
    )


class FindingCorrectSchema(Schema):
    finding = fields.String(
        required=True,
        validate=validate.OneOf([CONFIRMED, DISMISSED]),
        metadata={"description": "更正后的认定：confirmed 认定瞒报漏报；dismissed 排除"},
    )
    note = fields.String(
        required=True, validate=validate.Length(min=1, max=5000), metadata={"description": "核实情况"}
    )
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=5000), metadata={"description": "更正理由"}
    )


class FindingSchema(Schema):
    id = fields.Integer()
    flag_id = fields.Integer()
    round_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    debt_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    finding = fields.String()
    finding_label = fields.String()
    note = fields.String()
    decided_on = fields.Date()
    decided_by_name = fields.String()
    corrects_id = fields.Integer(allow_none=True, metadata={"description": "本条更正的原认定"})
    reason = fields.String(allow_none=True, metadata={"description": "更正理由"})


@blp.route("/flag-findings")
class Findings(MethodView):
    @permission("accountability.flags.read")
    @blp.arguments(FindingListArgs, location="query")
    @blp.response(200, FindingSchema(many=True))
    def get(self, args):
        """瞒报漏报认定记录（可按认定结果筛选）"""
        if g.principal.jurisdiction is None:
            raise ApiError(404)
        stmt = db.select(FlagFinding).order_by(FlagFinding.id.desc())
        if args.get("finding"):
            stmt = stmt.where(FlagFinding.finding == args["finding"])
        if "current" in args:
            stmt = stmt.where(service.current() if args["current"] else ~service.current())
        found, headers = paginate(stmt, args)
        return found, 200, headers

    @permission("accountability.flags.confirm")
    @blp.arguments(FindingDecideSchema)
    @blp.response(201, FindingSchema)
    def post(self, args):
        """对一条瞒报漏报疑点作出认定：认定或排除，须写明核实情况；每条疑点只认定一次"""
        node = g.principal.jurisdiction
        if node is None:
            raise ApiError(404)
        try:
            row = service.decide(node, actor=current_user(), **args)
        except service.Refused as exc:
            db.session.rollback()
            raise ApiError(exc.status, exc.message, errors={exc.field: [exc.message]}) from exc
        db.session.commit()
        return row


@blp.route("/flag-findings/<int:flag_finding_id>")
class FindingItem(MethodView):
    @permission("accountability.flags.read")
    @blp.response(200, FindingSchema)
    def get(self, flag_finding_id):
        """一条认定"""
        return get_or_404(FlagFinding, flag_finding_id)


@blp.route("/flag-findings/<int:flag_finding_id>/corrections")
class FindingCorrections(MethodView):
    @permission("accountability.flags.confirm")
    @blp.arguments(FindingCorrectSchema)
    @blp.response(201, FindingSchema)
    def post(self, args, flag_finding_id):
        """更正一条认定：写明理由，生成新的认定并引用原认定；原认定保留不变"""
        node = g.principal.jurisdiction
        if node is None:
            raise ApiError(404)
        get_or_404(FlagFinding, flag_finding_id)
        try:
            row = service.correct(node, actor=current_user(), finding_id=flag_finding_id, **args)
        except service.Refused as exc:
            db.session.rollback()
            raise ApiError(422, exc.message, errors={exc.field: [exc.message]}) from exc
        db.session.commit()
        return row
