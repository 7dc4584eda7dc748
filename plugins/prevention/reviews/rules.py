"""The contract-review rules: each check returns findings with the article and a suggested wording.

Article numbers follow the 2025 text of 《保障中小企业款项支付条例》 as DESIGN.md lists them; which rule
set applies (2020 or 2025) follows the contract date through ``core.tenancy.plans.rules_for``. Deposit kinds
and caps are plan parameters (``prevention.deposit_kinds``, ``prevention.deposit_caps``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from core.tenancy.models import DEBTOR_CLASS
from core.tenancy.plans import rules_for

REGULATION = "《保障中小企业款项支付条例》"
INVESTMENT = "《政府投资条例》"

DEPOSIT_KIND_LABELS = {
    "bid": "投标保证金",
    "performance": "履约保证金",
    "quality": "工程质量保证金",
    "migrant_wage": "农民工工资保证金",
    "other": "其他保证金",
}
DEFAULT_DEPOSIT_KINDS = ["bid", "performance", "quality", "migrant_wage"]
# Percent of the contract amount; the plan sets its own (these are the usual national ceilings).
DEFAULT_DEPOSIT_CAPS = {"bid": "2", "performance": "10", "quality": "3"}
METHOD_LABELS = {
    "transfer": "银行转账",
    "cash": "现金",
    "commercial_bill": "商业汇票",
    "e_voucher": "应收账款电子凭证",
}
CLOCK_START_LABELS = {"delivery": "交付", "settlement": "结算", "acceptance": "检验验收"}
FORM_LABELS = {"cash": "现金", "guarantee": "银行保函"}


@dataclass(frozen=True)
class Finding:
    code: str
    field: str
    message: str
    article: str
    suggestion: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Context:
    """Who pays and which rules bind: the debtor's class, the contract date's rule set, the plan."""

    debtor_class: str
    rules: dict
    prevention: dict
    for_investment_project: bool = False


def context_for(unit, plan: dict, contract_date: dt.date | None, *, for_project: bool = False) -> Context:
    return Context(
        debtor_class=DEBTOR_CLASS.get(unit.kind, "agency"),
        rules=rules_for(plan, contract_date),
        prevention=plan_settings(plan),
        for_investment_project=for_project,
    )


def plan_settings(plan: dict) -> dict:
    """The plugin's plan keys with their defaults (``prevention:`` in plan.yaml)."""
    own = (plan or {}).get("prevention") or {}
    return {
        "deposit_kinds": list(own.get("deposit_kinds") or DEFAULT_DEPOSIT_KINDS),
        "deposit_caps": {**DEFAULT_DEPOSIT_CAPS, **(own.get("deposit_caps") or {})},
        "deposit_reminder_days": list(own.get("deposit_reminder_days") or [30, 7, 1]),
    }


def check_term(terms: dict, ctx: Context) -> list[Finding]:
    days = terms.get("payment_term_days")
    if days is None:
        return []
    if ctx.debtor_class == "large_enterprise":
        limit = ctx.rules.get("large_enterprise_term_days")
        if limit is not None and days > limit:
            return [
                Finding(
                    "term_large_enterprise",
                    "payment_term_days",
                    f"付款期限 {days} 日，超过大型企业向中小企业付款的 {limit} 日上限",
                    f"{REGULATION}第九条",
                    f"大型企业应当自货物、工程、服务交付之日起{limit}日内支付款项。",
                )
            ]
        return []
    base, cap = ctx.rules["payment_term_days"], ctx.rules["max_agreed_term_days"]
    if days > cap:
        return [
            Finding(
                "term_over_cap",
                "payment_term_days",
                f"付款期限 {days} 日，超过合同另有约定时的 {cap} 日上限（即使双方约定也不允许）",
                f"{REGULATION}第九条",
                f"甲方应当自货物、工程、服务交付之日起{base}日内支付款项；确需另行约定的，付款期限最长不超过{cap}日。",
            )
        ]
    if days > base and not terms.get("term_specially_agreed"):
        return [
            Finding(
                "term_over_default",
                "payment_term_days",
                f"付款期限 {days} 日，超过机关、事业单位 {base} 日的付款期限，且未写明双方另行约定",
                f"{REGULATION}第九条",
                f"甲方应当自货物、工程、服务交付之日起{base}日内支付款项；如确需延长，应在合同中明确约定且不超过{cap}日。",
            )
        ]
    return []


def check_back_to_back(terms: dict, ctx: Context) -> list[Finding]:
    if not terms.get("back_to_back") or not ctx.rules.get("back_to_back_banned"):
        return []
    return [
        Finding(
            "back_to_back",
            "back_to_back",
            "合同以甲方收到第三方（上级、业主）付款作为向乙方付款的条件（背靠背条款）",
            f"{REGULATION}第九条",
            "删除“收到业主（上级）拨款后支付”等条款，改为自交付（结算、验收）之日起按约定期限支付。",
        )
    ]


def check_clock_start(terms: dict, ctx: Context) -> list[Finding]:
    if terms.get("clock_start") != "acceptance" or terms.get("acceptance_days"):
        return []
    return [
        Finding(
            "acceptance_period_missing",
            "acceptance_days",
            "付款以检验验收为前提，但未约定检验或验收期限",
            f"{REGULATION}第十条",
            "明确约定检验或验收期限（如“甲方应在交付后15日内完成验收”）；甲方拖延验收的，付款期限自约定的验收期限届满之日起算。",
        )
    ]


def check_method(terms: dict, ctx: Context) -> list[Finding]:
    method = terms.get("payment_method")
    if method not in ("commercial_bill", "e_voucher"):
        return []
    label = METHOD_LABELS[method]
    if not terms.get("sme_chose_method"):
        return [
            Finding(
                "forced_bill",
                "payment_method",
                f"以{label}支付，未写明由中小企业自愿选择",
                f"{REGULATION}第十一条",
                f"付款方式改为银行转账；确由乙方自愿选择{label}的，应在合同中写明，且不得因此延长付款期限。",
            )
        ]
    maturity = terms.get("bill_maturity_days") or 0
    if maturity > 0:
        return [
            Finding(
                "bill_extends_term",
                "bill_maturity_days",
                f"{label}的到期期限 {maturity} 日，实际延长了付款期限",
                f"{REGULATION}第十一条",
                f"使用{label}支付的，付款期限仍按合同约定的期限计算，不得以其到期期限变相延长。",
            )
        ]
    return []


def check_audit(terms: dict, ctx: Context) -> list[Finding]:
    if not terms.get("audit_condition") or terms.get("audit_agreed"):
        return []
    return [
        Finding(
            "audit_condition",
            "audit_condition",
            "以审计结论（决算审计）作为结算依据或付款条件，且未经双方明确约定",
            f"{REGULATION}第十二条、第十四条",
            "删除“以审计结论为付款条件”；结算以双方确认的结算金额为准，审计结论不得强制作为结算依据。",
        )
    ]


def check_advance_funding(terms: dict, ctx: Context) -> list[Finding]:
    if not terms.get("advance_funding"):
        return []
    article = f"{REGULATION}第八条"
    if ctx.for_investment_project:
        article += f"；{INVESTMENT}第二十二条"
    return [
        Finding(
            "advance_funding",
            "advance_funding",
            "合同要求乙方垫资施工（或以垫资为条件）",
            article,
            "删除垫资条款；工程款按进度或节点结算支付，资金应在开工前落实。",
        )
    ]


def check_deposits(terms: dict, ctx: Context, contract_amount: Decimal | None) -> list[Finding]:
    out: list[Finding] = []
    allowed = ctx.prevention["deposit_kinds"]
    caps = ctx.prevention["deposit_caps"]
    for i, deposit in enumerate(terms.get("deposits") or []):
        kind = deposit.get("kind")
        label = DEPOSIT_KIND_LABELS.get(kind, kind)
        field = f"deposits.{i}"
        if kind not in allowed:
            out.append(
                Finding(
                    f"deposit_kind.{i}",
                    f"{field}.kind",
                    f"收取{label}，不属于允许收取的保证金",
                    f"{REGULATION}第十三条",
                    "除投标、履约、工程质量、农民工工资保证金外，不得要求中小企业缴纳其他保证金；删除该项。",
                )
            )
            continue
        rate, cap = deposit.get("rate"), caps.get(kind)
        if rate is not None and cap is not None and Decimal(str(rate)) > Decimal(str(cap)):
            out.append(
                Finding(
                    f"deposit_rate.{i}",
                    f"{field}.rate",
                    f"{label}比例 {rate}%，超过方案规定的 {cap}% 上限",
                    f"{REGULATION}第十三条",
                    f"{label}不超过合同金额的{cap}%。",
                )
            )
        if deposit.get("form") == "cash" and deposit.get("guarantee_refused"):
            out.append(
                Finding(
                    f"deposit_guarantee.{i}",
                    f"{field}.form",
                    f"{label}只收现金，拒绝以银行保函替代",
                    f"{REGULATION}第十三条",
                    f"乙方可以银行保函等方式提供{label}，甲方应当接受。",
                )
            )
    return out


def review(
    terms: dict, ctx: Context, contract_amount: Decimal | None, counterparty_size: str
) -> list[Finding]:
    """Every problem in ``terms``; a large counterparty is outside the regulation, so nothing is found."""
    if counterparty_size == "large":
        return []
    return [
        *check_advance_funding(terms, ctx),
        *check_term(terms, ctx),
        *check_back_to_back(terms, ctx),
        *check_clock_start(terms, ctx),
        *check_method(terms, ctx),
        *check_audit(terms, ctx),
        *check_deposits(terms, ctx, contract_amount),
    ]
