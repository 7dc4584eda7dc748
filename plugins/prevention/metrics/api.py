"""/api/v1/prevention/metrics: the prevention figures of what the reader sees."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from core import clock
from core.api.base import Blueprint
from core.api.schemas import MoneyField
from core.auth.permissions import permission
from plugins.prevention.common import API_PREFIX, jurisdiction_or_404
from plugins.prevention.metrics.compute import metrics
from plugins.prevention.watch.service import since_for

blp = Blueprint("prevention_metrics", __name__, url_prefix=API_PREFIX, description="源头治理：统计")


class PreventionMetricsSchema(Schema):
    as_of = fields.Date()
    new_arrears_since = fields.Date(allow_none=True, metadata={"description": "新增拖欠的基准日"})
    new_arrears = fields.Integer(metadata={"description": "新增拖欠笔数（基准日后到期未付）"})
    new_arrears_amount = MoneyField()
    new_arrears_unreviewed = fields.Integer(metadata={"description": "其中合同未经签订前审查的笔数"})
    unbudgeted_debts = fields.Integer(metadata={"description": "当年到期（含逾期）未安排预算的欠款笔数"})
    unbudgeted_installments = fields.Integer(
        metadata={"description": "当年到期（含逾期）未付、所属欠款未安排当年预算的还款协议分期数"}
    )
    unbudgeted_installments_amount = MoneyField(metadata={"description": "上述分期的未付金额合计"})
    reviews = fields.Integer(metadata={"description": "审查合同数"})
    reviews_open = fields.Integer(metadata={"description": "存在问题待整改的审查数"})
    reviews_signed = fields.Integer()
    problems_found = fields.Integer(metadata={"description": "累计发现问题数"})
    problems_fixed = fields.Integer(metadata={"description": "累计整改问题数"})
    projects = fields.Integer()
    projects_started = fields.Integer()
    started_unfunded = fields.Integer(metadata={"description": "资金未落实先开工的项目数"})
    started_unapproved = fields.Integer(metadata={"description": "未批先建的项目数"})
    deposits_held = fields.Integer()
    deposits_held_amount = MoneyField()
    deposits_overdue = fields.Integer(metadata={"description": "逾期未退保证金笔数"})
    deposits_overdue_amount = MoneyField()
    deposits_due_soon = fields.Integer(metadata={"description": "30天内到期待退的保证金笔数"})


@blp.route("/metrics")
class Metrics(MethodView):
    @permission("prevention.read")
    @blp.response(200, PreventionMetricsSchema)
    def get(self):
        """源头治理统计：合同审查与问题整改、违规开工项目、保证金在押与逾期未退"""
        jurisdiction = jurisdiction_or_404()
        today = clock.today(jurisdiction)
        return metrics(None, today, since_for(jurisdiction, today))
