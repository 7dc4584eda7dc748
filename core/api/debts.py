"""/api/v1/debts: the shared debt model, its payments and its history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import g, request
from flask.views import MethodView
from sqlalchemy.orm import contains_eager, lazyload, selectinload

from core import clock
from core.api.base import ApiError, Blueprint, get_or_404, missing_reference, paginate, require_if_match
from core.api.openapi import versioned_doc
from core.api.schemas import (
    DebtCreateSchema,
    DebtQuerySchema,
    DebtSchema,
    DebtUpdateSchema,
    EventSchema,
    PaymentSchema,
    ReversalSchema,
)
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.enterprise import Enterprise
from core.rules.status import TransitionError
from core.rules.validation import ValidationFailed
from core.services import debts as service
from core.services.creditors import name_matches, prefetch_names
from core.services.history import history_of
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode

blp = Blueprint("debts", __name__, url_prefix="/debts", description="欠款（债务）台账、付款与变更历史")


def default_unit() -> TenantNode:
    """The unit a new record belongs to when the client names none: the user's own unit."""
    principal = g.principal
    for _role, node in principal.role_nodes:
        if node is not None:
            return node
    if principal.jurisdiction is None:
        raise ApiError(422, errors={"unit_id": ["请指定债务单位"]})
    return principal.jurisdiction


def unit_or_404(unit_id: int | None, field: str = "unit_id") -> TenantNode:
    if unit_id is None:
        return default_unit()
    unit = visible(TenantNode, unit_id)
    if unit is None:
        raise missing_reference(field, "单位不存在或不在您的权限范围内")
    return unit


# Its former name, for plugins written before out-of-scope references answered 404.
unit_or_422 = unit_or_404


def _require_write_at(unit: TenantNode, perm: str = "debt.write") -> None:
    if not g.principal.can_at(perm, unit):
        raise ApiError(403, "您在该单位没有此操作的权限")


def domain_errors(func):
    """Turn the domain's validation errors into 422 responses naming the field (409 when only today's date,
    the plan or a record's state stand in the way: ``Issue.conflict``)."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationFailed as exc:
            raise ApiError(exc.status, errors=exc.errors()) from exc
        except TransitionError as exc:
            raise ApiError(exc.status, errors={"status": [str(exc)]}) from exc
        except service.PaymentRefused as exc:
            raise ApiError(422, errors={exc.field: [exc.message]}) from exc

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    wrapper.__dict__.update(func.__dict__)
    return wrapper


def filtered_debts(args: dict):
    # The creditor join that the filters need also fills Debt.creditor; a separate joined eager load
    # would join enterprises a second time (one extra index probe per matching debt).
    stmt = db.select(Debt).join(Debt.creditor).options(contains_eager(Debt.creditor))
    if args.get("unit"):
        unit = unit_or_404(args["unit"], "unit")
        subtree = db.select(TenantNode.id).where(TenantNode.path.startswith(unit.path))
        stmt = stmt.where(Debt.unit_id.in_(subtree))
    if args.get("status"):
        stmt = stmt.where(Debt.status.in_(args["status"]))
    if args.get("category"):
        stmt = stmt.where(Debt.category.in_(args["category"]))
    if args.get("source"):
        stmt = stmt.where(Debt.source.in_(args["source"]))
    if args.get("overdue") is True:
        stmt = stmt.where(Debt.overdue_days > 0)
    elif args.get("overdue") is False:
        stmt = stmt.where(Debt.overdue_days == 0)
    if args.get("creditor"):
        stmt = stmt.where(Debt.creditor_id == args["creditor"])
    if args.get("min_amount") is not None:
        stmt = stmt.where(Debt.amount_owed >= args["min_amount"])
    if args.get("max_amount") is not None:
        stmt = stmt.where(Debt.amount_owed <= args["max_amount"])
    if args.get("migrant_wages") is not None:
        stmt = stmt.where(Debt.migrant_wages.is_(args["migrant_wages"]))
    if args.get("wage_amount_pending") is not None:
        stmt = stmt.where(Debt.wage_amount_pending.is_(args["wage_amount_pending"]))
    if args.get("q"):
        like = "%" + args["q"].strip().replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(
            db.or_(
                Debt.project_name.like(like, escape="\\"),
                Debt.contract_no.like(like, escape="\\"),
                name_matches(like),
                Enterprise.credit_code.like(like, escape="\\"),
            )
        )
    sort = args.get("sort") or "-id"
    column_name = sort.lstrip("-")
    column = (
        (Debt.amount_owed - Debt.paid_amount) if column_name == "outstanding" else getattr(Debt, column_name)
    )
    stmt = stmt.order_by(column.desc() if sort.startswith("-") else column.asc(), Debt.id.desc())
    return stmt


def filtered_totals(stmt) -> dict[str, Any]:
    """Count and exact money totals (yuan, to the fen) of the debts a filtered statement selects.

    The list page's 合计 row, the API's ``X-Total-*`` headers and the list export all read this one sum.
    """
    row = db.session.execute(
        stmt.order_by(None).with_only_columns(
            db.func.count(Debt.id),
            db.func.coalesce(db.func.sum(Debt.amount_owed), 0),
            db.func.coalesce(db.func.sum(Debt.paid_amount), 0),
        )
    ).one()
    owed = Decimal(str(row[1])).quantize(Decimal("0.01"))
    paid = Decimal(str(row[2])).quantize(Decimal("0.01"))
    return {"count": int(row[0]), "amount_owed": owed, "paid_amount": paid, "outstanding": owed - paid}


@blp.route("")
class DebtList(MethodView):
    @permission("debt.read")
    @blp.arguments(DebtQuerySchema, location="query")
    @blp.response(200, DebtSchema(many=True))
    def get(self, args):
        """列出欠款（按子树、状态、类别、逾期、债权人、金额区间、关键词筛选；排序；分页）"""
        # The list does not show payments: skip their selectin load (one query per page). The page's few
        # units come in a second small query: joined into the page query, the unit user's subtree
        # criterion on tenant_nodes led PostgreSQL to a one-row estimate and a per-unit nested loop
        # that filtered the status row by row (340 ms instead of 75 ms with 10,000 jurisdictions).
        options = (lazyload(Debt.payments), selectinload(Debt.unit))
        rows, headers = paginate(filtered_debts(args).options(*options), args)
        prefetch_names({d.creditor_id for d in rows})
        totals = filtered_totals(filtered_debts(args))
        # What the filter selects in money, not only in rows ("共 19 条" and how much): yuan, to the fen.
        headers["X-Total-Amount-Owed"] = f"{totals['amount_owed']:.2f}"
        headers["X-Total-Outstanding"] = f"{totals['outstanding']:.2f}"
        return rows, 200, headers

    @permission("debt.write")
    @blp.arguments(DebtCreateSchema)
    @blp.response(201, DebtSchema)
    @domain_errors
    @blp.doc(**versioned_doc(201))
    def post(self, data):
        """登记一笔欠款。债权人可给出 id，或给出名称与信用代码（本辖区内自动查重）。"""
        unit = unit_or_404(data.pop("unit_id", None))
        _require_write_at(unit)
        creditor = _creditor_for(unit, data.pop("creditor"))
        debt, warnings = service.create_debt(unit, data, creditor, actor=current_user())
        db.session.commit()
        debt.warnings = [w.as_dict() for w in warnings]
        return debt, 201, {"ETag": debt.etag, "Location": f"/api/v1/debts/{debt.id}"}


def _creditor_for(unit: TenantNode, ref: dict) -> Enterprise:
    if ref.get("id"):
        creditor = visible(Enterprise, ref["id"])
        if creditor is None:
            raise missing_reference("creditor.id", "债权企业不存在或不在您的权限范围内")
        return creditor
    if not ref.get("name"):
        raise ApiError(422, errors={"creditor": {"name": ["请填写债权企业名称或 id"]}})
    try:
        creditor, _created = service.register_enterprise(unit, ref, actor=current_user())
    except ValidationFailed as exc:
        raise ApiError(422, errors={"creditor": exc.errors()}) from exc
    return creditor


@blp.route("/<int:debt_id>")
class DebtItem(MethodView):
    @permission("debt.read")
    @blp.response(200, DebtSchema)
    @blp.doc(**versioned_doc(200))
    def get(self, debt_id):
        """查看一笔欠款（响应头 ETag 用于更新时的 If-Match）"""
        debt = get_or_404(Debt, debt_id)
        return debt, 200, {"ETag": debt.etag}

    @permission("debt.write")
    @blp.arguments(DebtUpdateSchema)
    @blp.response(200, DebtSchema)
    @domain_errors
    @blp.doc(**versioned_doc(200, if_match="required"))
    def patch(self, data, debt_id):
        """修改欠款（须带 If-Match；版本过期返回 412）"""
        debt = get_or_404(Debt, debt_id)
        _require_write_at(debt.unit)
        require_if_match(debt)
        note = data.pop("note", None)
        if "unit_id" in data:
            target = unit_or_404(data["unit_id"])
            _require_write_at(target)
        debt, warnings = service.update_debt(debt, data, actor=current_user(), note=note)
        db.session.commit()
        debt.warnings = [w.as_dict() for w in warnings]
        return debt, 200, {"ETag": debt.etag}

    @permission("debt.write")
    @blp.response(204)
    @blp.doc(**versioned_doc(if_match="required"))
    def delete(self, debt_id):
        """删除欠款（软删除，历史保留；须带 If-Match）"""
        debt = get_or_404(Debt, debt_id)
        _require_write_at(debt.unit)
        require_if_match(debt)
        service.delete_debt(debt, actor=current_user(), reason=request.args.get("reason"))
        db.session.commit()
        return None


@blp.route("/<int:debt_id>/history")
class DebtHistory(MethodView):
    @permission("history.read")
    @blp.response(200, EventSchema(many=True))
    def get(self, debt_id):
        """欠款及其付款的完整变更历史（谁、何时、变更前后）"""
        debt = get_or_404(Debt, debt_id)
        events = history_of("debts", debt.id)
        payment_ids = [p.id for p in debt.payments]
        for pid in payment_ids:
            events += history_of("payments", pid)
        return sorted(events, key=lambda e: (e.at, e.id))


@blp.route("/<int:debt_id>/payments")
class PaymentList(MethodView):
    @permission("payment.read")
    @blp.response(200, PaymentSchema(many=True))
    def get(self, debt_id):
        """该笔欠款的付款记录（含已冲正的）"""
        debt = get_or_404(Debt, debt_id)
        return list(
            db.session.scalars(db.select(Payment).where(Payment.debt_id == debt.id).order_by(Payment.paid_on))
        )

    @permission("payment.write")
    @blp.arguments(PaymentSchema)
    @blp.response(201, PaymentSchema)
    @domain_errors
    @blp.doc(**versioned_doc(201, if_match="optional"))
    def post(self, data, debt_id):
        """登记一笔付款（部分付款会更新余额、状态与逾期利息）"""
        debt = get_or_404(Debt, debt_id)
        _require_write_at(debt.unit, "payment.write")
        if request.headers.get("If-Match"):
            require_if_match(debt)
        payment = service.record_payment(debt, data, actor=current_user())
        db.session.commit()
        return payment, 201, {"ETag": debt.etag}


@blp.route("/<int:debt_id>/payments/<int:payment_id>/reversal")
class PaymentReversal(MethodView):
    @permission("payment.write")
    @blp.arguments(ReversalSchema)
    @blp.response(200, PaymentSchema)
    @domain_errors
    def post(self, data, debt_id, payment_id):
        """冲正一笔付款（不删除，须写明原因）"""
        debt = get_or_404(Debt, debt_id)
        payment = get_or_404(Payment, payment_id)
        if payment.debt_id != debt.id:
            raise ApiError(404)
        _require_write_at(debt.unit, "payment.write")
        service.reverse_payment(payment, data["reason"], actor=current_user())
        db.session.commit()
        return payment


@blp.route("/<int:debt_id>/recompute")
class DebtRecompute(MethodView):
    @permission("debt.read")
    @blp.response(200, DebtSchema)
    @blp.doc(**versioned_doc(200))
    def post(self, debt_id):
        """按今天重新计算到期日、逾期天数与逾期利息"""
        debt = get_or_404(Debt, debt_id)
        service.recompute(debt, clock.today(debt.unit))
        db.session.commit()
        return debt, 200, {"ETag": debt.etag}
