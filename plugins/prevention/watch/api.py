"""/api/v1/prevention/new-arrears: arrears formed after the baseline, with their contract review."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from core import clock
from core.api.base import Blueprint, PageArgs, paginate
from core.api.money import Money
from core.auth.permissions import permission
from plugins.prevention.common import API_PREFIX, jurisdiction_or_404
from plugins.prevention.watch import service

blp = Blueprint("prevention_watch", __name__, url_prefix=API_PREFIX, description="源头治理：新增拖欠监测")


class NewArrearsSchema(Schema):
    debt_id = fields.Function(lambda x: x.debt.id)
    unit_id = fields.Function(lambda x: x.debt.unit_id)
    unit_name = fields.Function(lambda x: x.debt.unit.name)
    creditor_name = fields.Function(lambda x: x.debt.creditor.display_name)
    project_name = fields.Function(lambda x: x.debt.project_name)
    contract_no = fields.Function(lambda x: x.debt.contract_no)
    due_date = fields.Function(lambda x: x.debt.due_date.isoformat())
    outstanding = Money(attribute="debt.outstanding", dump_only=True)
    reviewed = fields.Boolean(metadata={"description": "合同是否经过签订前审查"})
    review_id = fields.Function(lambda x: x.review.id if x.review else None)


@blp.route("/new-arrears")
class NewArrears(MethodView):
    @permission("prevention.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, NewArrearsSchema(many=True))
    def get(self, args):
        """新增拖欠：方案基准日后到期仍未付的欠款（最新在前），并标明其合同是否经过签订前审查"""
        jurisdiction = jurisdiction_or_404()
        today = clock.today(jurisdiction)
        stmt = service.new_arrears_stmt(service.since_for(jurisdiction, today), today)
        rows, headers = paginate(stmt, args)
        return service.traced(rows), 200, headers
