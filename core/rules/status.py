"""The debt status machine."""

from __future__ import annotations

import enum

from core.rules.validation import Refused


class DebtStatus(enum.StrEnum):
    TO_VERIFY = "to_verify"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    UNDER_AGREEMENT = "under_agreement"
    PARTLY_REPAID = "partly_repaid"
    CLEARED = "cleared"
    JUDICIAL = "judicial"
    OUT_OF_SCOPE = "out_of_scope"


STATUS_LABELS = {
    DebtStatus.TO_VERIFY: "待核实",
    DebtStatus.CONFIRMED: "已确认",
    DebtStatus.DISPUTED: "有争议",
    DebtStatus.UNDER_AGREEMENT: "已签协议",
    DebtStatus.PARTLY_REPAID: "部分偿还",
    DebtStatus.CLEARED: "已清偿",
    DebtStatus.JUDICIAL: "已进入司法程序",
    DebtStatus.OUT_OF_SCOPE: "不属于清欠范围",
}

S = DebtStatus
TRANSITIONS: dict[DebtStatus, set[DebtStatus]] = {
    S.TO_VERIFY: {S.CONFIRMED, S.DISPUTED, S.JUDICIAL, S.OUT_OF_SCOPE},
    S.CONFIRMED: {S.UNDER_AGREEMENT, S.PARTLY_REPAID, S.CLEARED, S.DISPUTED, S.JUDICIAL, S.TO_VERIFY},
    S.DISPUTED: {S.CONFIRMED, S.UNDER_AGREEMENT, S.PARTLY_REPAID, S.CLEARED, S.JUDICIAL, S.OUT_OF_SCOPE},
    S.UNDER_AGREEMENT: {S.PARTLY_REPAID, S.CLEARED, S.DISPUTED, S.JUDICIAL},
    S.PARTLY_REPAID: {S.CLEARED, S.UNDER_AGREEMENT, S.DISPUTED, S.JUDICIAL},
    S.CLEARED: {S.PARTLY_REPAID},  # only when a payment is reversed
    S.JUDICIAL: {S.CONFIRMED, S.CLEARED, S.OUT_OF_SCOPE},
    S.OUT_OF_SCOPE: {S.TO_VERIFY},
}

# Statuses still counted as arrears the campaign must clear.
OPEN_STATUSES = {S.TO_VERIFY, S.CONFIRMED, S.DISPUTED, S.UNDER_AGREEMENT, S.PARTLY_REPAID}
# Statuses where late interest and overdue days still run.
ACCRUING_STATUSES = OPEN_STATUSES


class TransitionError(Refused):
    """A status change the debt's current status does not allow: a rule of the record's state (409)."""

    status = 409

    def field_errors(self) -> dict[str, list[str]]:
        return {"status": [str(self)]}


def check_transition(old: str, new: str) -> None:
    if old == new:
        return
    try:
        old_s, new_s = DebtStatus(old), DebtStatus(new)
    except ValueError as exc:
        raise TransitionError(f"未知状态：{new}") from exc
    if new_s not in TRANSITIONS[old_s]:
        raise TransitionError(f"状态不能从“{STATUS_LABELS[old_s]}”变为“{STATUS_LABELS[new_s]}”")


def status_after_payment(status: str, outstanding, paid) -> str:
    """The status a payment (or its reversal) moves a debt to, if any."""
    if status in (S.JUDICIAL, S.OUT_OF_SCOPE):
        return status
    if outstanding <= 0:
        return S.CLEARED
    if paid > 0:
        return S.UNDER_AGREEMENT if status == S.UNDER_AGREEMENT else S.PARTLY_REPAID
    return S.CONFIRMED if status in (S.CLEARED, S.PARTLY_REPAID) else status
