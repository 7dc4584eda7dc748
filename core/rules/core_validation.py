"""The core's debt rules (scope of the campaign and amount consistency), run through the validation hook."""

from __future__ import annotations

from decimal import Decimal

from core import clock
from core.rules.validation import Issue
from core.tenancy.plans import rules_for

ZERO = Decimal("0")
WAGE_AMOUNT_PENDING_LABEL = "工资金额待补充"
WAGE_AMOUNT_PENDING_MESSAGE = (
    f"涉及农民工工资但未填写工资金额，已标记为“{WAGE_AMOUNT_PENDING_LABEL}”；"
    "补充前，付款时全部未付余额按农民工工资优先支付"
)


def validate_debt(debt, plan: dict, tenant) -> list[Issue]:
    issues: list[Issue] = []
    scope = plan.get("scope") or {}
    owed = debt.amount_owed
    if owed is None or owed <= ZERO:
        issues.append(Issue("amount_owed", "欠款金额必须大于0"))
    else:
        undisputed = debt.undisputed_amount or ZERO
        disputed = debt.disputed_amount or ZERO
        if undisputed < ZERO or disputed < ZERO:
            issues.append(Issue("disputed_amount", "无争议金额和有争议金额不能为负"))
        elif undisputed + disputed != owed:
            issues.append(
                Issue(
                    "undisputed_amount",
                    f"无争议金额（{undisputed:.2f}）与有争议金额（{disputed:.2f}）之和应等于欠款金额（{owed:.2f}）",
                )
            )
        if debt.migrant_wages and (debt.migrant_wage_amount or ZERO) <= ZERO:
            # Accepted: the unit often learns the wage figure later. The debt is flagged until it does.
            issues.append(Issue("migrant_wage_amount", WAGE_AMOUNT_PENDING_MESSAGE, "warning"))
        if (debt.migrant_wage_amount or ZERO) > owed:
            issues.append(Issue("migrant_wage_amount", "农民工工资金额不能超过欠款金额"))
        if debt.contract_amount is not None and debt.contract_amount < ZERO:
            issues.append(Issue("contract_amount", "合同金额不能为负"))
    categories = scope.get("categories") or ["goods", "works", "services"]
    # An unreturned deposit is owed whatever the plan's goods/works/services scope (条例第十三条).
    if debt.category not in categories and debt.category != "deposit":
        issues.append(Issue("category", "款项类别应为货物、工程或服务", conflict=True))  # the plan's scope
    creditor = debt.creditor
    if creditor is not None and creditor.size_class == "large":
        issues.append(Issue("creditor", "债权人为大型企业，不属于清欠范围", conflict=True))
    if tenant is not None and getattr(tenant, "halted", False) and scope.get("exclude_halted", True):
        issues.append(Issue("unit_id", "停产企业不纳入清欠范围", conflict=True))
    if tenant is not None and not getattr(tenant, "active", True):
        issues.append(Issue("unit_id", "该单位已停用，不能登记新的欠款", conflict=True))
    today = clock.today(tenant)
    for field in ("contract_date", "delivery_date", "acceptance_date", "settlement_date", "origin_date"):
        value = getattr(debt, field, None)
        if value is not None and value > today:
            issues.append(Issue(field, "日期不能晚于今天", conflict=True))
    rules = rules_for(plan, debt.contract_date)
    if debt.agreed_term_days is not None:
        if debt.agreed_term_days < 0:
            issues.append(Issue("agreed_term_days", "约定付款期限不能为负"))
        elif (
            debt.agreed_term_days > rules["max_agreed_term_days"]
            and tenant is not None
            and (tenant.debtor_class != "large_enterprise")
        ):
            issues.append(
                Issue(
                    "agreed_term_days",
                    f"机关、事业单位约定的付款期限最长{rules['max_agreed_term_days']}日（条例第九条），按上限计算",
                    "warning",
                )
            )
    if creditor is not None and creditor.credit_code_warning:
        issues.append(Issue("creditor.credit_code", creditor.credit_code_warning, "warning"))
    return issues
