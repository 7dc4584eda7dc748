"""Rounds, submissions, sign-off, locks and reopening, closing, the board and snapshot diffs.

Everything runs under the caller's tenant scope (the automatic filter), so a function here never sees a
unit the caller cannot see. Views and jobs commit; these functions only flush.

A closed round is final: no submission, zero report, sign-off or reopening is accepted any more. Each of
these reads the round's status with its row locked (``_locked_status``), so none of them can slip in while
the office closes the round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_

from core import clock
from core.extensions import db
from core.models.base import utcnow
from core.models.debt import Debt
from core.models.event import Event
from core.rules.payment_terms import overdue_days
from core.rules.status import OPEN_STATUSES
from core.services import history
from core.tenancy.models import NodeKind, TenantNode
from core.tenancy.plans import deadline as plan_deadline
from core.tenancy.plans import plan_for
from plugins.ledger.rounds.models import (
    ACTIVE_SUBMISSION,
    LedgerRound,
    RoundStatus,
    RoundUnit,
    Submission,
    SubmissionStatus,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Units that report a ledger of their own by default. Subsidiaries roll up into their SOE group's ledger
# (the group answers for the whole company) but may be added to a round explicitly.
REPORTING_KINDS = (NodeKind.TOWNSHIP, NodeKind.DEPARTMENT, NodeKind.INSTITUTION, NodeKind.SOE)
OPEN_STATUS_VALUES = sorted(s.value for s in OPEN_STATUSES)
# The history's note column (core.models.event.Event.note) holds at most this many characters.
CLOSE_NOTE_MAX = 500
ROUND_CLOSED = "round_closed"


class RoundError(Exception):
    """A domain refusal: ``status`` is the HTTP status the API answers with, ``field`` the offending input."""

    def __init__(self, message: str, status: int = 409, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


# --- Rounds ------------------------------------------------------------------------------------------


def default_deadline(office: TenantNode, as_of: dt.date | None = None) -> dt.date | None:
    """The year's plan deadline for the ledger, unless it has passed (a round cannot be due in the past)."""
    as_of = as_of or clock.today(office)
    due = plan_deadline(plan_for(office, on=as_of), "ledger_complete")
    return due if due is not None and due >= as_of else None


def default_scope(office: TenantNode) -> list[TenantNode]:
    """Every active reporting unit below ``office`` that is not itself inside another reporting unit.

    A township's institutions are in the township's ledger; counting them again as units of their own would
    report their debts twice. Halted SOEs are outside the campaign.
    """
    nodes = list(
        db.session.scalars(
            db.select(TenantNode)
            .where(
                TenantNode.path.startswith(office.path),
                TenantNode.id != office.id,
                TenantNode.active.is_(True),
                TenantNode.halted.is_(False),
                TenantNode.kind.in_([k.value for k in REPORTING_KINDS]),
            )
            .order_by(TenantNode.path)
        )
    )
    chosen: list[TenantNode] = []
    for node in nodes:  # sorted by path, so an ancestor comes before its descendants
        if not any(node.path.startswith(parent.path) for parent in chosen):
            chosen.append(node)
    return sorted(chosen, key=lambda n: (n.sort_order, n.path))


def open_round(
    office: TenantNode,
    *,
    name: str,
    as_of: dt.date | None = None,
    deadline: dt.date | None = None,
    units: list[TenantNode] | None = None,
    actor=None,
) -> LedgerRound:
    as_of_given = as_of is not None
    as_of = as_of or clock.today(office)
    deadline = deadline or default_deadline(office, as_of)
    if deadline is None:
        # Depends on the plan and today, not on the request alone: a conflict with the current state.
        raise RoundError("本年度工作方案未规定台账完成时限或该时限已过，请填写报送截止日期", 409, "deadline")
    if deadline < as_of:
        # Against the as_of sent: two fields of one request (422); against today's date (as_of left out): 409.
        raise RoundError("报送截止日期不能早于统计截止日期", 422 if as_of_given else 409, "deadline")
    if units is None:
        units = default_scope(office)
    outside = [u.name for u in units if not u.path.startswith(office.path) or u.id == office.id]
    if outside:
        raise RoundError("以下单位不在本级管辖范围内：" + "、".join(outside), 404, "unit_ids")
    if not units:
        raise RoundError("没有需要报送的单位", 409, "unit_ids")
    rnd = LedgerRound(
        jurisdiction_id=office.jurisdiction_id,
        office_id=office.id,
        name=name.strip(),
        as_of=as_of,
        deadline=deadline,
        status=RoundStatus.OPEN,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(rnd)
    db.session.flush()
    seen: set[int] = set()
    for unit in units:
        if unit.id in seen:
            continue
        seen.add(unit.id)
        db.session.add(RoundUnit(jurisdiction_id=unit.jurisdiction_id, unit_id=unit.id, round_id=rnd.id))
    db.session.flush()
    history.record(
        rnd,
        "round_opened",
        after=history.snapshot(rnd) | {"unit_ids": sorted(seen)},
        actor=actor,
        unit_id=office.id,
    )
    return rnd


def round_units(rnd: LedgerRound) -> list[RoundUnit]:
    return list(
        db.session.scalars(
            db.select(RoundUnit)
            .join(TenantNode, TenantNode.id == RoundUnit.unit_id)
            .where(RoundUnit.round_id == rnd.id)
            .order_by(TenantNode.sort_order, TenantNode.path)
        )
    )


def round_unit(rnd: LedgerRound, unit_id: int) -> RoundUnit | None:
    return db.session.scalar(
        db.select(RoundUnit).where(RoundUnit.round_id == rnd.id, RoundUnit.unit_id == unit_id)
    )


def active_submission(round_id: int, unit_id: int) -> Submission | None:
    return db.session.scalar(
        db.select(Submission)
        .where(
            Submission.round_id == round_id,
            Submission.unit_id == unit_id,
            Submission.status.in_(ACTIVE_SUBMISSION),
        )
        .order_by(Submission.id.desc())
    )


# --- Closing -----------------------------------------------------------------------------------------


def close_round(rnd: LedgerRound, *, actor=None, note: str | None = None) -> LedgerRound:
    """End the round: from now on it accepts no submission, zero report, sign-off or reopening.

    The board keeps showing the final state (submissions are left as they are: one awaiting sign-off
    stays 已报送待签认). Who closed it, when, the optional note and the final counts go to the history
    (a ``round_closed`` event of the round); the round itself only changes its status.
    """
    note = (note or "").strip() or None
    if note is not None and len(note) > CLOSE_NOTE_MAX:
        raise RoundError(f"结束说明不能超过 {CLOSE_NOTE_MAX} 字", 422, "note")
    if _locked_status(rnd) != RoundStatus.OPEN:
        raise RoundError(closed_message(rnd, "不能重复结束"))
    final = board(rnd)
    rnd.status = RoundStatus.CLOSED
    db.session.flush()
    history.record(
        rnd,
        ROUND_CLOSED,
        before={"status": RoundStatus.OPEN.value},
        after={
            "status": RoundStatus.CLOSED.value,
            "counts": final.counts,
            "amounts": {k: _money(v) for k, v in final.amounts.items()},
        },
        actor=actor,
        note=note,
        unit_id=rnd.office_id,
    )
    return rnd


def closing_event(rnd: LedgerRound) -> Event | None:
    """The history entry of the round's closing, if the caller may see it (it sits at the office)."""
    return db.session.scalar(
        db.select(Event)
        .where(
            Event.entity_type == LedgerRound.__tablename__,
            Event.entity_id == rnd.id,
            Event.action == ROUND_CLOSED,
        )
        .order_by(Event.id.desc())
    )


def closed_message(rnd: LedgerRound, refused: str) -> str:
    event = closing_event(rnd)
    if event is None:
        return f"本轮填报已结束，{refused}"
    return f"本轮填报已由{event.actor_name or '系统'}于{_cn(event.at)}结束，{refused}"


def _locked_status(rnd: LedgerRound) -> str:
    """The round's committed status, read with its row locked until the transaction ends (PostgreSQL;
    SQLite has no row locks and serialises writing transactions itself). Closing and every write a closed
    round refuses take this lock first, so a submission, sign-off or reopening either commits before the
    round closes or sees it closed."""
    db.session.refresh(rnd, attribute_names=["status"], with_for_update=True)
    return rnd.status


# --- Snapshots ---------------------------------------------------------------------------------------


def coverage_condition(rnd: LedgerRound, unit: TenantNode):
    """Which debtor units a unit's ledger covers: its subtree, less the subtrees of descendants that
    report in the same round themselves (so no debt is counted in two ledgers)."""
    own_reporters = list(
        db.session.scalars(
            db.select(TenantNode.path)
            .join(RoundUnit, RoundUnit.unit_id == TenantNode.id)
            .where(
                RoundUnit.round_id == rnd.id,
                TenantNode.path.startswith(unit.path),
                TenantNode.id != unit.id,
            )
        )
    )
    subtree = db.select(TenantNode.id).where(TenantNode.path.startswith(unit.path))
    for path in own_reporters:
        subtree = subtree.where(~TenantNode.path.startswith(path))
    return Debt.unit_id.in_(subtree)


def _money(value) -> str:
    return f"{Decimal(value or 0).quantize(CENT):.2f}"


def snapshot_row(debt: Debt, as_of: dt.date) -> dict[str, Any]:
    """The key fields of a debt as reported; amounts as strings (Decimal, never floats).

    Overdue days are counted to the round's ``as_of`` (its statistics date), not to the day of submission.
    """
    return {
        "debt_id": debt.id,
        "unit_id": debt.unit_id,
        "unit_name": debt.unit.name,
        "creditor_name": debt.creditor.display_name,
        "credit_code": debt.creditor.credit_code,
        "project_name": debt.project_name,
        "contract_no": debt.contract_no,
        "category": debt.category,
        "source": debt.source,
        "status": debt.status,
        "origin_date": debt.origin_date.isoformat() if debt.origin_date else None,
        "due_date": debt.due_date.isoformat() if debt.due_date else None,
        "overdue_days": overdue_days(debt.due_date, as_of, debt.outstanding),
        "amount_owed": _money(debt.amount_owed),
        "undisputed_amount": _money(debt.undisputed_amount),
        "disputed_amount": _money(debt.disputed_amount),
        "paid_amount": _money(debt.paid_amount),
        "outstanding": _money(debt.outstanding),
        "migrant_wages": bool(debt.migrant_wages),
    }


def open_debts(rnd: LedgerRound, unit: TenantNode) -> list[Debt]:
    return list(
        db.session.scalars(
            db.select(Debt)
            .where(coverage_condition(rnd, unit), Debt.status.in_(OPEN_STATUS_VALUES))
            .order_by(Debt.unit_id, Debt.id)
        ).unique()
    )


# --- Submitting, signing, reopening ----------------------------------------------------------------


def submit(
    rnd: LedgerRound,
    unit: TenantNode,
    *,
    actor=None,
    zero: bool = False,
    statement: str | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Freeze the unit's ledger for the round (or its zero report); refused while one is already in."""
    if _locked_status(rnd) != RoundStatus.OPEN:
        raise RoundError(closed_message(rnd, "不能再报送零报告" if zero else "不能再报送台账"))
    if round_unit(rnd, unit.id) is None:
        raise RoundError("该单位不在本轮报送范围内", 422, "unit_id")
    existing = active_submission(rnd.id, unit.id)
    if existing is not None:
        raise RoundError(
            f"{unit.name}本轮台账已于{_cn(existing.submitted_at)}报送并锁定；如需更正，请联系清欠办退回后重新报送"
        )
    debts = open_debts(rnd, unit)
    if zero:
        if debts:
            raise RoundError(
                f"系统中{unit.name}仍有 {len(debts)} 笔未清偿欠款，不能报送零报告（无拖欠）", 422, "zero"
            )
        if not (statement or "").strip():
            raise RoundError("零报告须填写情况说明", 422, "statement")
    rows = [snapshot_row(d, rnd.as_of) for d in debts]
    now = now or utcnow()
    sub = Submission(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        round_id=rnd.id,
        status=SubmissionStatus.SUBMITTED,
        zero=zero,
        statement=(statement or "").strip() or None,
        rows=rows,
        row_count=len(rows),
        total_owed=sum((Decimal(r["amount_owed"]) for r in rows), ZERO),
        total_paid=sum((Decimal(r["paid_amount"]) for r in rows), ZERO),
        total_outstanding=sum((Decimal(r["outstanding"]) for r in rows), ZERO),
        submitted_at=now,
        submitted_by_id=getattr(actor, "id", None),
        submitted_by_name=_name(actor),
        late=clock.local_date(now, unit) > rnd.deadline,
    )
    db.session.add(sub)
    db.session.flush()
    history.record(
        sub,
        "zero_report_submitted" if zero else "ledger_submitted",
        after={
            "round_id": rnd.id,
            "row_count": sub.row_count,
            "total_outstanding": _money(sub.total_outstanding),
            "late": sub.late,
        },
        actor=actor,
        note=sub.statement,
    )
    from plugins.ledger.rounds.flags import compute_flags

    compute_flags(sub)
    return sub


def signoff(sub: Submission, *, actor=None, comment: str | None = None) -> Submission:
    if _locked_status(sub.round) != RoundStatus.OPEN:
        raise RoundError(closed_message(sub.round, "不能再签认"))
    if sub.status == SubmissionStatus.SIGNED:
        raise RoundError(f"该台账已由{sub.signed_by_name}于{_cn(sub.signed_at)}签认")
    if sub.status != SubmissionStatus.SUBMITTED:
        raise RoundError("该台账已被退回，不能签认；请等待单位重新报送")
    sub.status = SubmissionStatus.SIGNED
    sub.signed_at = utcnow()
    sub.signed_by_id = getattr(actor, "id", None)
    sub.signed_by_name = _name(actor)
    sub.signoff_comment = (comment or "").strip() or None
    db.session.flush()
    history.record(
        sub,
        "ledger_signed",
        before={"status": SubmissionStatus.SUBMITTED.value},
        after={"status": sub.status, "signed_by": sub.signed_by_name},
        actor=actor,
        note=sub.signoff_comment,
    )
    return sub


def reopen(sub: Submission, *, reason: str, actor=None) -> Submission:
    if _locked_status(sub.round) != RoundStatus.OPEN:
        raise RoundError(closed_message(sub.round, "不能再退回"))
    reason = (reason or "").strip()
    if not reason:
        raise RoundError("退回须写明原因", 422, "reason")
    if sub.status not in ACTIVE_SUBMISSION:
        raise RoundError("该台账已被退回")
    before = sub.status
    sub.status = SubmissionStatus.REOPENED
    sub.reopened_at = utcnow()
    sub.reopened_by_id = getattr(actor, "id", None)
    sub.reopen_reason = reason
    db.session.flush()
    history.record(
        sub,
        "ledger_reopened",
        before={"status": before},
        after={"status": sub.status},
        actor=actor,
        note=reason,
    )
    return sub


def send_back(sub: Submission, *, reason: str, actor=None) -> Submission:
    """The unit head returns a submission awaiting their signature to the clerk (退回), with a reason.

    Only before signing: a signed submission can be reopened by the office (``reopen``), not by the head.
    """
    if _locked_status(sub.round) != RoundStatus.OPEN:
        raise RoundError(closed_message(sub.round, "不能再退回"))
    reason = (reason or "").strip()
    if not reason:
        raise RoundError("退回须写明原因", 422, "reason")
    if sub.status != SubmissionStatus.SUBMITTED:
        raise RoundError(
            "只能退回待签认的台账" if sub.status == SubmissionStatus.SIGNED else "该台账已被退回"
        )
    sub.status = SubmissionStatus.REOPENED
    sub.reopened_at = utcnow()
    sub.reopened_by_id = getattr(actor, "id", None)
    sub.reopen_reason = reason
    db.session.flush()
    history.record(
        sub,
        "ledger_sent_back",
        before={"status": SubmissionStatus.SUBMITTED.value},
        after={"status": sub.status},
        actor=actor,
        note=reason,
    )
    return sub


# --- Board -------------------------------------------------------------------------------------------


@dataclass
class BoardRow:
    unit: TenantNode
    state: str  # signed | submitted | missing
    submission: Submission | None
    late: bool
    overdue: bool  # missing and the deadline has passed
    reopened: int  # how many times the office sent it back

    @property
    def state_label(self) -> str:
        return BOARD_STATE_LABELS[self.state]


BOARD_STATE_LABELS = {"signed": "已签认", "submitted": "已报送待签认", "missing": "未报送"}


@dataclass
class Board:
    round: LedgerRound
    rows: list[BoardRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "units": len(self.rows),
            "submitted": sum(1 for r in self.rows if r.state != "missing"),
            "signed": sum(1 for r in self.rows if r.state == "signed"),
            "awaiting_signoff": sum(1 for r in self.rows if r.state == "submitted"),
            "late": sum(1 for r in self.rows if r.late),
            "missing": sum(1 for r in self.rows if r.state == "missing"),
            "overdue": sum(1 for r in self.rows if r.overdue),
            "zero_reports": sum(1 for r in self.rows if r.submission is not None and r.submission.zero),
            "debts": sum(r.submission.row_count for r in self.rows if r.submission is not None),
        }

    @property
    def amounts(self) -> dict[str, Decimal]:
        subs = [r.submission for r in self.rows if r.submission is not None]
        return {
            "owed": sum((s.total_owed for s in subs), ZERO),
            "paid": sum((s.total_paid for s in subs), ZERO),
            "outstanding": sum((s.total_outstanding for s in subs), ZERO),
        }


def board(rnd: LedgerRound, today: dt.date | None = None) -> Board:
    today = today or clock.today()
    units = round_units(rnd)
    subs = list(db.session.scalars(db.select(Submission).where(Submission.round_id == rnd.id)))
    active = {s.unit_id: s for s in subs if s.status in ACTIVE_SUBMISSION}
    reopened: dict[int, int] = {}
    for s in subs:
        if s.status == SubmissionStatus.REOPENED:
            reopened[s.unit_id] = reopened.get(s.unit_id, 0) + 1
    out = Board(round=rnd)
    for ru in units:
        sub = active.get(ru.unit_id)
        state = (
            "missing" if sub is None else ("signed" if sub.status == SubmissionStatus.SIGNED else "submitted")
        )
        out.rows.append(
            BoardRow(
                unit=ru.unit,
                state=state,
                submission=sub,
                late=bool(sub is not None and sub.late),
                overdue=sub is None and today > rnd.deadline,
                reopened=reopened.get(ru.unit_id, 0),
            )
        )
    return out


# --- Diff --------------------------------------------------------------------------------------------

DIFF_FIELDS = ("amount_owed", "paid_amount", "outstanding", "status")


def previous_submission(sub_round: LedgerRound, unit_id: int) -> Submission | None:
    """The unit's live submission in the latest round before ``sub_round`` (by as-of date, then id)."""
    return db.session.scalar(
        db.select(Submission)
        .join(LedgerRound, LedgerRound.id == Submission.round_id)
        .where(
            Submission.unit_id == unit_id,
            Submission.status.in_(ACTIVE_SUBMISSION),
            or_(
                LedgerRound.as_of < sub_round.as_of,
                and_(LedgerRound.as_of == sub_round.as_of, LedgerRound.id < sub_round.id),
            ),
        )
        .order_by(LedgerRound.as_of.desc(), LedgerRound.id.desc(), Submission.id.desc())
    )


def diff_rows(before: list[dict], after: list[dict]) -> dict[str, Any]:
    """Added, removed and changed debts between two snapshots, with the outstanding amounts."""
    old = {int(r["debt_id"]): r for r in before or []}
    new = {int(r["debt_id"]): r for r in after or []}
    added = [new[i] for i in sorted(new.keys() - old.keys())]
    removed = [old[i] for i in sorted(old.keys() - new.keys())]
    changed = []
    for i in sorted(old.keys() & new.keys()):
        fields = {k: {"before": old[i].get(k), "after": new[i].get(k)} for k in DIFF_FIELDS}
        fields = {k: v for k, v in fields.items() if v["before"] != v["after"]}
        if fields:
            delta = Decimal(new[i]["outstanding"]) - Decimal(old[i]["outstanding"])
            changed.append(
                {
                    "debt_id": i,
                    "creditor_name": new[i].get("creditor_name"),
                    "project_name": new[i].get("project_name"),
                    "changes": fields,
                    "outstanding_delta": _money(delta),
                }
            )

    def total(rows: list[dict]) -> str:
        return _money(sum((Decimal(r["outstanding"]) for r in rows), ZERO))

    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "totals": {
            "before": total(list(old.values())),
            "after": total(list(new.values())),
            "added": total(added),
            "removed": total(removed),
            "change": _money(Decimal(total(list(new.values()))) - Decimal(total(list(old.values())))),
        },
    }


# --- Helpers -----------------------------------------------------------------------------------------


def _name(actor) -> str | None:
    if actor is None:
        return None
    return getattr(actor, "label", None) or getattr(actor, "display_name", None) or actor.username


def _cn(stamp: dt.datetime | None) -> str:
    if stamp is None:
        return ""
    from core.web.templating import cn_datetime

    return cn_datetime(stamp)
