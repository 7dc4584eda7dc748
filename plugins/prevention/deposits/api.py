"""/api/v1/prevention/deposits: the deposits register (保证金台账) and refunds."""

from __future__ import annotations

from flask.views import MethodView

from core import clock
from core.api.base import ApiError, Blueprint, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.plans import plan_for
from plugins.prevention.common import API_PREFIX, require_write, writable_unit
from plugins.prevention.deposits import service
from plugins.prevention.deposits.models import Deposit
from plugins.prevention.deposits.schemas import (
    DepositQuerySchema,
    DepositRefundSchema,
    DepositSchema,
    DepositWriteSchema,
)
from plugins.prevention.reviews.rules import plan_settings

blp = Blueprint(
    "prevention_deposits",
    __name__,
    url_prefix=f"{API_PREFIX}/deposits",
    description="源头治理：保证金台账（允许的种类、银行保函、到期退还与提醒）",
)


def with_state(deposit: Deposit) -> Deposit:
    deposit.state = service.state(deposit, clock.today(deposit.unit))
    return deposit


def _refused(exc: service.DepositRefused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, errors=exc.errors)


@blp.route("")
class Deposits(MethodView):
    @permission("prevention.read")
    @blp.arguments(DepositQuerySchema, location="query")
    @blp.response(200, DepositSchema(many=True))
    def get(self, args):
        """保证金台账，按退还日期排列；可按状态筛选
        （held 未到期 / overdue 逾期未退 / converted 已转为欠款 / returned 已退还）"""
        stmt = db.select(Deposit).order_by(Deposit.due_back_on, Deposit.id)
        today = clock.today()
        if args.get("state") == "returned":
            stmt = stmt.where(Deposit.returned_on.is_not(None))
        elif args.get("state") == "overdue":
            stmt = stmt.where(
                Deposit.returned_on.is_(None), Deposit.debt_id.is_(None), Deposit.due_back_on < today
            )
        elif args.get("state") == "converted":
            stmt = stmt.where(Deposit.returned_on.is_(None), Deposit.debt_id.is_not(None))
        elif args.get("state") == "held":
            stmt = stmt.where(Deposit.returned_on.is_(None), Deposit.due_back_on >= today)
        rows, headers = paginate(stmt, args)
        return [with_state(d) for d in rows], 200, headers

    @permission("prevention.write")
    @blp.arguments(DepositWriteSchema)
    @blp.response(201, DepositSchema)
    def post(self, data):
        """登记收取的保证金：种类（仅投标、履约、工程质量、农民工工资）、形式（现金或银行保函）、金额、退还日期"""
        unit = writable_unit(data.pop("unit_id", None))
        try:
            deposit = service.create(
                unit, data, plan_settings(plan_for(unit))["deposit_kinds"], current_user()
            )
        except service.DepositRefused as exc:
            raise _refused(exc) from exc
        db.session.commit()
        return with_state(deposit), 201, {"ETag": deposit.etag}


@blp.route("/<int:deposit_id>")
class DepositItem(MethodView):
    @permission("prevention.read")
    @blp.response(200, DepositSchema)
    def get(self, deposit_id):
        """一笔保证金"""
        deposit = get_or_404(Deposit, deposit_id)
        return with_state(deposit), 200, {"ETag": deposit.etag}


@blp.route("/<int:deposit_id>/refund")
class DepositRefund(MethodView):
    @permission("prevention.write")
    @blp.arguments(DepositRefundSchema)
    @blp.response(200, DepositSchema)
    def post(self, data, deposit_id):
        """登记保证金已退还"""
        deposit = get_or_404(Deposit, deposit_id)
        require_write(deposit)
        try:
            service.refund(deposit, data["returned_on"], clock.today(deposit.unit), current_user())
        except service.DepositRefused as exc:
            raise _refused(exc) from exc
        db.session.commit()
        return with_state(deposit), 200, {"ETag": deposit.etag}
