"""Wage-arrears cases from the 人社 bureau: import with preview, matching to projects and debts, linking.

A debt linked to an open case is flagged as involving migrant wages (core's ``migrant_wages``), its wage
part raised to cover the case, and every payment on it must pay the wages first (``wage_first_issues``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, Any

from core import clock
from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.enterprise import Enterprise
from core.rules import credit_code
from core.rules.validation import Issue
from core.services import debts as core_debts
from core.services import history
from core.tenancy.models import TenantNode
from core.tenancy.names import name_key
from plugins.wages.linkage import cells, sheets
from plugins.wages.linkage.imports import ZERO, ImportResult, ImportRow
from plugins.wages.linkage.models import CaseStatus, WageCase, WageProject, WageProjectDebt

SYNONYMS: dict[str, tuple[str, ...]] = {
    "case_no": ("案件编号", "案件号", "案号", "编号", "投诉编号"),
    "project_text": ("项目名称", "工程名称", "欠薪项目", "工程项目"),
    "contractor_name": ("施工单位", "欠薪单位", "总承包单位", "用人单位", "被投诉单位", "施工企业"),
    "contractor_credit_code": ("统一社会信用代码", "信用代码", "社会信用代码"),
    "workers": ("涉及人数", "欠薪人数", "农民工人数", "人数"),
    "amount_owed": ("欠薪金额", "拖欠工资金额", "拖欠金额", "欠薪数额", "金额"),
    "period": ("欠薪期间", "拖欠期间", "欠薪时段", "所属期间"),
    "received_on": ("受理日期", "立案日期", "登记日期"),
}
REQUIRED = {"case_no", "contractor_name", "amount_owed"}
FIELD_LABELS = {field: names[0] for field, names in SYNONYMS.items()}


class LinkRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _date(value: object) -> tuple[dt.date | None, str | None]:
    if cells.is_empty(value):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    raw = (
        cells.key(value)
        .replace("年", "-")
        .replace("月", "-")
        .replace("日", "")
        .replace("/", "-")
        .replace(".", "-")
    )
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in raw.split("-"))), None
    except ValueError:
        return None, f"日期格式不正确（{cells.text(value)}）"


def check_row(number: int, raw: dict[str, object], today: dt.date) -> ImportRow:
    row = ImportRow(number)
    if all(cells.is_empty(v) for v in raw.values()):
        row.outcome = "skipped"
        return row
    values = row.values
    values["case_no"] = cells.text(raw.get("case_no"))[:80]
    if not values["case_no"]:
        row.error("case_no", "案件编号不能为空")
    values["project_text"] = cells.text(raw.get("project_text"))[:300]
    values["contractor_name"] = " ".join(cells.text(raw.get("contractor_name")).split())[:200]
    if not values["contractor_name"]:
        row.error("contractor_name", "施工单位不能为空")
    values["contractor_credit_code"] = None
    code_text = cells.text(raw.get("contractor_credit_code"))
    if code_text and not cells.is_empty(code_text):
        result = credit_code.check(code_text)
        if result.valid:
            values["contractor_credit_code"] = result.code
        else:
            row.error("contractor_credit_code", result.message or "统一社会信用代码无效")
    owed, problem = cells.amount(raw.get("amount_owed"))
    if problem:
        row.error("amount_owed", problem)
    elif owed is None or owed <= 0:
        row.error("amount_owed", "欠薪金额必须大于0")
    values["amount_owed"] = owed
    row.money = owed or ZERO
    workers, problem = cells.count(raw.get("workers"))
    if problem:
        row.error("workers", problem)
    values["workers"] = workers
    values["period"] = cells.text(raw.get("period"))[:100] or None
    received, problem = _date(raw.get("received_on"))
    if problem:
        row.error("received_on", problem)
    elif received is not None and received > today:
        row.error("received_on", "受理日期不能晚于今天")
    values["received_on"] = received or today
    return row


def analyse(jurisdiction: TenantNode, grid: list[list[object]]) -> ImportResult:
    _header, raw_rows = sheets.rows_by_field(grid, SYNONYMS, REQUIRED)
    today = clock.today(jurisdiction)
    seen = {
        name_key(no)
        for no in db.session.scalars(
            db.select(WageCase.case_no).where(WageCase.jurisdiction_id == jurisdiction.id)
        )
    }
    result = ImportResult(money_label="欠薪金额")
    for number, raw in raw_rows:
        row = check_row(number, raw, today)
        if row.outcome == "new":
            ident = name_key(row.values["case_no"])
            if ident in seen:
                row.outcome = "duplicate"
                row.note = "该案件编号已导入（或文件中重复）"
            seen.add(ident)
        result.rows.append(row)
    return result


# --- Matching ---------------------------------------------------------------------------------------


def _same_contractor(code: str | None, name: str, other_code: str | None, other_name: str) -> bool:
    if code and other_code:
        return code == other_code
    return bool(name) and name_key(name) == name_key(other_name)


def _narrow_by_project(candidates: list, project_text: str, name_of) -> list:
    if len(candidates) <= 1 or not project_text:
        return candidates
    wanted = name_key(project_text)
    exact = [c for c in candidates if name_key(name_of(c)) == wanted]
    if exact:
        return exact
    return [c for c in candidates if wanted in name_key(name_of(c)) or name_key(name_of(c)) in wanted]


def open_debts(project: WageProject) -> list[Debt]:
    return [d for d in project.debts if d.deleted_at is None and d.outstanding > 0]


def find_match(case: WageCase) -> tuple[WageProject | None, Debt | None, str]:
    """The project and debt the case belongs to, by credit code (else name) and project name."""
    code, name = case.contractor_credit_code, case.contractor_name
    projects = [
        p
        for p in db.session.scalars(
            db.select(WageProject).where(WageProject.jurisdiction_id == case.jurisdiction_id)
        )
        if _same_contractor(code, name, p.contractor_credit_code, p.contractor_name)
    ]
    projects = _narrow_by_project(projects, case.project_text, lambda p: p.name)
    if len(projects) == 1:
        project = projects[0]
        debts = open_debts(project)
        if len(debts) == 1:
            return project, debts[0], "按施工单位和项目匹配到项目及欠款"
        if not debts:
            return project, None, "匹配到项目，但该项目没有未付清的欠款，请手工关联"
        return project, None, "匹配到项目，但该项目有多笔未付欠款，请手工选择"
    if len(projects) > 1:
        return None, None, "该施工单位有多个项目，无法确定，请手工关联"
    rows = db.session.execute(
        db.select(Debt, Enterprise)
        .join(Enterprise, Enterprise.id == Debt.creditor_id)
        .where(Debt.jurisdiction_id == case.jurisdiction_id, Debt.deleted_at.is_(None))
    ).all()
    debts = [d for d, e in rows if d.outstanding > 0 and _same_contractor(code, name, e.credit_code, e.name)]
    debts = _narrow_by_project(debts, case.project_text, lambda d: d.project_name)
    if len(debts) == 1:
        link = db.session.scalar(db.select(WageProjectDebt).where(WageProjectDebt.debt_id == debts[0].id))
        return (link.project if link else None), debts[0], "按施工单位匹配到欠款"
    if debts:
        return None, None, "该施工单位有多笔未付欠款，无法确定，请手工关联"
    return None, None, "台账中没有该施工单位的未付欠款，请手工关联"


def wages_paid(debt: Debt) -> Decimal:
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(Payment.wage_amount), 0)).where(
            Payment.debt_id == debt.id, Payment.reversed_at.is_(None)
        )
    )
    return Decimal(total or 0)


def wages_paid_of(debts: list[Debt]) -> dict[int, Decimal]:
    """``wages_paid`` of many debts in one query (lists and boards asked once per debt: 1,900 queries for
    the 春节 board and the clearance order of one benchmark jurisdiction)."""
    paid: dict[int, Decimal] = {d.id: Decimal("0") for d in debts}
    ids = list(paid)
    for start in range(0, len(ids), 5000):
        rows = db.session.execute(
            db.select(Payment.debt_id, db.func.coalesce(db.func.sum(Payment.wage_amount), 0))
            .where(Payment.debt_id.in_(ids[start : start + 5000]), Payment.reversed_at.is_(None))
            .group_by(Payment.debt_id)
        )
        paid.update({debt_id: Decimal(total or 0) for debt_id, total in rows})
    return paid


def link_case(
    case: WageCase, debt: Debt, project: WageProject | None, *, actor=None, note: str | None = None
):
    """Link ``case`` to ``debt``: the debt is flagged 涉薪 and its wage part raised to what was paid in
    wages already plus what the case says is owed (never above the amount owed)."""
    if case.status == CaseStatus.CLEARED:
        raise LinkRefused("case_id", "该案件已清偿，不能再关联")
    if debt.deleted_at is not None or debt.jurisdiction_id != case.jurisdiction_id:
        raise LinkRefused("debt_id", "欠款不存在")
    if project is not None and debt.id not in {d.id for d in project.debts}:
        raise LinkRefused("debt_id", "该欠款不属于所选项目")
    if project is None:
        link = db.session.scalar(db.select(WageProjectDebt).where(WageProjectDebt.debt_id == debt.id))
        project = link.project if link else None
    before = {"status": case.status, "debt_id": case.debt_id, "project_id": case.project_id}
    case.debt_id, case.debt = debt.id, debt
    case.project_id, case.project = (project.id, project) if project else (None, None)
    case.unit_id = debt.unit_id
    case.status = CaseStatus.LINKED
    case.match_note = note or case.match_note
    needed = min(wages_paid(debt) + case.amount_owed, debt.amount_owed)
    changes: dict[str, Any] = {}
    if not debt.migrant_wages:
        changes["migrant_wages"] = True
    if needed > (debt.migrant_wage_amount or ZERO):
        changes["migrant_wage_amount"] = needed
    from plugins.wages.linkage.priority import bring_forward

    db.session.flush()
    first = bring_forward(debt)
    if first is not None:
        # The clearance plan pays the wage debt first: it takes the unit's earliest planned date.
        changes["planned_repayment_date"] = first
    if changes:
        core_debts.update_debt(debt, changes, actor=actor, note=f"关联人社欠薪案件 {case.case_no}")
    db.session.flush()
    history.record(
        case,
        "linked",
        before=before,
        after={"status": case.status, "debt_id": debt.id, "project_id": case.project_id},
        actor=actor,
        note=note,
    )
    return case


def create_case(jurisdiction: TenantNode, values: dict[str, Any], actor=None) -> WageCase:
    case = WageCase(
        jurisdiction_id=jurisdiction.id,
        unit_id=jurisdiction.id,
        status=CaseStatus.UNMATCHED,
        **{k: values[k] for k in SYNONYMS},
    )
    db.session.add(case)
    db.session.flush()
    history.record(case, "imported", after={"case_no": case.case_no}, actor=actor)
    project, debt, note = find_match(case)
    if project is not None:
        case.project_id, case.project = project.id, project
    case.match_note = note
    if debt is not None:
        link_case(case, debt, project, actor=actor, note=note)
    return case


def import_cases(jurisdiction: TenantNode, stream: IO[bytes], *, commit: bool, actor=None) -> ImportResult:
    result = analyse(jurisdiction, sheets.read_cells(stream))
    if commit:
        for row in result.accepted:
            case = create_case(jurisdiction, row.values, actor=actor)
            row.note = f"{case.status_label}：{case.match_note}"
        result.committed = True
    return result


# --- Wage first and clearing ---------------------------------------------------------------------


def open_cases_of(debt: Debt) -> list[WageCase]:
    if debt.id is None:
        return []
    return list(
        db.session.scalars(
            db.select(WageCase).where(WageCase.debt_id == debt.id, WageCase.status == CaseStatus.LINKED)
        )
    )


def wage_first_issues(debt: Debt, payment_data: dict[str, Any]) -> list[Issue]:
    """A debt with an open 人社 case pays wages first: at least min(amount, wages left) of each payment
    goes to the wages. (The agreements plugin checks the same for every wage debt when it is enabled;
    this holds for the linked debts whatever else the jurisdiction enables.)"""
    if not open_cases_of(debt):
        return []
    amount = Decimal(payment_data["amount"])
    wage_part = Decimal(payment_data.get("wage_amount") or 0)
    left = max(ZERO, (debt.migrant_wage_amount or ZERO) - wages_paid(debt))
    required = min(amount, left)
    if wage_part < required:
        return [
            Issue(
                "wage_amount",
                f"该欠款关联人社欠薪案件，尚有农民工工资{left:.2f}元未付：本次付款{amount:.2f}元中至少应有"
                f"{required:.2f}元用于支付农民工工资（当前填报{wage_part:.2f}元）",
            )
        ]
    return []


def clear_paid_cases(debt: Debt, paid_on: dt.date, actor=None) -> None:
    """A case is cleared once the debt's wages are all paid (or the debt itself is)."""
    if debt.outstanding > 0 and wages_paid(debt) < (debt.migrant_wage_amount or ZERO):
        return
    for case in open_cases_of(debt):
        case.status = CaseStatus.CLEARED
        case.cleared_on = paid_on
        history.record(case, "cleared", after={"cleared_on": paid_on.isoformat()}, actor=actor)
