"""Page: the deposits register — register a deposit, see what is due or overdue, record the refund."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from core import clock, list_exports
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.plans import plan_for
from core.web.views import get_visible_or_404, page_number, paginate_stmt, stmt_totals
from plugins.prevention import exports
from plugins.prevention.common import require_write, writable_unit
from plugins.prevention.deposits import service
from plugins.prevention.deposits.models import Deposit
from plugins.prevention.deposits.schemas import DepositRefundSchema, DepositWriteSchema
from plugins.prevention.forms import TEMPLATES, blank_to_none, submit
from plugins.prevention.reviews.rules import DEPOSIT_KIND_LABELS, FORM_LABELS, plan_settings

bp = Blueprint("prevention_deposits_ui", __name__, url_prefix="/prevention", template_folder=str(TEMPLATES))
LABELS = {
    "enterprise_name": "企业",
    "credit_code": "统一社会信用代码",
    "contract_no": "合同编号",
    "kind": "种类",
    "form": "形式",
    "amount": "金额",
    "received_on": "收取日期",
    "due_back_on": "退还日期",
    "returned_on": "退还日期",
}
FIELDS = (
    "enterprise_name",
    "credit_code",
    "contract_no",
    "kind",
    "form",
    "amount",
    "received_on",
    "due_back_on",
    "remarks",
)


@bp.route("/deposits")
@permission("prevention.read")
def deposits():
    stmt = exports.deposits_stmt()
    rows, pager = paginate_stmt(stmt, page_number())
    today = clock.today()
    totals = stmt_totals(
        stmt,
        "amount",
        # Money still held by the units (not refunded): what the office chases.
        held=lambda c: db.case((c.returned_on.is_(None), c.amount), else_=0),
    )
    return render_template(
        "prevention/deposits.html",
        rows=rows,
        totals=totals,
        pager=pager,
        states={d.id: service.state(d, today) for d in rows},
        state_labels=service.STATE_LABELS,
        kinds=DEPOSIT_KIND_LABELS,
        forms=FORM_LABELS,
        today=today,
        can_write=g.principal.can("prevention.write"),
    )


@bp.route("/deposits/export.xlsx")
@permission("prevention.read")
def deposits_export():
    """The deposits register in the reader's unit with a 合计 row (in the background when long)."""
    return list_exports.respond(exports.DEPOSITS_EXPORT, request.args)


@bp.route("/deposits", methods=["POST"])
@permission("prevention.write")
def deposit_create():
    def create(data):
        unit = writable_unit(data.pop("unit_id", None))
        return service.create(unit, data, plan_settings(plan_for(unit))["deposit_kinds"], current_user())

    if submit(DepositWriteSchema(), blank_to_none(request.form, FIELDS), create, LABELS) is not None:
        flash("保证金已登记", "success")
    return redirect(url_for(".deposits"))


@bp.route("/deposits/<int:deposit_id>/refund", methods=["POST"])
@permission("prevention.write")
def deposit_refund(deposit_id: int):
    deposit = get_visible_or_404(Deposit, deposit_id)

    def refund(data):
        require_write(deposit)
        return service.refund(deposit, data["returned_on"], clock.today(deposit.unit), current_user())

    if (
        submit(DepositRefundSchema(), blank_to_none(request.form, ("returned_on",)), refund, LABELS)
        is not None
    ):
        flash("已登记退还", "success")
    return redirect(url_for(".deposits") + f"#deposit-{deposit_id}")
