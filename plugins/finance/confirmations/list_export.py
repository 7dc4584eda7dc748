"""The 确权 requests list as the page shows it (status, overdue only, order) and in Excel.

``statement(args)`` is the one query behind the page (paged, 合计 over every page) and the file (a
``core.list_exports.table_export``: up to 5,000 requests download at once, more are written by a background
job with progress). Money is in the reader's unit with a 合计; dates are real dates.
"""

from __future__ import annotations

from flask import g
from werkzeug.datastructures import MultiDict

from core import clock
from core.extensions import db
from core.list_exports import job_for, table_export
from core.tenancy.models import TenantNode
from core.web.views import stmt_totals
from core.xlsx_report import Column
from plugins.finance.confirmations import service
from plugins.finance.confirmations.models import STATUS_LABELS, Confirmation, Status

# The list's orders: the answer deadline (soonest first, the default) or the request date (newest first).
SORTS = {
    "due_on": (Confirmation.due_on, Confirmation.id),
    "-requested_on": (Confirmation.requested_on.desc(), Confirmation.id.desc()),
}


def statement(args: MultiDict):
    """The requests the list shows for these arguments."""
    stmt = db.select(Confirmation).order_by(*SORTS.get(args.get("sort") or "", SORTS["due_on"]))
    status = args.get("status") or ""
    if status in STATUS_LABELS:
        stmt = stmt.where(Confirmation.status == status)
    if args.get("overdue") == "1":  # service.is_overdue, as a condition: unanswered past the last day
        today = clock.today(g.principal.jurisdiction)
        stmt = stmt.where(Confirmation.status == Status.PENDING, Confirmation.due_on < today)
    return stmt


def totals(args: MultiDict) -> dict:
    """Count, 申请金额 and 确认金额 of every request the filters select, and how many were confirmed."""
    return stmt_totals(
        statement(args),
        "amount",
        "confirmed_amount",
        confirmed=lambda c: db.case((c.confirmed_amount.is_not(None), 1), else_=0),
    )


def _timing(r: Confirmation, today) -> str:
    if service.is_overdue(r, today):
        return f"逾期未答复{(today - r.due_on).days}天"
    if service.answered_late(r):
        return "逾期答复"
    if r.status == Status.PENDING:
        return f"剩余{(r.due_on - today).days}天"
    return ""


def _rows(args: MultiDict):
    today = clock.today(g.principal.jurisdiction)
    units = {n.id: n.name for n in db.session.scalars(db.select(TenantNode))}
    for r in db.session.scalars(statement(args)):
        yield r, units.get(r.unit_id, ""), _timing(r, today)


CONFIRMATIONS_EXPORT = table_export(
    job="finance.confirmations_export",
    label="应收账款确权申请",
    columns=lambda unit: [
        Column("查询码"),
        Column("申请企业"),
        Column("欠款单位"),
        Column("合同编号"),
        Column(f"申请金额（{unit}）", "money"),
        Column(f"确认金额（{unit}）", "money"),
        Column("申请日期", "date"),
        Column("答复期限", "date"),
        Column("状态"),
        Column("期限情况"),
    ],
    rows=_rows,
    cells=lambda item: [
        item[0].tracking_code,
        item[0].creditor_name,
        item[1],
        item[0].contract_no,
        item[0].amount,
        item[0].confirmed_amount,
        item[0].requested_on,
        item[0].due_on,
        item[0].status_label,
        item[2],
    ],
    count=lambda args: totals(args)["count"],
    noun="件",
)
JOBS = {CONFIRMATIONS_EXPORT.job: job_for(CONFIRMATIONS_EXPORT)}
