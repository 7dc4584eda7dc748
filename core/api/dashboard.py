"""/api/v1/dashboard: the same figures the web dashboard shows, money as strings."""

from __future__ import annotations

import datetime as dt

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields

from core import clock
from core.api.base import Blueprint
from core.auth.permissions import permission
from core.services.checks import calendar_gaps
from core.services.dashboard import summary, to_json
from core.services.milestones import milestone_progress
from core.tenancy.plans import plan_for, stored_plan

blp = Blueprint("dashboard", __name__, url_prefix="/dashboard", description="工作台汇总数据")


class DashboardQuerySchema(Schema):
    as_of = fields.Date(metadata={"description": "统计基准日（默认今天），用于计算逾期"})


@blp.route("")
class Dashboard(MethodView):
    @permission("dashboard.read")
    @blp.arguments(DashboardQuerySchema, location="query")
    @blp.response(200)
    def get(self, args):
        """欠款总额、已清偿、未清偿、逾期、清偿率；按单位（含下级汇总）、类别、状态与逾期区间分组；
        当日适用的年度工作方案、各时间节点的完成情况（milestones），以及缺少节假日日历的年份（calendar_missing）"""
        jurisdiction = g.principal.jurisdiction
        as_of: dt.date = args.get("as_of") or clock.today(jurisdiction)
        data = summary(as_of)
        plan = plan_for(jurisdiction, on=as_of) if jurisdiction is not None else {}
        data["plan"] = {"name": plan.get("name"), "year": plan.get("year")} if plan else None
        data["milestones"] = milestone_progress(jurisdiction, plan, as_of) if jurisdiction is not None else []
        data["calendar_missing"] = (
            calendar_gaps(stored_plan(jurisdiction), as_of) if jurisdiction is not None else []
        )
        return to_json(data)
