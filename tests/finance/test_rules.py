"""The 30-day answer period (条例第十六条: calendar days, a last day on a rest day moves to the next working
day) and the excuses 条例第十四条 bans."""

from __future__ import annotations

import datetime as dt

from plugins.finance.confirmations import rules


def test_thirty_calendar_days_not_working_days():
    # 2 March 2026 + 30 calendar days = Wednesday 1 April; 30 working days would run to mid-April.
    assert rules.due_date(dt.date(2026, 3, 2)) == dt.date(2026, 4, 1)


def test_a_last_day_on_a_weekend_moves_to_monday():
    # 14 August 2026 + 30 = Sunday 13 September → Monday 14 September.
    assert rules.due_date(dt.date(2026, 8, 14)) == dt.date(2026, 9, 14)


def test_a_last_day_in_the_national_day_holiday_moves_past_it():
    # 1 September 2025 + 30 = 1 October 2025, first day of the 1–8 October holiday → Thursday 9 October.
    assert rules.due_date(dt.date(2025, 9, 1)) == dt.date(2025, 10, 9)


def test_a_make_up_working_day_counts_as_the_last_day():
    # 28 September 2025 was a Sunday worked in exchange for the holiday: a period ending then ends then.
    assert rules.due_date(dt.date(2025, 8, 29)) == dt.date(2025, 9, 28)


def test_the_plan_sets_the_period_and_reminders():
    plan = {"rules": {"receivable_confirmation_days": 20}, "reminders": {"days_before": [5, 1]}}
    assert rules.answer_days(plan) == 20 and rules.answer_days({}) == 30
    assert rules.reminder_days(plan) == (5, 1) and rules.reminder_days(None) == (7, 3, 1)


def test_banned_reasons_are_found_by_code_and_by_words():
    assert rules.banned_excuse("internal_procedure", None, None).code == "internal_procedure"
    assert (
        rules.banned_excuse("other", "新领导到任，法定代表人变更后再确认", None).code == "leadership_change"
    )
    assert rules.banned_excuse("quality", "部分石材存在裂纹，正在更换", None) is None


def test_audit_and_filing_wait_only_where_the_contract_says_so():
    assert rules.banned_excuse("awaiting_final_audit", None, None).code == "awaiting_final_audit"
    assert rules.banned_excuse("awaiting_final_audit", None, "合同第八条：以决算审计结果为付款依据") is None
    # The contract exception covers audit and filing only, never the other banned excuses.
    assert rules.banned_excuse("internal_procedure", None, "合同第八条").code == "internal_procedure"
    message = rules.refusal_message(rules.BY_CODE["awaiting_final_audit"])
    assert "第十四条" in message and "合同条款" in message
