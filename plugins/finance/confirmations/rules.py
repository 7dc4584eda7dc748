"""The law behind a confirmation: the 30-day answer period (条例第十六条) and the reasons a debtor may not
give for refusing (条例第十四条)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import workdays

DEFAULT_DAYS = 30


def answer_days(plan: dict | None) -> int:
    """Plan key ``rules.receivable_confirmation_days`` (default 30, the 条例's period)."""
    return int(((plan or {}).get("rules") or {}).get("receivable_confirmation_days", DEFAULT_DAYS))


def reminder_days(plan: dict | None) -> tuple[int, ...]:
    """Days before the deadline the debtor is reminded: the plan's ``reminders.days_before``."""
    days = ((plan or {}).get("reminders") or {}).get("days_before") or (7, 3, 1)
    return tuple(int(d) for d in days)


def due_date(requested_on: dt.date, days: int = DEFAULT_DAYS) -> dt.date:
    """The last day to answer: ``days`` calendar days after the request (not working days); a period
    whose last day falls on a rest day or public holiday ends on the next working day."""
    due = requested_on + dt.timedelta(days=days)
    for _ in range(60):  # the longest run of rest days is far shorter; the bound only guards a bad calendar
        if workdays.is_working_day(due):
            return due
        due += dt.timedelta(days=1)
    return due


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    banned: bool = False
    # Excuses the 条例 allows only where the contract itself makes payment wait for them.
    unless_contract: bool = False


REASONS = (
    Reason("amount_mismatch", "金额与合同、结算或发票不符"),
    Reason("not_performed", "货物、工程或服务尚未按合同交付、完成或验收"),
    Reason("quality", "存在质量问题，正按合同约定处理"),
    Reason("no_contract", "本单位与申请企业无此合同关系"),
    Reason("already_paid", "款项已经支付"),
    Reason("other", "其他（请具体说明）"),
    Reason("leadership_change", "法定代表人或者主要负责人变更", banned=True),
    Reason("internal_procedure", "履行内部付款流程", banned=True),
    Reason("awaiting_acceptance_filing", "等待竣工验收备案", banned=True, unless_contract=True),
    Reason("awaiting_final_audit", "等待决算审计", banned=True, unless_contract=True),
)
BY_CODE = {r.code: r for r in REASONS}
ALLOWED = [r for r in REASONS if not r.banned]

# Words that give a banned excuse away when it is written under another heading.
_WORDS = {
    "leadership_change": (
        "法定代表人变更",
        "法人变更",
        "法人代表变更",
        "负责人变更",
        "领导变更",
        "领导调整",
        "换届",
    ),
    "internal_procedure": ("内部付款流程", "内部流程", "内部审批", "付款审批", "走流程"),
    "awaiting_acceptance_filing": ("竣工验收备案", "验收备案"),
    "awaiting_final_audit": ("决算审计", "审计结果", "等待审计", "审计后", "尚未审计", "未经审计"),
}
ARTICLE = "《保障中小企业款项支付条例》第十四条"


def banned_excuse(code: str | None, text: str | None, contract_clause: str | None) -> Reason | None:
    """The banned excuse a refusal rests on, or None.

    Checks the chosen reason and the words of the explanation: a banned excuse written under "其他" is
    still a banned excuse. Waiting for acceptance filing or the final-accounts audit is allowed only when
    the refusal names the contract clause that makes payment wait for it.
    """
    found = [BY_CODE[code]] if code in BY_CODE and BY_CODE[code].banned else []
    written = text or ""
    found += [BY_CODE[key] for key, words in _WORDS.items() if any(w in written for w in words)]
    for reason in found:
        if reason.unless_contract and (contract_clause or "").strip():
            continue
        return reason
    return None


def refusal_message(reason: Reason) -> str:
    tail = "（合同明确约定以此为付款条件的，请注明合同条款）" if reason.unless_contract else ""
    return f"“{reason.label}”不能作为拒绝确认或拖延付款的理由（{ARTICLE}）{tail}"
