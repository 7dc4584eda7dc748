"""The debt status machine: every allowed transition, a sample of refused ones, and payment effects."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.rules.status import (
    OPEN_STATUSES,
    STATUS_LABELS,
    TRANSITIONS,
    DebtStatus,
    TransitionError,
    check_transition,
    status_after_payment,
)

# Written out by hand (not derived from TRANSITIONS) so a change to the machine must change this list.
ALLOWED = [
    ("to_verify", "confirmed"),
    ("to_verify", "disputed"),
    ("to_verify", "judicial"),
    ("to_verify", "out_of_scope"),
    ("confirmed", "under_agreement"),
    ("confirmed", "partly_repaid"),
    ("confirmed", "cleared"),
    ("confirmed", "disputed"),
    ("confirmed", "judicial"),
    ("confirmed", "to_verify"),
    ("disputed", "confirmed"),
    ("disputed", "under_agreement"),
    ("disputed", "partly_repaid"),
    ("disputed", "cleared"),
    ("disputed", "judicial"),
    ("disputed", "out_of_scope"),
    ("under_agreement", "partly_repaid"),
    ("under_agreement", "cleared"),
    ("under_agreement", "disputed"),
    ("under_agreement", "judicial"),
    ("partly_repaid", "cleared"),
    ("partly_repaid", "under_agreement"),
    ("partly_repaid", "disputed"),
    ("partly_repaid", "judicial"),
    ("cleared", "partly_repaid"),
    ("judicial", "confirmed"),
    ("judicial", "cleared"),
    ("judicial", "out_of_scope"),
    ("out_of_scope", "to_verify"),
]

REFUSED = [
    ("to_verify", "cleared"),  # must be verified first
    ("to_verify", "partly_repaid"),
    ("to_verify", "under_agreement"),
    ("cleared", "confirmed"),  # a cleared debt reopens only through a reversed payment
    ("cleared", "to_verify"),
    ("cleared", "disputed"),
    ("cleared", "judicial"),
    ("out_of_scope", "confirmed"),
    ("out_of_scope", "cleared"),
    ("judicial", "partly_repaid"),
    ("judicial", "to_verify"),
    ("under_agreement", "to_verify"),
    ("under_agreement", "confirmed"),
    ("partly_repaid", "to_verify"),
    ("partly_repaid", "out_of_scope"),
    ("disputed", "to_verify"),
]


def test_hand_list_matches_the_machine():
    machine = {(str(a), str(b)) for a, targets in TRANSITIONS.items() for b in targets}
    assert machine == set(ALLOWED)


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transitions(old, new):
    check_transition(old, new)  # does not raise


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_transitions(old, new):
    with pytest.raises(TransitionError) as info:
        check_transition(old, new)
    # the message names both states in Chinese
    assert STATUS_LABELS[DebtStatus(old)] in str(info.value)
    assert STATUS_LABELS[DebtStatus(new)] in str(info.value)


@pytest.mark.parametrize("status", [s.value for s in DebtStatus])
def test_staying_in_the_same_status_is_always_allowed(status):
    check_transition(status, status)


def test_unknown_status_is_refused():
    with pytest.raises(TransitionError):
        check_transition("confirmed", "paid_off")


def test_every_status_has_a_chinese_label():
    assert set(STATUS_LABELS) == set(DebtStatus)


def test_open_statuses():
    assert {"to_verify", "confirmed", "disputed", "under_agreement", "partly_repaid"} == OPEN_STATUSES


# --- the status a payment or a reversal leads to ------------------------------------------------
# status_after_payment(status, outstanding, paid)

D = Decimal


@pytest.mark.parametrize(
    ("status", "outstanding", "paid", "expected"),
    [
        # payments
        ("confirmed", D("60000"), D("40000"), "partly_repaid"),  # 100000 − 40000 left
        ("disputed", D("60000"), D("40000"), "partly_repaid"),
        ("partly_repaid", D("30000"), D("70000"), "partly_repaid"),
        ("under_agreement", D("60000"), D("40000"), "under_agreement"),  # the agreement stays in force
        ("confirmed", D("0"), D("100000"), "cleared"),
        ("partly_repaid", D("0"), D("100000"), "cleared"),
        ("under_agreement", D("0"), D("100000"), "cleared"),
        ("judicial", D("0"), D("100000"), "judicial"),  # the court's case; status not touched
        ("out_of_scope", D("60000"), D("40000"), "out_of_scope"),
        # reversals
        ("cleared", D("100000"), D("0"), "confirmed"),  # the only payment reversed
        ("cleared", D("40000"), D("60000"), "partly_repaid"),  # one of two payments reversed
        ("partly_repaid", D("100000"), D("0"), "confirmed"),
        ("under_agreement", D("100000"), D("0"), "under_agreement"),
    ],
)
def test_status_after_payment_or_reversal(status, outstanding, paid, expected):
    assert status_after_payment(status, outstanding, paid) == expected


def test_status_after_payment_respects_the_machine():
    # Every move a payment makes from an open state is an allowed transition. (A reversal may take
    # "cleared" or "partly_repaid" back to "confirmed", which users cannot do by hand: only the reversal
    # service does it.)
    for status in ("confirmed", "disputed", "under_agreement", "partly_repaid"):
        for outstanding, paid in ((D("0"), D("1")), (D("1"), D("1"))):
            new = status_after_payment(status, outstanding, paid)
            check_transition(status, new)
