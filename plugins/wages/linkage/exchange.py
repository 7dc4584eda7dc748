"""The workbook the office and the 人社 bureau exchange: per project, the wages owed, the works payment
owed, what reached the wage account, the advance due and the state; then the cases not yet placed."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from core import clock
from core.extensions import db
from plugins.wages.linkage import payments as wage_payments
from plugins.wages.linkage.models import CaseStatus, WageCase, WageProject

HEADERS = (
    "项目",
    "建设单位",
    "施工总承包单位",
    "欠薪金额（元）",
    "拖欠工程款（元）",
    "已拨入工资专用账户（元）",
    "应先行垫付（元）",
    "状态",
)
ZERO = Decimal("0.00")


def rows() -> list[tuple]:
    out: list[tuple] = []
    for project in db.session.scalars(db.select(WageProject).order_by(WageProject.id)):
        advance = wage_payments.advance_of(project)
        to_account = sum((p.to_wage_account for p in wage_payments.payments_of(project)), ZERO)
        cases = list(db.session.scalars(db.select(WageCase).where(WageCase.project_id == project.id)))
        if advance.wage_arrears > 0:
            state = "欠薪未清"
        elif cases:
            state = "欠薪已清偿"
        else:
            state = "无欠薪案件"
        out.append(
            (
                project.name,
                project.unit.name if project.unit else "",
                project.contractor_name,
                advance.wage_arrears,
                advance.works_unpaid,
                to_account,
                advance.amount,
                state,
            )
        )
    unplaced = db.session.scalars(
        db.select(WageCase).where(WageCase.project_id.is_(None)).order_by(WageCase.received_on, WageCase.id)
    )
    for case in unplaced:
        owed = ZERO if case.status == CaseStatus.CLEARED else case.amount_owed
        builder = case.debt.unit.name if case.debt is not None else ""
        works = max(ZERO, case.debt.outstanding) if case.debt is not None else None
        out.append(
            (
                case.project_text or f"（案件 {case.case_no}）",
                builder,
                case.contractor_name,
                owed,
                works,
                None,
                min(owed, works) if works is not None else None,
                f"{case.status_label}（案件 {case.case_no}，未登记项目）",
            )
        )
    return out


def workbook() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("农民工工资联动")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.write(0, 0, f"农民工工资联动情况表（{clock.today():%Y年%-m月%-d日}）", bold)
    sheet.write_row(1, 0, HEADERS, bold)
    data = rows()
    for r, row in enumerate(data, start=2):
        for c, value in enumerate(row):
            if isinstance(value, Decimal):
                sheet.write(r, c, value, money)
            elif value is not None:
                sheet.write_string(r, c, str(value))
    total = len(data) + 2
    sheet.write(total, 0, "合计", bold)
    for c in (3, 4, 5, 6):
        amount = sum((row[c] for row in data if isinstance(row[c], Decimal)), ZERO)
        sheet.write(total, c, amount, money)
    sheet.set_column(0, 2, 24)
    sheet.set_column(3, 7, 16)
    book.close()
    return buffer.getvalue()
