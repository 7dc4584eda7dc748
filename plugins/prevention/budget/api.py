"""/api/v1/prevention/budget: budget arrangements for paying debts, and the debts due without one."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask.views import MethodView

from core import clock
from core.api import missing_reference
from core.api.base import ApiError, Blueprint, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import Debt
from core.tenancy.isolation import visible
from plugins.prevention.budget import installments, service
from plugins.prevention.budget.models import BudgetArrangement
from plugins.prevention.budget.schemas import (
    BudgetArrangementSchema,
    BudgetQuerySchema,
    BudgetWriteSchema,
    UnbudgetedInstallmentSchema,
    UnbudgetedQuerySchema,
    UnbudgetedSchema,
)
from plugins.prevention.common import API_PREFIX, require_write

# The finance bureau (role measures_reader) reads the budget lists too: the issue lists them "for the office
# and the finance bureau".
READ = "prevention.budget.read"

blp = Blueprint(
    "prevention_budget",
    __name__,
    url_prefix=f"{API_PREFIX}/budget",
    description="源头治理：还款纳入预算（预算安排、未安排预算的到期欠款）",
)


def debt_or_404(debt_id: int) -> Debt:
    debt = visible(Debt, debt_id)
    if debt is None:
        raise missing_reference("debt_id", "欠款不存在或不在您的权限范围内")
    return debt


@blp.route("")
class Arrangements(MethodView):
    @permission(READ)
    @blp.arguments(BudgetQuerySchema, location="query")
    @blp.response(200, BudgetArrangementSchema(many=True))
    def get(self, args):
        """预算安排（可按年度筛选）"""
        stmt = db.select(BudgetArrangement).order_by(
            BudgetArrangement.year.desc(), BudgetArrangement.id.desc()
        )
        if args.get("year"):
            stmt = stmt.where(BudgetArrangement.year == args["year"])
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("prevention.write")
    @blp.arguments(BudgetWriteSchema)
    @blp.response(201, BudgetArrangementSchema)
    def post(self, data):
        """为一笔欠款登记某年度的预算安排（预算科目、金额）"""
        debt = debt_or_404(data.pop("debt_id"))
        require_write(debt)
        try:
            row = service.arrange(debt, data, current_user())
        except service.BudgetRefused as exc:
            db.session.rollback()
            raise ApiError(422, errors=exc.errors) from exc
        db.session.commit()
        return row, 201, {"ETag": row.etag}


@blp.route("/<int:arrangement_id>")
class ArrangementItem(MethodView):
    @permission(READ)
    @blp.response(200, BudgetArrangementSchema)
    def get(self, arrangement_id):
        """一项预算安排"""
        return get_or_404(BudgetArrangement, arrangement_id)


@blp.route("/unbudgeted")
class Unbudgeted(MethodView):
    @permission(READ)
    @blp.arguments(UnbudgetedQuerySchema, location="query")
    @blp.response(200, UnbudgetedSchema(many=True))
    def get(self, args):
        """当年到期（含已逾期）仍未付、且未安排当年预算的欠款，供清欠办和财政部门督促"""
        year = args.get("year") or clock.today().year
        rows, headers = paginate(service.unbudgeted_stmt(year), args)
        return rows, 200, headers


@blp.route("/unbudgeted-installments")
class UnbudgetedInstallments(MethodView):
    @permission(READ)
    @blp.arguments(UnbudgetedQuerySchema, location="query")
    @blp.response(200, UnbudgetedInstallmentSchema(many=True))
    def get(self, args):
        """当年到期（含已逾期）未付、且所属欠款未安排当年预算的还款协议分期，供清欠办和财政部门督促

        预算安排登记在协议所属的欠款上（POST /api/v1/prevention/budget，金额可填 year_total）。
        """
        year = args.get("year") or clock.today().year
        rows = installments.unbudgeted_installments(year)
        return page_of(rows, args)


def page_of(rows: list, args: dict) -> tuple[list, int, dict]:
    """One page of an already computed list, with the same headers as ``paginate``."""
    page, size = args.get("page", 1), args.get("page_size", 50)
    total = len(rows)
    last = max(1, -(-total // size))
    headers = {"X-Total-Count": str(total)}
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    links = [
        f'<{request.base_url}?{urlencode([*query, ("page", number)])}>; rel="{rel}"'
        for rel, number in (("first", 1), ("prev", page - 1), ("next", page + 1), ("last", last))
        if 1 <= number <= last
    ]
    if links:
        headers["Link"] = ", ".join(links)
    return rows[(page - 1) * size : page * size], 200, headers
