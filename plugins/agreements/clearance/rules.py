"""The clearance rules as pure functions: deadlines by class, banned excuses, installments, wage-first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.models.debt import PaymentMethod
from core.rules.validation import Issue
from core.tenancy.plans import deadline, rules_for

# 条例 Art. 14: these are not valid reasons to delay paying. Matched as phrases in the (whitespace-free) text.
BANNED_EXCUSES: dict[str, tuple[str, ...]] = {
    "法定代表人或者主要负责人变更": (
        "法定代表人变更",
        "法人代表变更",
        "法人变更",
        "负责人变更",
        "负责人更换",
        "领导变更",
        "领导更换",
        "领导调整",
        "主要领导调整",
        "换届",
    ),
    "履行内部付款流程": ("内部付款流程", "内部付款程序", "内部审批", "内部流程", "付款审批流程", "走流程"),
    "在合同未作约定的情况下以等待竣工验收批复、决算审计等为由": (
        "等待审计",
        "等审计",
        "审计未完成",
        "审计尚未完成",
        "决算审计",
        "等待决算",
        "决算未完成",
        "竣工决算",
        "等待竣工验收",
        "验收批复",
        "验收备案",
    ),
}

# Art. 11: paying with these may stretch the term; they are allowed, but flagged for the office to look at.
TERM_EXTENSION_METHODS = {PaymentMethod.COMMERCIAL_BILL, PaymentMethod.E_VOUCHER}
CENT = Decimal("0.01")


def banned_excuse(text: str | None) -> str | None:
    """The Art. 14 category the text falls under, or None when it names no banned excuse."""
    compact = "".join((text or "").split())
    for category, phrases in BANNED_EXCUSES.items():
        for phrase in phrases:
            if phrase in compact:
                return f"“{phrase}”属于“{category}”"
    return None


def banned_excuse_issue(field: str, text: str | None) -> Issue | None:
    found = banned_excuse(text)
    if found is None:
        return None
    return Issue(
        field,
        f"{found}，依据《保障中小企业款项支付条例》第十四条，不得作为拖延支付中小企业款项的理由",
    )


def undisputed_pay_by(plan: dict, confirmed_on: dt.date, contract_date: dt.date | None = None) -> dt.date:
    """发现一起清偿一起: the undisputed part is paid within the plan's payment term of its confirmation,
    and in any case by the plan's final deadline."""
    term = int(rules_for(plan, contract_date)["payment_term_days"])
    by = confirmed_on + dt.timedelta(days=term)
    final = deadline(plan, "all_cleared")
    return min(by, final) if final and final >= confirmed_on else by


def check_installments(
    agreed_amount: Decimal,
    installments: list[dict],
    plan: dict,
    late_reason: str | None,
    signed_on: dt.date | None,
) -> list[Issue]:
    """Installments sum to the agreed amount; dates past the final deadline need a written reason."""
    issues: list[Issue] = []
    if not installments:
        return [Issue("installments", "请至少填写一期还款安排")]
    total = Decimal("0")
    for i, item in enumerate(installments, start=1):
        amount = Decimal(item["amount"])
        if amount <= 0:
            issues.append(Issue("installments", f"第{i}期金额必须大于0"))
        if signed_on and item["due_on"] < signed_on:
            issues.append(Issue("installments", f"第{i}期还款日期早于协议签订日期"))
        total += amount
    if total.quantize(CENT) != Decimal(agreed_amount).quantize(CENT):
        issues.append(
            Issue(
                "installments", f"各期金额合计{total:.2f}元，与协议金额{Decimal(agreed_amount):.2f}元不一致"
            )
        )
    final = deadline(plan, "all_cleared")
    late = [item["due_on"] for item in installments if final and item["due_on"] > final]
    if late:
        if not (late_reason or "").strip():
            issues.append(
                Issue(
                    "late_reason",
                    f"有{len(late)}期还款日期晚于方案规定的全部清偿期限（{final:%Y年%-m月%-d日}），须书面说明理由",
                )
            )
        else:
            banned = banned_excuse_issue("late_reason", late_reason)
            if banned:
                issues.append(banned)
    elif late_reason:
        banned = banned_excuse_issue("late_reason", late_reason)
        if banned:
            issues.append(banned)
    return issues


def wage_first_issues(
    wage_total: Decimal, wages_paid: Decimal, amount: Decimal, wage_part: Decimal
) -> list[Issue]:
    """Migrant-worker wages are paid first: while wages remain unpaid, a payment must put at least
    min(amount, wages left) towards them. Returns the refusal, if any."""
    wages_left = max(Decimal("0"), wage_total - wages_paid)
    if wage_part < 0:
        return [Issue("wage_amount", "工资部分金额不能为负数")]
    if wage_part > amount:
        return [Issue("wage_amount", "工资部分金额不能大于本次付款金额")]
    if wage_part > wages_left:
        return [Issue("wage_amount", f"工资部分金额超过尚未支付的农民工工资（{wages_left:.2f}元）")]
    required = min(amount, wages_left)
    if wage_part < required:
        return [
            Issue(
                "wage_amount",
                f"该笔欠款含农民工工资{wage_total:.2f}元，尚有{wages_left:.2f}元未付。按照农民工工资优先支付的"
                f"要求，本次付款{amount:.2f}元中至少应有{required:.2f}元用于支付农民工工资"
                f"（当前填报工资部分{wage_part:.2f}元）",
            )
        ]
    return []
