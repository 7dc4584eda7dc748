"""/api/v1/plan: the jurisdiction's plan in force, value by value with its source, and the key reference."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields

from core.api.base import ApiError, Blueprint
from core.auth.permissions import permission
from core.tenancy.plan_report import plan_report
from core.tenancy.plan_schema import KIND_LABELS, current_schema

blp = Blueprint("plan", __name__, url_prefix="/plan", description="工作方案（生效值及其来源、可用的键）")


class PlanQuerySchema(Schema):
    on = fields.Date(metadata={"description": "查看该日期生效的年度方案（默认辖区的今天）"})


class PlanEntrySchema(Schema):
    key = fields.String(metadata={"description": "方案键，如 rules.payment_term_days"})
    label = fields.String()
    plugin = fields.String(allow_none=True, metadata={"description": "声明该键的插件（core 为平台）"})
    value = fields.Raw(allow_none=True)
    source = fields.String(metadata={"description": "own / inherited / default / year / unknown"})
    source_label = fields.String(
        metadata={"description": "本辖区方案 / 继承自 xinzhou / 默认值 / 2024年度方案"}
    )


class PlanReportSchema(Schema):
    name = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    years = fields.List(fields.Integer(), metadata={"description": "以后各年度方案的年份"})
    lineage = fields.List(fields.String(), metadata={"description": "继承链，上级在前"})
    entries = fields.List(fields.Nested(PlanEntrySchema))


class PlanKeySchema(Schema):
    path = fields.String()
    label = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    default = fields.Raw(allow_none=True)
    inherits = fields.Boolean()
    plugin = fields.String()
    doc = fields.String()


@blp.route("")
class PlanInForce(MethodView):
    @permission("plan.read")
    @blp.arguments(PlanQuerySchema, location="query")
    @blp.response(200, PlanReportSchema)
    def get(self, args):
        """当前辖区生效的工作方案：每个值及其来源（本辖区方案、继承自上级方案、默认值、年度方案）"""
        jurisdiction = g.principal.jurisdiction
        if jurisdiction is None:
            raise ApiError(404, "当前没有选定辖区")
        return plan_report(jurisdiction, args.get("on"))


@blp.route("/keys")
class PlanKeys(MethodView):
    @permission("plan.read")
    @blp.response(200, PlanKeySchema(many=True))
    def get(self):
        """方案可用的全部键：类型、默认值、是否继承、声明者（平台或插件）"""
        return [
            {**item.__dict__, "kind_label": KIND_LABELS[item.kind]}
            for item in sorted(current_schema().keys.values(), key=lambda k: k.path)
            if item.kind != "system"
        ]
