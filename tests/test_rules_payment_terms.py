"""Due dates, overdue days and late interest (条例 Arts. 9, 10, 17) — every expected value worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.rules.payment_terms import (
    TermInput,
    clock_start_date,
    compute_due_date,
    daily_rate_for,
    late_interest,
    overdue_days,
)
from core.tenancy.plans import NATIONAL_DEFAULTS, deep_merge, rules_for

D = dt.date
PLAN = NATIONAL_DEFAULTS


def terms(**overrides) -> TermInput:
    base = {
        "debtor_class": "agency",
        "contract_date": D(2022, 5, 10),
        "clock_start": "delivery",
        "delivery_date": D(2023, 1, 1),
        "settlement_date": None,
        "acceptance_date": None,
        "acceptance_period_days": None,
        "agreed_term_days": None,
        "agreed_payment_date": None,
    }
    base.update(overrides)
    return TermInput(**base)


# --- due dates ----------------------------------------------------------------------------------


def test_agency_pays_within_30_days_of_delivery():
    # 2023-01-01 + 30 days: January has 31 days → 2023-01-31
    due = compute_due_date(terms(), PLAN)
    assert due.due_date == D(2023, 1, 31)
    assert due.clock_started == D(2023, 1, 1)
    assert due.term_days == 30
    assert due.note is None


def test_institution_same_as_agency():
    due = compute_due_date(terms(debtor_class="institution"), PLAN)
    assert due.due_date == D(2023, 1, 31)


def test_agreed_term_of_45_days():
    # 2023-01-01 + 45: +30 → 01-31, +15 more → 2023-02-15
    due = compute_due_date(terms(agreed_term_days=45), PLAN)
    assert due.due_date == D(2023, 2, 15)
    assert due.term_days == 45
    assert due.note is None


def test_agreed_term_of_90_days_is_capped_at_60_with_a_note():
    # cap 60: 2023-01-01 + 60: +30 → 01-31, +28 → 02-28 (58), +2 → 2023-03-02 (60)
    due = compute_due_date(terms(agreed_term_days=90), PLAN)
    assert due.due_date == D(2023, 3, 2)
    assert due.term_days == 60
    assert "90" in due.note and "60" in due.note


def test_agreed_term_of_exactly_60_days_has_no_note():
    due = compute_due_date(terms(agreed_term_days=60), PLAN)
    assert due.due_date == D(2023, 3, 2)
    assert due.note is None


def test_settlement_clock_starts_at_the_confirmed_settlement():
    # 2023-03-10 + 30: +21 → 03-31, +9 → 2023-04-09
    t = terms(clock_start="settlement", settlement_date=D(2023, 3, 10))
    assert clock_start_date(t) == D(2023, 3, 10)
    assert compute_due_date(t, PLAN).due_date == D(2023, 4, 9)


def test_acceptance_clock_starts_at_acceptance_within_the_agreed_period():
    # period ends 2023-01-01 + 45 = 2023-02-15; accepted 2023-02-01 (in time) → start 02-01
    # 2023-02-01 + 30: +27 → 02-28, +3 → 2023-03-03
    t = terms(clock_start="acceptance", acceptance_date=D(2023, 2, 1), acceptance_period_days=45)
    assert clock_start_date(t) == D(2023, 2, 1)
    assert compute_due_date(t, PLAN).due_date == D(2023, 3, 3)


def test_acceptance_without_a_period_starts_at_acceptance():
    # 2023-04-01 + 30 → 2023-05-01
    t = terms(clock_start="acceptance", acceptance_date=D(2023, 4, 1))
    assert compute_due_date(t, PLAN).due_date == D(2023, 5, 1)


def test_acceptance_delayed_past_the_agreed_period_starts_the_clock_at_the_period_end():
    # period: 2023-01-01 + 30 = 2023-01-31; acceptance only on 2023-04-01 (late) → start 01-31
    # 2023-01-31 + 30: +28 → 02-28, +2 → 2023-03-02
    t = terms(clock_start="acceptance", acceptance_date=D(2023, 4, 1), acceptance_period_days=30)
    assert clock_start_date(t) == D(2023, 1, 31)
    assert compute_due_date(t, PLAN).due_date == D(2023, 3, 2)


def test_acceptance_never_done_starts_the_clock_at_the_period_end():
    t = terms(clock_start="acceptance", acceptance_date=None, acceptance_period_days=30)
    assert clock_start_date(t) == D(2023, 1, 31)
    assert compute_due_date(t, PLAN).due_date == D(2023, 3, 2)


def test_large_enterprise_under_2025_rules_defaults_to_60_days():
    # contract 2025-07-01 (on/after 2025-06-01 → 2025 rules); delivery 2025-07-10
    # 2025-07-10 + 60: +21 → 07-31, +31 → 08-31 (52), +8 → 2025-09-08
    t = terms(debtor_class="large_enterprise", contract_date=D(2025, 7, 1), delivery_date=D(2025, 7, 10))
    due = compute_due_date(t, PLAN)
    assert due.due_date == D(2025, 9, 8)
    assert due.term_days == 60


def test_large_enterprise_under_2025_rules_with_a_shorter_agreed_term():
    # 2025-07-10 + 45: +21 → 07-31, +24 → 2025-08-24
    t = terms(
        debtor_class="large_enterprise",
        contract_date=D(2025, 7, 1),
        delivery_date=D(2025, 7, 10),
        agreed_term_days=45,
    )
    assert compute_due_date(t, PLAN).due_date == D(2025, 8, 24)


def test_large_enterprise_under_2020_rules_keeps_the_agreed_term():
    # contract 2024-12-01 (< 2025-06-01 → 2020 rules, no statutory default): agreed 90 days apply
    # 2025-01-01 + 90: +30 → 01-31, +28 → 02-28 (58), +31 → 03-31 (89), +1 → 2025-04-01
    t = terms(
        debtor_class="large_enterprise",
        contract_date=D(2024, 12, 1),
        delivery_date=D(2025, 1, 1),
        agreed_term_days=90,
    )
    due = compute_due_date(t, PLAN)
    assert due.due_date == D(2025, 4, 1)
    assert due.term_days == 90


def test_large_enterprise_under_2020_rules_with_only_an_agreed_date():
    t = terms(
        debtor_class="large_enterprise",
        contract_date=D(2024, 12, 1),
        delivery_date=D(2025, 1, 1),
        agreed_payment_date=D(2025, 5, 20),
    )
    assert compute_due_date(t, PLAN).due_date == D(2025, 5, 20)


def test_agreed_payment_date_earlier_than_the_statutory_term_wins():
    # statutory: 2023-01-31; agreed 2023-01-20 is earlier → due 01-20
    due = compute_due_date(terms(agreed_payment_date=D(2023, 1, 20)), PLAN)
    assert due.due_date == D(2023, 1, 20)
    assert due.note


def test_agreed_payment_date_later_than_the_statutory_term_does_not_extend_it():
    # statutory 2023-01-31 < agreed 2023-06-30 → 01-31 (an agency cannot agree past the term)
    due = compute_due_date(terms(agreed_payment_date=D(2023, 6, 30)), PLAN)
    assert due.due_date == D(2023, 1, 31)


def test_no_clock_date_gives_no_due_date_unless_a_date_was_agreed():
    assert compute_due_date(terms(delivery_date=None), PLAN).due_date is None
    assert compute_due_date(terms(delivery_date=None), PLAN).note
    due = compute_due_date(terms(delivery_date=None, agreed_payment_date=D(2023, 2, 1)), PLAN)
    assert due.due_date == D(2023, 2, 1)


def test_plan_parameters_override_the_defaults():
    # a plan with a 20-day term: 2023-01-01 + 20 → 2023-01-21
    plan = deep_merge(NATIONAL_DEFAULTS, {"rules": {"payment_term_days": 20}})
    assert compute_due_date(terms(), plan).due_date == D(2023, 1, 21)


@pytest.mark.parametrize(
    ("contract_date", "rule_set", "large_term"),
    [
        (D(2024, 12, 1), "regulation-2020", None),
        (D(2025, 5, 31), "regulation-2020", None),
        (D(2025, 6, 1), "regulation-2025", 60),
        (D(2026, 1, 1), "regulation-2025", 60),
        (None, "regulation-2025", 60),  # unknown date → latest rules
    ],
)
def test_rule_set_chosen_by_contract_date(contract_date, rule_set, large_term):
    rules = rules_for(PLAN, contract_date)
    assert rules["rule_set"] == rule_set
    assert rules["large_enterprise_term_days"] == large_term


# --- overdue days -------------------------------------------------------------------------------


def test_overdue_days():
    # 2023-01-31 → 2023-03-31: 28 (Feb) + 31 (Mar) = 59
    assert overdue_days(D(2023, 1, 31), D(2023, 3, 31), Decimal("1")) == 59
    assert overdue_days(D(2023, 1, 31), D(2023, 2, 1), Decimal("1")) == 1
    assert overdue_days(D(2023, 1, 31), D(2023, 1, 31), Decimal("1")) == 0  # due today: not late
    assert overdue_days(D(2023, 1, 31), D(2023, 1, 15), Decimal("1")) == 0  # before due
    assert overdue_days(D(2023, 1, 31), D(2023, 3, 31), Decimal("0")) == 0  # nothing outstanding
    assert overdue_days(None, D(2023, 3, 31), Decimal("1")) == 0  # no due date


# --- late interest ------------------------------------------------------------------------------

RATE = Decimal("0.0005")
DUE = D(2023, 1, 31)
AS_OF = D(2023, 3, 31)


def test_late_interest_without_payments():
    # 2023-01-31 → 03-31 = 59 days; 100000 × 0.0005 × 59 = 2950.00
    assert late_interest(Decimal("100000"), DUE, [], AS_OF, RATE) == Decimal("2950.00")


def test_late_interest_with_one_partial_payment():
    # 01-31 → 03-02 = 28 + 2 = 30 days on 100000: 100000 × 0.0005 × 30 = 1500.00
    # 03-02 → 03-31 = 29 days on 60000:           60000 × 0.0005 × 29 =  870.00
    # total 2370.00
    payments = [(D(2023, 3, 2), Decimal("40000"))]
    assert late_interest(Decimal("100000"), DUE, payments, AS_OF, RATE) == Decimal("2370.00")


def test_late_interest_with_several_payments_in_any_order():
    # 01-31 → 02-10 = 10 days on 100000: 100000 × 0.0005 × 10 = 500.00
    # 02-10 → 03-02 = 18 + 2 = 20 days on 70000: 70000 × 0.0005 × 20 = 700.00
    # 03-02 → 03-31 = 29 days on 50000: 50000 × 0.0005 × 29 = 725.00
    # total 1925.00
    payments = [(D(2023, 3, 2), Decimal("20000")), (D(2023, 2, 10), Decimal("30000"))]
    assert late_interest(Decimal("100000"), DUE, payments, AS_OF, RATE) == Decimal("1925.00")


def test_two_payments_on_the_same_day():
    # 01-31 → 03-02 = 30 days on 100000 = 1500.00; then 100000 − 10000 − 30000 = 60000 × 0.0005 × 29 = 870.00
    payments = [(D(2023, 3, 2), Decimal("10000")), (D(2023, 3, 2), Decimal("30000"))]
    assert late_interest(Decimal("100000"), DUE, payments, AS_OF, RATE) == Decimal("2370.00")


def test_payment_before_the_due_date_reduces_the_base():
    # 40000 paid 01-15 (before due): no interest on it; 60000 × 0.0005 × 59 = 1770.00
    payments = [(D(2023, 1, 15), Decimal("40000"))]
    assert late_interest(Decimal("100000"), DUE, payments, AS_OF, RATE) == Decimal("1770.00")


def test_payment_exactly_clearing_the_debt_stops_interest():
    # paid in full on 03-02: 100000 × 0.0005 × 30 = 1500.00, nothing after
    payments = [(D(2023, 3, 2), Decimal("100000"))]
    assert late_interest(Decimal("100000"), DUE, payments, AS_OF, RATE) == Decimal("1500.00")


def test_payment_on_the_due_date_carries_no_interest():
    payments = [(DUE, Decimal("100000"))]
    assert late_interest(Decimal("100000"), DUE, payments, AS_OF, RATE) == Decimal("0.00")


def test_payment_after_as_of_is_ignored():
    # the 04-15 payment has not happened yet on 03-31: 2950.00 as without payments
    payments = [(D(2023, 4, 15), Decimal("100000"))]
    assert late_interest(Decimal("100000"), DUE, payments, AS_OF, RATE) == Decimal("2950.00")


def test_agreed_daily_rate_overrides_the_default():
    # agreed 0.0003: 100000 × 0.0003 × 59 = 1770.00
    rate = daily_rate_for(PLAN, D(2022, 5, 10), Decimal("0.0003"))
    assert rate == Decimal("0.0003")
    assert late_interest(Decimal("100000"), DUE, [], AS_OF, rate) == Decimal("1770.00")


def test_default_daily_rate_is_five_per_ten_thousand():
    assert daily_rate_for(PLAN, D(2022, 5, 10), None) == Decimal("0.0005")
    plan = deep_merge(NATIONAL_DEFAULTS, {"rules": {"late_interest_daily_rate": "0.0004"}})
    assert daily_rate_for(plan, D(2022, 5, 10), None) == Decimal("0.0004")


def test_as_of_before_or_on_the_due_date_gives_no_interest():
    assert late_interest(Decimal("100000"), DUE, [], D(2023, 1, 15), RATE) == Decimal("0.00")
    assert late_interest(Decimal("100000"), DUE, [], DUE, RATE) == Decimal("0.00")
    assert late_interest(Decimal("100000"), None, [], AS_OF, RATE) == Decimal("0.00")


def test_interest_is_rounded_half_up_to_the_cent():
    # 1.01 × 0.0005 × 10 = 0.00505 → 0.01 (half up);  12345.67 × 0.0005 × 1 = 6.172835 → 6.17
    assert late_interest(Decimal("1.01"), DUE, [], D(2023, 2, 10), RATE) == Decimal("0.01")
    assert late_interest(Decimal("12345.67"), DUE, [], D(2023, 2, 1), RATE) == Decimal("6.17")


def test_interest_is_a_decimal_never_a_float():
    result = late_interest(Decimal("100000"), DUE, [], AS_OF, RATE)
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2
