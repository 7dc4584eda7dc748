"""The agreements list in Excel (core's printable sheet); a long list is written in the background."""

from __future__ import annotations

from typing import IO

from flask import g
from werkzeug.datastructures import MultiDict

from core import clock
from core.extensions import db
from core.list_exports import Counter, ListExport, Progress, job_for
from core.units import UNITS, exact_total
from core.web.templating import cn_date
from core.xlsx_report import Column, ReportSheet
from plugins.agreements.clearance.models import Agreement


def statement():
    return db.select(Agreement).order_by(Agreement.id.desc())


def totals() -> dict:
    """The 合计 of every agreement in scope (the list pages through them): count and agreed amount."""
    count, amount = db.session.execute(
        db.select(db.func.count(Agreement.id), db.func.coalesce(db.func.sum(Agreement.agreed_amount), 0))
    ).one()
    return {"count": int(count or 0), "agreed_amount": exact_total([amount])}


def _count(_source: MultiDict) -> int:
    return totals()["count"]


def agreements_xlsx(_source: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    name = jurisdiction.name if jurisdiction is not None else ""
    sheet = ReportSheet(
        f"{name}还款协议清单（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("编号", "int", total=False),
            Column("债务单位"),
            Column("债权企业"),
            Column(f"协议金额（{UNITS[unit]}）", "money"),
            Column("签订日期", "date"),
            Column("期数", "int", total=False),
            Column("状态"),
            Column("标记"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="还款协议",
    )
    rows = Counter(_count(_source) if progress is not None else 0, progress)
    for a in db.session.scalars(statement()):
        sheet.add(
            [
                rows.step(),
                a.id,
                a.debtor_party,
                a.creditor_party,
                a.agreed_amount,
                a.signed_on,
                len(a.installments),
                a.status_label,
                "可能变相延长付款期限" if a.term_extension_flag else "",
            ]
        )
    sheet.total_row(extra={1: f"共 {rows.done} 份"})
    data = sheet.close()
    rows.finish()
    return data, f"还款协议_{today.isoformat()}.xlsx"


AGREEMENTS_EXPORT = ListExport(
    job="agreements.export", label="还款协议清单", count=_count, write=agreements_xlsx
)
JOBS = {AGREEMENTS_EXPORT.job: job_for(AGREEMENTS_EXPORT)}
