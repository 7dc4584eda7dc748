"""/api/v1/dashboard: the same figures the web dashboard shows, money as strings."""

from __future__ import annotations

import datetime as dt

from flask.views import MethodView
from marshmallow import Schema, fields

from core.api.base import Blueprint
from core.auth.permissions import permission
from core.services.dashboard import summary, to_json

blp = Blueprint("dashboard", __name__, url_prefix="/dashboard", description="工作台汇总数据")


class DashboardQuerySchema(Schema):
    as_of = fields.Date(metadata={"description": "统计基准日（默认今天），用于计算逾期"})


@blp.route("")
class Dashboard(MethodView):
    @permission("dashboard.read")
    @blp.arguments(DashboardQuerySchema, location="query")
    @blp.response(200)
    def get(self, args):
        """欠款总额、已清偿、未清偿、逾期、清偿率；按单位（含下级汇总）、类别、状态与逾期区间分组"""
        as_of: dt.date | None = args.get("as_of")
        return to_json(summary(as_of))
