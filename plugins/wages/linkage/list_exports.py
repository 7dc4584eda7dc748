"""The wages page's four lists in Excel, as on screen: 人社 cases, unpaid wage-flagged debts, complaints that
say wages are involved, and the works projects register (``core.list_exports.table_export``: printable,
money in the reader's unit, 合计; a long list is written by a background job with progress)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from core.extensions import db
from core.list_exports import job_for, table_export
from core.web.views import stmt_totals
from core.xlsx_report import Column
from plugins.wages.linkage import payments as wage_payments
from plugins.wages.linkage import shared
from plugins.wages.linkage.models import CaseStatus, WageCase, WageProject

BATCH = 500


def cases_stmt():
    """Unmatched cases first (they need the office), then newest received."""
    return db.select(WageCase).order_by(
        db.case((WageCase.status == CaseStatus.UNMATCHED, 0), else_=1),
        WageCase.received_on.desc(),
        WageCase.id.desc(),
    )


def projects_stmt():
    return db.select(WageProject).order_by(WageProject.id)


def wage_debts(_args: MultiDict):
    """Unpaid wage-flagged debts with their cases, a batch at a time (cases are looked up per batch)."""
    stmt = shared.flagged_stmt(open_only=True)
    offset = 0
    while batch := list(db.session.scalars(stmt.limit(BATCH).offset(offset))):
        offset += len(batch)
        yield from shared.rows_for(batch)


CASES_EXPORT = table_export(
    job="wages.cases_export",
    label="人社欠薪案件",
    columns=lambda unit: [
        Column("案件编号"),
        Column("项目"),
        Column("施工单位"),
        Column("人数", "int", total=True),
        Column(f"欠薪金额（{unit}）", "money"),
        Column("欠薪期间"),
        Column("受理日期", "date"),
        Column("状态"),
        Column("关联欠款"),
    ],
    rows=lambda _args: db.session.scalars(cases_stmt()),
    cells=lambda c: [
        c.case_no,
        c.project.name if c.project else c.project_text,
        c.contractor_name,
        c.workers,
        c.amount_owed,
        c.period or "",
        c.received_on,
        c.status_label,
        c.debt.project_name if c.debt else (c.match_note or ""),
    ],
    count=lambda _args: stmt_totals(cases_stmt())["count"],
    noun="件",
)

WAGE_DEBTS_EXPORT = table_export(
    job="wages.debts_export",
    label="涉薪欠款（未清偿）",
    columns=lambda unit: [
        Column("债务单位"),
        Column("债权企业"),
        Column("项目"),
        Column("合同编号"),
        Column(f"未付余额（{unit}）", "money"),
        Column(f"其中农民工工资（{unit}）", "money"),
        Column(f"尚欠工资（{unit}）", "money"),
        Column("付款期限", "date"),
        Column("计划偿还", "date"),
        Column("人社案件"),
        Column("优先清偿"),
    ],
    rows=wage_debts,
    cells=lambda r: [
        r.debt.unit.name if r.debt.unit else "",
        r.debt.creditor.display_name if r.debt.creditor else "",
        r.debt.project_name,
        r.debt.contract_no or "",
        r.debt.outstanding,
        r.debt.migrant_wage_amount,
        r.wages_left,
        r.debt.due_date,
        r.debt.planned_repayment_date,
        "、".join(r.case_nos),
        "是" if r.linked else "",
    ],
    count=lambda _args: stmt_totals(shared.flagged_stmt(open_only=True))["count"],
)

COMPLAINTS_EXPORT = table_export(
    job="wages.complaints_export",
    label="涉及农民工工资的投诉线索",
    columns=lambda unit: [
        Column("查询码"),
        Column("收到日期", "date"),
        Column("被投诉单位"),
        Column("投诉企业"),
        Column(f"欠款金额（{unit}）", "money"),
        Column(f"其中农民工工资（{unit}）", "money"),
        Column("办理单位"),
        Column("状态"),
    ],
    rows=lambda _args: shared.wage_complaints(),
    # A blank amount ("未写明" on the page) stays empty in the sheet: the 合计 adds what is written.
    cells=lambda c: [
        c.tracking_code,
        c.received_on,
        c.debtor_text,
        c.creditor_name,
        c.amount,
        c.migrant_wage_amount,
        c.unit_name,
        c.status_label,
    ],
    count=lambda _args: len(shared.wage_complaints()),
    noun="件",
)


def _project_cells(p: WageProject) -> list:
    advance = wage_payments.advance_of(p)
    if p.labour_share_percent is not None:
        share = f"{p.labour_share_percent}%"
    elif p.labour_share_amount is not None:
        share = f"每期 {p.labour_share_amount:,.2f} 元"
    else:
        share = "未填"
    return [
        p.name,
        p.unit.name if p.unit else "",
        p.contractor_name,
        " ".join(x for x in (p.wage_bank, p.wage_account_masked or "未登记") if x),
        share,
        p.wage_deposit,
        p.workforce,
        advance.works_unpaid,
        advance.wage_arrears,
        advance.amount,
    ]


PROJECTS_EXPORT = table_export(
    job="wages.projects_export",
    label="工程建设项目",
    columns=lambda unit: [
        Column("项目名称"),
        Column("建设单位"),
        Column("施工总承包单位"),
        Column("工资专用账户"),
        Column("人工费用"),
        Column(f"工资保证金（{unit}）", "money"),
        Column("用工人数", "int", total=True),
        Column(f"未付工程款（{unit}）", "money"),
        Column(f"欠薪（{unit}）", "money"),
        Column(f"应先行垫付（{unit}）", "money"),
    ],
    rows=lambda _args: db.session.scalars(projects_stmt()),
    cells=_project_cells,
    count=lambda _args: stmt_totals(projects_stmt())["count"],
    noun="个项目",
)

EXPORTS = {
    "cases": CASES_EXPORT,
    "debts": WAGE_DEBTS_EXPORT,
    "complaints": COMPLAINTS_EXPORT,
    "projects": PROJECTS_EXPORT,
}
JOBS = {export.job: job_for(export) for export in EXPORTS.values()}
