"""The complaints list in Excel, on core's printable sheet (``core.xlsx_report``); a large selection is
written in the background (``core.list_exports``)."""

from __future__ import annotations

from typing import IO

from flask import g
from werkzeug.datastructures import MultiDict

from core import clock
from core.extensions import db
from core.list_exports import Counter, ListExport, Progress, job_for
from core.units import UNITS
from core.web.templating import cn_date, deadline_state
from core.xlsx_report import Column, ReportSheet
from plugins.complaints.handling import listing
from plugins.complaints.handling.service import deadline_of


def _statement(source: MultiDict):
    filters, _errors = listing.parse(source)
    return listing.statement(filters)


def _count(source: MultiDict) -> int:
    stmt = _statement(source)
    return db.session.scalar(db.select(db.func.count()).select_from(stmt.order_by(None).subquery())) or 0


def complaints_xlsx(source: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    name = jurisdiction.name if jurisdiction is not None else ""
    sheet = ReportSheet(
        f"{name}拖欠中小企业账款投诉线索清单（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("查询码"),
            Column("来源"),
            Column("投诉企业"),
            Column("被投诉单位"),
            Column(f"金额（{UNITS[unit]}）", "money"),
            Column("收到日期", "date"),
            Column("办理期限", "date"),
            Column("期限情况"),
            Column("状态"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="投诉线索",
    )
    rows = Counter(_count(source) if progress is not None else 0, progress)
    for case in db.session.scalars(_statement(source)):
        due = deadline_of(case)
        state = deadline_state(due, today)
        sheet.add(
            [
                rows.step(),
                case.tracking_code,
                case.channel_label,
                case.creditor_name,
                case.debtor_text,
                case.amount,
                case.received_on,
                due,
                state[0] if state else "",
                case.status_label,
            ]
        )
    sheet.total_row(extra={1: f"共 {rows.done} 件"})
    data = sheet.close()
    rows.finish()
    return data, f"投诉线索_{today.isoformat()}.xlsx"


COMPLAINTS_EXPORT = ListExport(
    job="complaints.export", label="投诉线索清单", count=_count, write=complaints_xlsx
)
JOBS = {COMPLAINTS_EXPORT.job: job_for(COMPLAINTS_EXPORT)}
