"""The 确权 requests list in Excel (core's printable sheet), with the page's filters (status, overdue only).

A ``core.list_exports.ListExport``: up to 5,000 requests download at once, more are written by a background
job with progress. Money is in the reader's unit with a 合计; dates are real dates.
"""

from __future__ import annotations

from typing import IO

from flask import g
from werkzeug.datastructures import MultiDict

from core import clock
from core.extensions import db
from core.list_exports import Counter, ListExport, Progress, job_for
from core.tenancy.models import TenantNode
from core.units import UNITS
from core.web.templating import cn_date
from core.xlsx_report import Column, ReportSheet
from plugins.finance.confirmations import service
from plugins.finance.confirmations.models import STATUS_LABELS, Confirmation


def statement(args: MultiDict):
    """The requests the list shows for these arguments, soonest answer deadline first."""
    stmt = db.select(Confirmation).order_by(Confirmation.due_on, Confirmation.id)
    status = args.get("status") or ""
    if status in STATUS_LABELS:
        stmt = stmt.where(Confirmation.status == status)
    return stmt


def listed(args: MultiDict, limit: int | None = None) -> list[Confirmation]:
    stmt = statement(args)
    rows = list(db.session.scalars(stmt.limit(limit) if limit else stmt))
    if args.get("overdue") == "1":  # unanswered past the deadline: a rule in Python (service.is_overdue)
        rows = [r for r in rows if service.is_overdue(r)]
    return rows


def _count(args: MultiDict) -> int:
    return len(listed(args))


def confirmations_xlsx(args: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    name = jurisdiction.name if jurisdiction is not None else ""
    units = {n.id: n.name for n in db.session.scalars(db.select(TenantNode))}
    sheet = ReportSheet(
        f"{name}应收账款确权申请（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("查询码"),
            Column("申请企业"),
            Column("欠款单位"),
            Column("合同编号"),
            Column(f"申请金额（{UNITS[unit]}）", "money"),
            Column(f"确认金额（{UNITS[unit]}）", "money"),
            Column("申请日期", "date"),
            Column("答复期限", "date"),
            Column("状态"),
            Column("期限情况"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="确权申请",
    )
    rows = listed(args)
    counter = Counter(len(rows) if progress is not None else 0, progress)
    for r in rows:
        if service.is_overdue(r):
            timing = f"逾期未答复{(today - r.due_on).days}天"
        elif service.answered_late(r):
            timing = "逾期答复"
        elif r.status == "pending":
            timing = f"剩余{(r.due_on - today).days}天"
        else:
            timing = ""
        sheet.add(
            [
                counter.step(),
                r.tracking_code,
                r.creditor_name,
                units.get(r.unit_id, ""),
                r.contract_no,
                r.amount,
                r.confirmed_amount,
                r.requested_on,
                r.due_on,
                r.status_label,
                timing,
            ]
        )
    sheet.total_row(extra={1: f"共 {counter.done} 件"})
    data = sheet.close()
    counter.finish()
    return data, f"确权申请_{today.isoformat()}.xlsx"


CONFIRMATIONS_EXPORT = ListExport(
    job="finance.confirmations_export", label="确权申请清单", count=_count, write=confirmations_xlsx
)
JOBS = {CONFIRMATIONS_EXPORT.job: job_for(CONFIRMATIONS_EXPORT)}
