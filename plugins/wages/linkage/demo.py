"""Demo content exercising every part of the wage linkage: works projects over the demo's works debts, a
人社 case matched and still open (its debt 涉薪, first in its unit's clearance order, a partial advance by
the builder), one matched and cleared by a wage payment through the dedicated account, one left for
manual linking, a works payment that bypassed the wage account, and a read-only liaison for the bureau."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.extensions import db
from core.models.debt import Category, Debt
from core.rules.status import DebtStatus
from core.rules.validation import Refused
from core.tenancy.models import TenantNode
from plugins.wages.linkage import cases, payments, projects
from plugins.wages.linkage.models import CaseStatus, WageCase, WagePaymentKind, WageProject

ZERO = Decimal("0.00")
LIAISON_PASSWORD = "rs-liaison-2023"
PAYABLE = (DebtStatus.CONFIRMED, DebtStatus.PARTLY_REPAID, DebtStatus.UNDER_AGREEMENT)


def _wage_part(debt: Debt, amount: Decimal) -> Decimal:
    """The least of ``amount`` that must go to wages (wage first), whichever plugins are enabled."""
    if not debt.migrant_wages:
        return ZERO
    if (debt.migrant_wage_amount or ZERO) <= 0:
        return amount
    return min(amount, max(ZERO, debt.migrant_wage_amount - cases.wages_paid(debt)))


def _pay(project: WageProject, debt: Debt, data: dict, actor) -> bool:
    """Record a demo payment; synthetic debts differ by seed, so one that a rule refuses is left out."""
    try:
        with db.session.begin_nested():
            payments.record(project, debt, data, actor=actor)
        return True
    except Refused:
        return False


def _liaison(jurisdiction: TenantNode, office) -> str | None:
    from core.cli.users import ensure_user

    # Named like the jurisdiction's other demo users (wts_office → wts_rs).
    name = getattr(office, "username", None) or ""
    prefix = name.removesuffix("_office") if name.endswith("_office") else jurisdiction.code
    username = f"{prefix}_rs"
    _user, created, _ = ensure_user(
        username,
        "wage_liaison",
        jurisdiction,
        password=LIAISON_PASSWORD,
        display_name="人社局农民工工资联络员",
    )
    return username if created else None


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    exists = db.session.scalar(
        db.select(WageProject.id).where(WageProject.jurisdiction_id == jurisdiction.id).limit(1)
    )
    if exists is not None:
        return None
    debts = [
        d
        for d in db.session.scalars(
            db.select(Debt)
            .where(Debt.jurisdiction_id == jurisdiction.id, Debt.deleted_at.is_(None))
            .order_by(db.case((Debt.category == Category.WORKS, 0), else_=1), Debt.id)
            .limit(50)
        )
        if d.outstanding > 0 and d.creditor is not None and d.status in PAYABLE
    ][:3]
    if not debts:
        return None
    office = users.get("office_admin")
    made = []
    for n, debt in enumerate(debts):
        project = projects.create_project(
            jurisdiction,
            {
                "unit_id": debt.unit_id,
                "name": debt.project_name or f"示例工程项目{n + 1}",
                "contractor_name": debt.creditor.name,
                "contractor_credit_code": debt.creditor.credit_code,
                "contract_no": debt.contract_no,
                "wage_bank": "中国农业银行五台县支行",
                "wage_account_masked": f"****{6201 + n}",
                "labour_share_percent": Decimal("20"),
                "wage_deposit": Decimal("50000.00"),
                "workforce": 30 + 10 * n,
            },
            actor=office,
        )
        if debt.id not in {d.id for d in project.debts}:
            projects.link_debt(project, debt, actor=office)
        made.append(project)
    today = clock.today(jurisdiction)
    lines = [f"登记工程项目 {len(made)} 个"]

    # An open case on the first debt: 涉薪, first in its unit's plan; the builder advances part of it.
    first = debts[0]
    owed = min(Decimal("86000.00"), first.outstanding)
    _linked_case(
        jurisdiction,
        _case("人社欠薪-示例-001", made[0], first, 23, owed, today, 12, f"{today.year}年5月至9月"),
        first,
        made[0],
        office,
    )
    advance = min(Decimal("10000.00"), payments.advance_of(made[0]).amount)
    if advance > 0 and _pay(
        made[0],
        first,
        {"kind": WagePaymentKind.ADVANCE, "paid_on": today - dt.timedelta(days=3), "amount": advance},
        office,
    ):
        lines.append(f"建设单位先行垫付 {advance:,.2f} 元")

    # A case on the second debt, cleared 30 days after receipt by wages paid through the wage account.
    cleared_text = ""
    if len(debts) > 1:
        second = debts[1]
        wages = min(Decimal("24000.00"), (second.outstanding / 2).quantize(Decimal("0.01")))
        case = _linked_case(
            jurisdiction,
            _case("人社欠薪-示例-003", made[1], second, 11, wages, today, 40, f"{today.year}年6月至8月"),
            second,
            made[1],
            office,
        )
        # The ledger may already carry a larger wage part than the case: the payment clears all of it.
        amount = min(second.outstanding, max(wages, _wage_part(second, second.outstanding)))
        if (
            _pay(
                made[1],
                second,
                {
                    "paid_on": today - dt.timedelta(days=10),
                    "amount": amount,
                    "wage_amount": amount,
                    "to_wage_account": payments.labour_share_due(made[1], amount),
                },
                office,
            )
            and case.status == CaseStatus.CLEARED
        ):
            cleared_text = "，1 件已由工资专用账户支付清偿"

    # A works payment on the third debt that put nothing into the wage account (flagged).
    if len(debts) > 2:
        third = debts[2]
        amount = (third.outstanding * Decimal("0.3")).quantize(Decimal("0.01"))
        if amount > 0 and _pay(
            made[2],
            third,
            {
                "paid_on": today - dt.timedelta(days=20),
                "amount": amount,
                "wage_amount": _wage_part(third, amount),
                "to_wage_account": ZERO,
            },
            office,
        ):
            lines.append("1 笔工程款未按人工费用比例拨入工资专用账户（已标记）")

    cases.create_case(
        jurisdiction,
        {
            "case_no": "人社欠薪-示例-002",
            "project_text": "县城老旧小区改造（三标段）",
            "contractor_name": "示例劳务分包有限公司",
            "contractor_credit_code": None,
            "workers": 9,
            "amount_owed": Decimal("31500.00"),
            "period": f"{today.year}年8月至10月",
            "received_on": today - dt.timedelta(days=5),
        },
        actor=office,
    )
    lines.insert(1, f"人社欠薪案件 {3 if len(debts) > 1 else 2} 件（1 件待手工关联{cleared_text}）")
    username = _liaison(jurisdiction, office)
    if username:
        lines.append(f"人社部门只读用户 {username}（密码 {LIAISON_PASSWORD}）")
    db.session.flush()
    return "农民工工资联动：" + "；".join(lines)


def _case(no: str, project: WageProject, debt: Debt, workers: int, owed, today, days_ago: int, period: str):
    return {
        "case_no": no,
        "project_text": project.name,
        "contractor_name": debt.creditor.name,
        "contractor_credit_code": debt.creditor.credit_code,
        "workers": workers,
        "amount_owed": owed,
        "period": period,
        "received_on": today - dt.timedelta(days=days_ago),
    }


def _linked_case(jurisdiction, values: dict, debt: Debt, project: WageProject, office) -> WageCase:
    """Import a case; if the matcher cannot place it (synthetic names repeat), link it by hand."""
    case = cases.create_case(jurisdiction, values, actor=office)
    if case.debt_id is None:
        cases.link_case(case, debt, project, actor=office, note="手工关联")
    return case
