"""The register of works projects: import with preview, and the debts (works payments owed) of each."""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise
from core.rules import credit_code
from core.rules.validation import Issue, ValidationFailed
from core.services import history
from core.tenancy.models import TenantNode
from core.tenancy.names import UnitMatcher, name_key
from plugins.wages.linkage import cells, sheets
from plugins.wages.linkage.imports import ZERO, ImportResult, ImportRow
from plugins.wages.linkage.models import WageProject, WageProjectDebt

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "工程名称", "工程项目名称", "建设项目名称"),
    "unit": ("建设单位", "建设单位名称", "发包单位", "债务单位"),
    "contractor_name": ("施工总承包单位", "总承包单位", "总包单位", "施工单位", "承包单位"),
    "contractor_credit_code": ("统一社会信用代码", "总承包单位统一社会信用代码", "信用代码", "社会信用代码"),
    "contract_no": ("合同编号", "施工合同编号"),
    "wage_bank": ("专用账户开户银行", "工资专用账户开户行", "开户银行", "开户行"),
    "wage_account": ("农民工工资专用账户", "工资专用账户", "专用账户账号", "专用账户", "账号"),
    "labour_share": ("人工费用比例", "人工费用", "人工费比例", "人工费"),
    "wage_deposit": ("工资保证金", "保证金", "工资保证金金额"),
    "workforce": ("用工人数", "农民工人数", "务工人数", "人数"),
    "remarks": ("备注",),
}
REQUIRED = {"name", "unit", "contractor_name"}
FIELD_LABELS = {field: names[0] for field, names in SYNONYMS.items()}


def check_row(number: int, raw: dict[str, object], matcher: UnitMatcher) -> ImportRow:
    row = ImportRow(number)
    if all(cells.is_empty(v) for v in raw.values()):
        row.outcome = "skipped"
        return row
    values = row.values
    values["name"] = cells.text(raw.get("name"))[:300]
    values["contractor_name"] = " ".join(cells.text(raw.get("contractor_name")).split())[:200]
    if not values["name"]:
        row.error("name", "项目名称不能为空")
    if not values["contractor_name"]:
        row.error("contractor_name", "总承包单位不能为空")
    unit_text = cells.text(raw.get("unit"))
    values["unit"] = unit_text
    unit_id, problem = matcher.match(unit_text) if unit_text else (None, "unknown")
    if unit_id is None:
        reason = "对应多个单位，请写全称" if problem == "ambiguous" else "在本辖区找不到该单位"
        row.error("unit", f"建设单位“{unit_text}”{reason}" if unit_text else "建设单位不能为空")
    values["unit_id"] = unit_id
    code_text = cells.text(raw.get("contractor_credit_code"))
    values["contractor_credit_code"] = None
    if code_text and not cells.is_empty(code_text):
        result = credit_code.check(code_text)
        if not result.valid:
            row.error("contractor_credit_code", result.message or "统一社会信用代码无效")
        else:
            values["contractor_credit_code"] = result.code
    values["contract_no"] = cells.text(raw.get("contract_no"))[:120] or None
    values["wage_bank"] = cells.text(raw.get("wage_bank"))[:120] or None
    values["wage_account_masked"] = cells.mask_account(raw.get("wage_account"))
    (percent, per_payment), problem = cells.share(raw.get("labour_share"))
    if problem:
        row.error("labour_share", problem)
    values["labour_share_percent"], values["labour_share_amount"] = percent, per_payment
    deposit, problem = cells.amount(raw.get("wage_deposit"))
    if problem:
        row.error("wage_deposit", problem)
        row.money = ZERO
    values["wage_deposit"] = deposit or ZERO
    row.money = deposit or ZERO
    workforce, problem = cells.count(raw.get("workforce"))
    if problem:
        row.error("workforce", problem)
    values["workforce"] = workforce
    values["remarks"] = cells.text(raw.get("remarks")) or None
    return row


def analyse(jurisdiction: TenantNode, grid: list[list[object]]) -> ImportResult:
    _header, raw_rows = sheets.rows_by_field(grid, SYNONYMS, REQUIRED)
    matcher = UnitMatcher(jurisdiction)
    seen = {
        (p.unit_id, name_key(p.name))
        for p in db.session.scalars(
            db.select(WageProject).where(WageProject.jurisdiction_id == jurisdiction.id)
        )
    }
    result = ImportResult(money_label="工资保证金")
    for number, raw in raw_rows:
        row = check_row(number, raw, matcher)
        if row.outcome == "new":
            ident = (row.values["unit_id"], name_key(row.values["name"]))
            if ident in seen:
                row.outcome = "duplicate"
                row.note = "该建设单位已登记同名项目（或文件中重复）"
            seen.add(ident)
        result.rows.append(row)
    return result


def find_contractor(jurisdiction_id: int, code: str | None, name: str) -> Enterprise | None:
    if code:
        found = db.session.scalar(
            db.select(Enterprise).where(
                Enterprise.jurisdiction_id == jurisdiction_id, Enterprise.credit_code == code
            )
        )
        if found is not None:
            return found
    wanted = name_key(name)
    candidates = [
        e
        for e in db.session.scalars(
            db.select(Enterprise).where(Enterprise.jurisdiction_id == jurisdiction_id)
        )
        if name_key(e.name) == wanted
    ]
    return candidates[0] if len(candidates) == 1 else None


def create_project(jurisdiction: TenantNode, values: dict[str, Any], actor=None) -> WageProject:
    contractor = find_contractor(
        jurisdiction.id, values.get("contractor_credit_code"), values["contractor_name"]
    )
    project = WageProject(
        jurisdiction_id=jurisdiction.id,
        unit_id=values["unit_id"],
        name=values["name"],
        contractor_name=values["contractor_name"],
        contractor_credit_code=values.get("contractor_credit_code")
        or (contractor.credit_code if contractor is not None else None),
        contractor_id=contractor.id if contractor is not None else None,
        contract_no=values.get("contract_no"),
        wage_bank=values.get("wage_bank"),
        wage_account_masked=values.get("wage_account_masked"),
        labour_share_percent=values.get("labour_share_percent"),
        labour_share_amount=values.get("labour_share_amount"),
        wage_deposit=values.get("wage_deposit") or ZERO,
        workforce=values.get("workforce"),
        remarks=values.get("remarks"),
    )
    db.session.add(project)
    db.session.flush()
    history.record(project, "created", after={"name": project.name}, actor=actor)
    link_matching_debts(project, actor=actor)
    return project


EDITABLE = (
    "name",
    "contractor_name",
    "contractor_credit_code",
    "contract_no",
    "wage_bank",
    "wage_account_masked",
    "labour_share_percent",
    "labour_share_amount",
    "wage_deposit",
    "workforce",
    "remarks",
)


def _wire(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def update_project(
    project: WageProject, changes: dict[str, Any], actor=None, note: str | None = None
) -> bool:
    """Apply the edited fields to ``project``; the event keeps each changed field before and after, and
    the version moves on (the next edit must name it). Returns whether anything changed."""
    if "wage_deposit" in changes and changes["wage_deposit"] is None:
        changes["wage_deposit"] = ZERO
    changed = {k: v for k, v in changes.items() if k in EDITABLE and getattr(project, k) != v}
    percent = changed.get("labour_share_percent", project.labour_share_percent)
    amount = changed.get("labour_share_amount", project.labour_share_amount)
    if percent is not None and amount is not None:
        raise ValidationFailed([Issue("labour_share_amount", "人工费用填比例或每期金额，二选一")])
    if not changed:
        return False
    before = {k: _wire(getattr(project, k)) for k in changed}
    for key, value in changed.items():
        setattr(project, key, value)
    if {"contractor_name", "contractor_credit_code"} & changed.keys():
        contractor = find_contractor(
            project.jurisdiction_id, project.contractor_credit_code, project.contractor_name
        )
        project.contractor_id = contractor.id if contractor is not None else None
    project.version += 1
    db.session.flush()
    history.record(
        project,
        "updated",
        before=before,
        after={k: _wire(v) for k, v in changed.items()},
        actor=actor,
        note=note,
    )
    # A new contract number or name may match works debts not linked yet; links already made stay.
    if {"name", "contract_no", "contractor_name", "contractor_credit_code"} & changed.keys():
        link_matching_debts(project, actor=actor)
    return True


def import_projects(jurisdiction: TenantNode, stream: IO[bytes], *, commit: bool, actor=None) -> ImportResult:
    result = analyse(jurisdiction, sheets.read_cells(stream))
    if commit:
        for row in result.accepted:
            create_project(jurisdiction, row.values, actor=actor)
        result.committed = True
    return result


def matching_debts(project: WageProject) -> list[Debt]:
    """The project's works debts: owed by its builder unit to its contractor, with the same contract
    number, or the same project name when either has no contract number."""
    if project.contractor_id is None:
        return []
    debts = db.session.scalars(
        db.select(Debt).where(
            Debt.unit_id == project.unit_id,
            Debt.creditor_id == project.contractor_id,
            Debt.deleted_at.is_(None),
        )
    ).all()
    contract = name_key(project.contract_no)
    return [
        d
        for d in debts
        if (contract and name_key(d.contract_no) == contract)
        or ((not contract or not d.contract_no) and name_key(d.project_name) == name_key(project.name))
    ]


def link_debt(project: WageProject, debt: Debt, actor=None) -> WageProjectDebt | None:
    taken = db.session.scalar(db.select(WageProjectDebt).where(WageProjectDebt.debt_id == debt.id))
    if taken is not None:
        return None
    link = WageProjectDebt(
        jurisdiction_id=project.jurisdiction_id, unit_id=debt.unit_id, project_id=project.id, debt_id=debt.id
    )
    db.session.add(link)
    db.session.flush()
    history.record(
        project, "debt_linked", after={"debt_id": debt.id, "project_name": debt.project_name}, actor=actor
    )
    db.session.refresh(project, ["links"])
    return link


def link_matching_debts(project: WageProject, actor=None) -> int:
    return sum(1 for debt in matching_debts(project) if link_debt(project, debt, actor=actor) is not None)


def works_outstanding(project: WageProject) -> Decimal:
    """Works payments the builder still owes on the project."""
    return sum((max(d.outstanding, ZERO) for d in project.debts if d.deleted_at is None), ZERO)
