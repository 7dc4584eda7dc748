"""Prevention lists in Excel (core's printable sheet), as on screen: new arrears, investment projects, the
deposits register and this year's debts without a budget arrangement.

Each is a ``core.list_exports.table_export``: a short list downloads at once, a long one (over 5,000 rows) is
written by a background job whose progress page offers the file. Money is in the reader's unit with a 合计.
"""

from __future__ import annotations

from decimal import Decimal

from flask import g
from werkzeug.datastructures import MultiDict

from core import clock
from core.extensions import db
from core.list_exports import job_for, table_export
from core.xlsx_report import Column


def _today():
    return clock.today(g.principal.jurisdiction)


def _debt_cells(d) -> list:
    return [
        d.unit.name if d.unit else "",
        d.creditor.display_name if d.creditor else "",
        d.project_name,
        d.contract_no or "",
        d.due_date,
        d.outstanding,
    ]


def _debt_columns(unit: str) -> list[Column]:
    return [
        Column("单位"),
        Column("债权企业"),
        Column("项目"),
        Column("合同编号"),
        Column("到期日", "date"),
        Column(f"未付金额（{unit}）", "money"),
    ]


# --- 新增拖欠 -------------------------------------------------------------------------------------


def new_arrears_stmt():
    from plugins.prevention.watch import service

    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    return service.new_arrears_stmt(service.since_for(jurisdiction, today), today)


def _count_new_arrears(_args: MultiDict) -> int:
    from core.api.debts import filtered_totals

    return filtered_totals(new_arrears_stmt())["count"]


def _new_arrears(_args: MultiDict):
    from plugins.prevention.watch import service

    stmt = new_arrears_stmt()
    # Pages of 500 so the reviews of a page are looked up together, as the list page does.
    offset = 0
    while batch := list(db.session.scalars(stmt.limit(500).offset(offset))):
        offset += len(batch)
        yield from service.traced(batch)


NEW_ARREARS_EXPORT = table_export(
    job="prevention.new_arrears_export",
    label="新增拖欠清单",
    columns=lambda unit: [*_debt_columns(unit), Column("合同审查")],
    rows=_new_arrears,
    cells=lambda x: [*_debt_cells(x.debt), "已审查" if x.review else "未经审查"],
    count=_count_new_arrears,
)


# --- 保证金台账 -----------------------------------------------------------------------------------


def deposits_stmt():
    from plugins.prevention.deposits.models import Deposit

    return db.select(Deposit).order_by(Deposit.returned_on.is_not(None), Deposit.due_back_on, Deposit.id)


def _count_deposits(_args: MultiDict) -> int:
    from core.web.views import stmt_totals

    return stmt_totals(deposits_stmt())["count"]


def _deposits(_args: MultiDict):
    from plugins.prevention.deposits import service

    today = _today()
    for d in db.session.scalars(deposits_stmt()):
        yield d, service.STATE_LABELS[service.state(d, today)]


def _deposit_cells(item) -> list:
    from plugins.prevention.reviews.rules import DEPOSIT_KIND_LABELS, FORM_LABELS

    d, state = item
    return [
        d.enterprise_name,
        d.unit.name if d.unit else "",
        DEPOSIT_KIND_LABELS.get(d.kind, d.kind),
        FORM_LABELS.get(d.form, d.form),
        d.amount,
        d.received_on,
        d.due_back_on,
        state,
        d.returned_on,
    ]


DEPOSITS_EXPORT = table_export(
    job="prevention.deposits_export",
    label="保证金台账",
    columns=lambda unit: [
        Column("缴纳企业"),
        Column("收取单位"),
        Column("种类"),
        Column("形式"),
        Column(f"金额（{unit}）", "money"),
        Column("收取日期", "date"),
        Column("应退还日期", "date"),
        Column("状态"),
        Column("退还日期", "date"),
    ],
    rows=_deposits,
    cells=_deposit_cells,
    count=_count_deposits,
)

# --- 还款纳入预算：当年到期未安排预算的欠款 ---------------------------------------------------------


def unbudgeted_stmt():
    from plugins.prevention.budget import service

    return service.unbudgeted_stmt(_today().year)


def _count_unbudgeted(_args: MultiDict) -> int:
    from core.api.debts import filtered_totals

    return filtered_totals(unbudgeted_stmt())["count"]


UNBUDGETED_EXPORT = table_export(
    job="prevention.unbudgeted_export",
    label="当年到期未安排预算的欠款",
    heading=lambda today: f"{today.year}年到期未安排预算的欠款",
    columns=_debt_columns,
    rows=lambda _args: db.session.scalars(unbudgeted_stmt()),
    cells=_debt_cells,
    count=_count_unbudgeted,
)

# --- 政府投资项目 -----------------------------------------------------------------------------------


def projects_stmt():
    from plugins.prevention.projects.models import Project

    return db.select(Project).order_by(Project.id.desc())


def _count_projects(_args: MultiDict) -> int:
    from core.web.views import stmt_totals

    return stmt_totals(projects_stmt())["count"]


def _project_cells(p) -> list:
    from plugins.prevention.projects.service import VIOLATION_LABELS

    secured = p.secured_amount
    return [
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


PROJECTS_EXPORT = table_export(
    job="prevention.projects_export",
    label="政府投资项目登记表",
    columns=lambda unit: [
        Column("项目"),
        Column("单位"),
        Column("批复文号"),
        Column("批复日期", "date"),
        Column(f"总投资（{unit}）", "money"),
        Column(f"已落实资金（{unit}）", "money"),
        Column(f"未落实资金（{unit}）", "money"),
        Column("计划开工", "date"),
        Column("实际开工", "date"),
        Column("违规情形"),
        Column("越过理由"),
    ],
    rows=lambda _args: db.session.scalars(projects_stmt()),
    cells=_project_cells,
    count=_count_projects,
    noun="个项目",
)

JOBS = {
    export.job: job_for(export)
    for export in (NEW_ARREARS_EXPORT, PROJECTS_EXPORT, DEPOSITS_EXPORT, UNBUDGETED_EXPORT)
}
