"""Concealment checks (瞒报/漏报): what a unit's submitted ledger should have shown but did not.

Three kinds, each comparing a submission with facts recorded elsewhere in the system:

- ``oversight_missing``: a debt found by audit, inspection, supervision or a complaint, existing for the unit
  as of the round's date, that the unit's snapshot lacks (typically registered by the office afterwards);
- ``vanished``: in the unit's previous snapshot, gone from this one, with neither clearance nor payments
  recorded since that cover it (deleting a debt does not explain it away);
- ``shrunk``: the outstanding amount fell between the two snapshots by more than the payments recorded.

Flags are computed at submission and daily by a job. One flag per round, kind and debt; a resolved flag is
never raised again for the same round.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.extensions import db
from core.models.debt import Debt, Payment, Source
from core.rules.status import DebtStatus
from core.tenancy.isolation import INCLUDE_DELETED
from plugins.ledger.rounds.models import ACTIVE_SUBMISSION, Flag, FlagKind, LedgerRound, Submission
from plugins.ledger.rounds.service import (
    OPEN_STATUS_VALUES,
    ZERO,
    coverage_condition,
    previous_submission,
)

OVERSIGHT_SOURCES = (Source.AUDIT, Source.INSPECTION, Source.SUPERVISION, Source.COMPLAINT)


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def payments_between(debt_ids: set[int], after, until) -> dict[int, Decimal]:
    """Live (not reversed) payments recorded in (after, until], per debt."""
    if not debt_ids:
        return {}
    rows = db.session.execute(
        db.select(Payment.debt_id, db.func.sum(Payment.amount))
        .where(
            Payment.debt_id.in_(sorted(debt_ids)),
            Payment.reversed_at.is_(None),
            Payment.created_at > after,
            Payment.created_at <= until,
        )
        .group_by(Payment.debt_id)
    ).all()
    return {debt_id: Decimal(str(total or 0)) for debt_id, total in rows}


def _candidates(sub: Submission) -> list[tuple[str, int, dict[str, Any]]]:
    rnd: LedgerRound = sub.round
    found: list[tuple[str, int, dict[str, Any]]] = []
    reported = sub.debt_ids

    # (a) Debts the oversight channels found that the unit's ledger lacked.
    oversight = db.session.scalars(
        db.select(Debt).where(
            coverage_condition(rnd, sub.unit),
            Debt.source.in_([s.value for s in OVERSIGHT_SOURCES]),
            Debt.status.in_(OPEN_STATUS_VALUES),
            db.or_(Debt.origin_date.is_(None), Debt.origin_date <= rnd.as_of),
        )
    ).unique()
    for debt in oversight:
        if debt.id in reported:
            continue
        found.append(
            (
                FlagKind.OVERSIGHT_MISSING,
                debt.id,
                {
                    "source": debt.source,
                    "source_label": debt.source_label,
                    "creditor_name": debt.creditor.display_name,
                    "project_name": debt.project_name,
                    "debtor_unit": debt.unit.name,
                    "outstanding": _money(debt.outstanding),
                    "origin_date": debt.origin_date.isoformat() if debt.origin_date else None,
                    "registered_at": debt.created_at.isoformat(timespec="seconds")
                    if debt.created_at
                    else None,
                    "message": f"{debt.source_label}发现的欠款（{debt.creditor.display_name}，"
                    f"{_money(debt.outstanding)}元）未列入本单位报送的台账",
                },
            )
        )

    prev = previous_submission(rnd, sub.unit_id)
    if prev is None:
        return found
    before = {int(r["debt_id"]): r for r in prev.rows or []}
    now = {int(r["debt_id"]): r for r in sub.rows or []}
    paid = payments_between(set(before), prev.submitted_at, sub.submitted_at)

    # (b) Debts that vanished with no clearance or payment recorded.
    gone = sorted(before.keys() - now.keys())
    debts = {
        d.id: d
        for d in db.session.scalars(
            db.select(Debt).where(Debt.id.in_(gone)), execution_options={INCLUDE_DELETED: True}
        ).unique()
    }
    for debt_id in gone:
        row = before[debt_id]
        owed_before = Decimal(row["outstanding"])
        paid_since = paid.get(debt_id, ZERO)
        debt = debts.get(debt_id)
        cleared = debt is not None and debt.deleted_at is None and debt.status == DebtStatus.CLEARED
        if cleared or paid_since >= owed_before:
            continue
        status_now = "已删除" if debt is None or debt.deleted_at is not None else debt.status
        found.append(
            (
                FlagKind.VANISHED,
                debt_id,
                {
                    "previous_round_id": prev.round_id,
                    "previous_submission_id": prev.id,
                    "creditor_name": row.get("creditor_name"),
                    "project_name": row.get("project_name"),
                    "previous_outstanding": _money(owed_before),
                    "paid_since": _money(paid_since),
                    "status_now": status_now,
                    "deleted": debt is None or debt.deleted_at is not None,
                    "message": f"上轮台账列有该笔欠款（{row.get('creditor_name')}，"
                    f"未付{_money(owed_before)}元），本轮未列入，期间登记付款仅{_money(paid_since)}元",
                },
            )
        )

    # (c) Amounts that shrank by more than the payments recorded.
    for debt_id in sorted(before.keys() & now.keys()):
        owed_before = Decimal(before[debt_id]["outstanding"])
        owed_now = Decimal(now[debt_id]["outstanding"])
        paid_since = paid.get(debt_id, ZERO)
        unexplained = owed_before - owed_now - paid_since
        if owed_now >= owed_before or unexplained <= 0:
            continue
        found.append(
            (
                FlagKind.SHRUNK,
                debt_id,
                {
                    "previous_round_id": prev.round_id,
                    "previous_submission_id": prev.id,
                    "creditor_name": now[debt_id].get("creditor_name"),
                    "project_name": now[debt_id].get("project_name"),
                    "previous_outstanding": _money(owed_before),
                    "outstanding": _money(owed_now),
                    "paid_since": _money(paid_since),
                    "unexplained": _money(unexplained),
                    "message": f"未付金额由{_money(owed_before)}元减为{_money(owed_now)}元，"
                    f"期间登记付款{_money(paid_since)}元，差额{_money(unexplained)}元无付款记录",
                },
            )
        )
    return found


def compute_flags(sub: Submission) -> list[Flag]:
    """Raise the flags ``sub`` deserves that do not exist yet for its round; returns the new ones."""
    if sub.status not in ACTIVE_SUBMISSION:
        return []
    candidates = _candidates(sub)
    if not candidates:
        return []
    existing = set(
        db.session.execute(
            db.select(Flag.kind, Flag.debt_id).where(
                Flag.round_id == sub.round_id, Flag.debt_id.in_([c[1] for c in candidates])
            )
        ).all()
    )
    created = []
    for kind, debt_id, details in candidates:
        if (str(kind), debt_id) in existing:
            continue
        flag = Flag(
            jurisdiction_id=sub.jurisdiction_id,
            unit_id=sub.unit_id,
            round_id=sub.round_id,
            submission_id=sub.id,
            debt_id=debt_id,
            kind=kind,
            details=details,
        )
        db.session.add(flag)
        existing.add((str(kind), debt_id))
        created.append(flag)
    db.session.flush()
    return created


def compute_all(round_ids: list[int] | None = None) -> int:
    """Check every live submission (of the given rounds) in scope; returns how many flags were raised."""
    stmt = db.select(Submission).where(Submission.status.in_(ACTIVE_SUBMISSION)).order_by(Submission.id)
    if round_ids is not None:
        stmt = stmt.where(Submission.round_id.in_(round_ids))
    return sum(len(compute_flags(sub)) for sub in db.session.scalars(stmt).unique())
