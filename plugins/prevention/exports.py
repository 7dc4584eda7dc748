"""Prevention lists in Excel (core's printable sheet), as on screen: new arrears, investment projects, the
deposits register and this year's debts without a budget arrangement.

Each is a ``core.list_exports.ListExport``: a short list downloads at once, a long one (over 5,000 rows) is
written by a background job whose progress page offers the file. Money is in the reader's unit with a 合计.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from flask import g
from werkzeug.datastructures import MultiDict

from core import clock
from core.extensions import db
from core.list_exports import Counter, ListExport, Progress, job_for
from core.units import UNITS
from core.web.templating import cn_date
from core.xlsx_report import Column, ReportSheet


def _jurisdiction_name() -> str:
    jurisdiction = g.principal.jurisdiction
    return jurisdiction.name if jurisdiction is not None else ""


# --- 新增拖欠 -------------------------------------------------------------------------------------


def new_arrears_stmt():
    from plugins.prevention.watch import service

    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    return service.new_arrears_stmt(service.since_for(jurisdiction, today), today), today


def _count_new_arrears(_args: MultiDict) -> int:
    from core.api.debts import filtered_totals

    return filtered_totals(new_arrears_stmt()[0])["count"]


def new_arrears_xlsx(args: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    from plugins.prevention.watch import service

    stmt, today = new_arrears_stmt()
    name = _jurisdiction_name()
    sheet = ReportSheet(
        f"{name}新增拖欠清单（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("单位"),
            Column("债权企业"),
            Column("项目"),
            Column("合同编号"),
            Column("到期日", "date"),
            Column(f"未付金额（{UNITS[unit]}）", "money"),
            Column("合同审查"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="新增拖欠",
    )
    rows = Counter(_count_new_arrears(args) if progress is not None else 0, progress)
    # Pages of 500 so the reviews of a page are looked up together, as the list page does.
    offset = 0
    while batch := list(db.session.scalars(stmt.limit(500).offset(offset))):
        offset += len(batch)
        for x in service.traced(batch):
            d = x.debt
            sheet.add(
                [
                    rows.step(),
                    d.unit.name if d.unit else "",
                    d.creditor.name if d.creditor else "",
                    d.project_name,
                    d.contract_no or "",
                    d.due_date,
                    d.outstanding,
                    "已审查" if x.review else "未经审查",
                ]
            )
    sheet.total_row(extra={1: f"共 {rows.done} 笔"})
    data = sheet.close()
    rows.finish()
    return data, f"新增拖欠_{today.isoformat()}.xlsx"


NEW_ARREARS_EXPORT = ListExport(
    job="prevention.new_arrears_export",
    label="新增拖欠清单",
    count=_count_new_arrears,
    write=new_arrears_xlsx,
)


# --- 保证金台账 -----------------------------------------------------------------------------------


def deposits_stmt():
    from plugins.prevention.deposits.models import Deposit

    return db.select(Deposit).order_by(Deposit.returned_on.is_not(None), Deposit.due_back_on, Deposit.id)


def _count_deposits(_args: MultiDict) -> int:
    from core.web.views import stmt_totals

    return stmt_totals(deposits_stmt())["count"]


def deposits_xlsx(args: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    from plugins.prevention.deposits import service
    from plugins.prevention.reviews.rules import DEPOSIT_KIND_LABELS, FORM_LABELS

    today = clock.today(g.principal.jurisdiction)
    name = _jurisdiction_name()
    sheet = ReportSheet(
        f"{name}保证金台账（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("缴纳企业"),
            Column("收取单位"),
            Column("种类"),
            Column("形式"),
            Column(f"金额（{UNITS[unit]}）", "money"),
            Column("收取日期", "date"),
            Column("应退还日期", "date"),
            Column("状态"),
            Column("退还日期", "date"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="保证金台账",
    )
    rows = Counter(_count_deposits(args) if progress is not None else 0, progress)
    for d in db.session.scalars(deposits_stmt()):
        sheet.add(
            [
                rows.step(),
                d.enterprise_name,
                d.unit.name if d.unit else "",
                DEPOSIT_KIND_LABELS.get(d.kind, d.kind),
                FORM_LABELS.get(d.form, d.form),
                d.amount,
                d.received_on,
                d.due_back_on,
                service.STATE_LABELS[service.state(d, today)],
                d.returned_on,
            ]
        )
    sheet.total_row(extra={1: f"共 {rows.done} 笔"})
    data = sheet.close()
    rows.finish()
    return data, f"保证金台账_{today.isoformat()}.xlsx"


DEPOSITS_EXPORT = ListExport(
    job="prevention.deposits_export", label="保证金台账", count=_count_deposits, write=deposits_xlsx
)

# --- 还款纳入预算：当年到期未安排预算的欠款 ---------------------------------------------------------


def unbudgeted_stmt():
    from plugins.prevention.budget import service

    today = clock.today(g.principal.jurisdiction)
    return service.unbudgeted_stmt(today.year), today


def _count_unbudgeted(_args: MultiDict) -> int:
    from core.api.debts import filtered_totals

    return filtered_totals(unbudgeted_stmt()[0])["count"]


def unbudgeted_xlsx(args: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    stmt, today = unbudgeted_stmt()
    name = _jurisdiction_name()
    sheet = ReportSheet(
        f"{name}{today.year}年到期未安排预算的欠款（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("单位"),
            Column("债权企业"),
            Column("项目"),
            Column("合同编号"),
            Column("到期日", "date"),
            Column(f"未付金额（{UNITS[unit]}）", "money"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="未安排预算",
    )
    rows = Counter(_count_unbudgeted(args) if progress is not None else 0, progress)
    for d in db.session.scalars(stmt):
        sheet.add(
            [
                rows.step(),
                d.unit.name if d.unit else "",
                d.creditor.name if d.creditor else "",
                d.project_name,
                d.contract_no or "",
                d.due_date,
                d.outstanding,
            ]
        )
    sheet.total_row(extra={1: f"共 {rows.done} 笔"})
    data = sheet.close()
    rows.finish()
    return data, f"未安排预算欠款_{today.isoformat()}.xlsx"


UNBUDGETED_EXPORT = ListExport(
    job="prevention.unbudgeted_export",
    label="未安排预算的欠款",
    count=_count_unbudgeted,
    write=unbudgeted_xlsx,
)

# --- 政府投资项目 -----------------------------------------------------------------------------------


def projects_stmt():
    from plugins.prevention.projects.models import Project

    return db.select(Project).order_by(Project.id.desc())


def _count_projects(_args: MultiDict) -> int:
    from core.web.views import stmt_totals

    return stmt_totals(projects_stmt())["count"]


def projects_xlsx(args: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    from plugins.prevention.projects.service import VIOLATION_LABELS

    today = clock.today(g.principal.jurisdiction)
    name = _jurisdiction_name()
    sheet = ReportSheet(
        f"{name}政府投资项目登记表（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("项目"),
            Column("单位"),
            Column("批复文号"),
            Column("批复日期", "date"),
            Column(f"总投资（{UNITS[unit]}）", "money"),
            Column(f"已落实资金（{UNITS[unit]}）", "money"),
            Column(f"未落实资金（{UNITS[unit]}）", "money"),
            Column("计划开工", "date"),
            Column("实际开工", "date"),
            Column("违规情形"),
            Column("越过理由"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="政府投资项目",
    )
    rows = Counter(_count_projects(args) if progress is not None else 0, progress)
    for p in db.session.scalars(projects_stmt()):
        secured = p.secured_amount
        sheet.add(
            [
                rows.step(),
                p.name,
                p.unit.name if p.unit else "",
                p.approval_doc,
                p.approved_on,
                p.budget,
                secured,
                max(p.budget - secured, Decimal("0.00")),
                p.planned_start,
                p.actual_start,
                "、".join(VIOLATION_LABELS.get(v, v) for v in (p.start_violations or [])),
                p.override_reason,
            ]
        )
    sheet.total_row(extra={1: f"共 {rows.done} 个项目"})
    data = sheet.close()
    rows.finish()
    return data, f"政府投资项目_{today.isoformat()}.xlsx"


PROJECTS_EXPORT = ListExport(
    job="prevention.projects_export", label="政府投资项目", count=_count_projects, write=projects_xlsx
)

JOBS = {
    export.job: job_for(export)
    for export in (NEW_ARREARS_EXPORT, PROJECTS_EXPORT, DEPOSITS_EXPORT, UNBUDGETED_EXPORT)
}
