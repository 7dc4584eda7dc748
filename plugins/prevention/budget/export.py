"""The budget list in Excel, for the finance bureau and the office: this year's debts and agreement
installments with no budget arrangement, on core's printable sheet (``core.xlsx_report``), money in 元
(the bureau budgets to the fen). The list is one year's due items of the reader's scope: small enough to
write in the request."""

from __future__ import annotations

from typing import IO

from flask import g

from core import clock
from core.extensions import db
from core.web.templating import cn_date
from core.xlsx_report import Column, ReportSheet
from plugins.prevention.budget import installments, service

COLUMNS = [
    Column("序号", "int", total=False),
    Column("类型"),
    Column("单位"),
    Column("债权企业"),
    Column("项目"),
    Column("期次"),
    Column("到期日", "date"),
    Column("未付金额（元）", "money"),
]


def unbudgeted_xlsx(year: int) -> tuple[IO[bytes], str]:
    jurisdiction = g.principal.jurisdiction
    name = jurisdiction.name if jurisdiction is not None else ""
    sheet = ReportSheet(
        f"{name}{year}年到期未安排还款预算的欠款和还款协议分期（截至{cn_date(clock.today(jurisdiction))}）",
        COLUMNS,
        unit="yuan",
        reporter=name,
        sheet_name="未安排预算",
    )
    number = 0
    for debt in db.session.scalars(service.unbudgeted_stmt(year)):
        number += 1
        sheet.add(
            [
                number,
                "欠款",
                debt.unit.name,
                debt.creditor.display_name,
                debt.project_name,
                "",
                debt.due_date,
                debt.outstanding,
            ]
        )
    for item in installments.unbudgeted_installments(year):
        number += 1
        sheet.add(
            [
                number,
                "还款协议分期",
                item.unit_name,
                item.creditor_name,
                item.project_name,
                f"第{item.seq}期",
                item.due_on,
                item.outstanding,
            ]
        )
    sheet.total_row(extra={1: f"共 {number} 项"})
    return sheet.close(), f"未安排还款预算清单_{year}.xlsx"
