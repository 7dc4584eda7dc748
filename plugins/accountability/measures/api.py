"""/api/v1/accountability/measures: the register of restriction measures (限制措施)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.accountability.measures import service
from plugins.accountability.measures.models import Measure

# Its own blueprint under the same prefix: parts load in any order, and each documents itself.
blp = Blueprint(
    "accountability_measures", __name__, url_prefix="/accountability", description="通报问责：限制措施登记簿"
)


class MeasureListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["active", "lifted"]))


class MeasureRecordSchema(Schema):
    unit_id = fields.Integer(required=True, metadata={"description": "被采取措施的单位或国有企业"})
    measure_type = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"description": "方案所列措施类型"}
    )
    decision_no = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"description": "决定文号"}
    )
    decided_by = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"description": "决定机关"}
    )
    start_on = fields.Date(required=True)
    lift_condition = fields.String(load_default="", validate=validate.Length(max=2000))
    lift_on = fields.Date(load_default=None, metadata={"description": "解除日期（或填写解除条件）"})


class MeasureLiftSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MeasureSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    measure_type = fields.String()
    decision_no = fields.String()
    decided_by = fields.String()
    start_on = fields.Date()
    lift_condition = fields.String()
    lift_on = fields.Date(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    lifted_on = fields.Date(allow_none=True)
    lift_reason = fields.String(allow_none=True)
    lift_prompt = fields.String(
        allow_none=True, metadata={"description": "提示解除：欠款已清偿或已到解除日期"}
    )


def rows(measures: list[Measure]) -> list[dict]:
    from core.tenancy.isolation import visible
    from core.tenancy.models import TenantNode

    prompts = service.prompts(measures)
    out = []
    for m in measures:
        data = {name: getattr(m, name) for name in MeasureSchema().fields if hasattr(m, name)}
        unit = visible(TenantNode, m.unit_id)
        data["unit_name"] = unit.name if unit is not None else ""
        data["lift_prompt"] = prompts.get(m.id)
        out.append(data)
    return out


def refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, exc.message, errors={exc.field: [exc.message]})


@blp.route("/measures")
class Measures(MethodView):
    @permission("accountability.measures.read")
    @blp.arguments(MeasureListArgs, location="query")
    @blp.response(200, MeasureSchema(many=True))
    def get(self, args):
        """限制措施登记簿（财政部门只读）；单位只看到对本单位及下级采取的措施"""
        if g.principal.jurisdiction is None:
            raise ApiError(404)
        stmt = db.select(Measure).order_by(Measure.start_on.desc(), Measure.id.desc())
        if args.get("status"):
            stmt = stmt.where(Measure.status == args["status"])
        found, headers = paginate(stmt, args)
        return rows(found), 200, headers

    @permission("accountability.measures.manage")
    @blp.arguments(MeasureRecordSchema)
    @blp.response(201, MeasureSchema)
    def post(self, args):
        """登记限制措施：类型（方案所列）、决定文号、开始日期、解除条件或日期、决定机关"""
        node = g.principal.jurisdiction
        if node is None:
            raise ApiError(404)
        try:
            measure = service.record(node, actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return rows([measure])[0]


@blp.route("/measures/<int:measure_id>")
class MeasureItem(MethodView):
    @permission("accountability.measures.read")
    @blp.response(200, MeasureSchema)
    def get(self, measure_id):
        """一项限制措施"""
        return rows([get_or_404(Measure, measure_id)])[0]


@blp.route("/measures/<int:measure_id>/lift")
class MeasureLift(MethodView):
    @permission("accountability.measures.manage")
    @blp.arguments(MeasureLiftSchema)
    @blp.response(200, MeasureSchema)
    def post(self, args, measure_id):
        """解除限制措施（记录理由）"""
        measure = get_or_404(Measure, measure_id)
        try:
            service.lift(measure, actor=current_user(), reason=args["reason"])
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return rows([measure])[0]
