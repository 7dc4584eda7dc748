"""The ledger's plan milestone: ``ledger_complete`` is met when every unit of the year's round reported."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.services.milestones import MilestoneStatus
from plugins.ledger.rounds.models import ACTIVE_SUBMISSION, LedgerRound, RoundUnit, Submission


def milestone_status(tenant, key: str, deadline: dt.date) -> MilestoneStatus | None:
    if key != "ledger_complete":
        return None
    # The year's rounds opened by the milestone; a complete one answers (a later update round does not).
    rounds = db.session.scalars(
        db.select(LedgerRound)
        .where(
            LedgerRound.office_id == tenant.id,
            LedgerRound.deadline >= dt.date(deadline.year, 1, 1),
            LedgerRound.as_of <= deadline,
        )
        .order_by(LedgerRound.deadline.desc(), LedgerRound.id.desc())
    ).all()
    best = None
    for rnd in rounds:
        expected, reported = _counts(rnd)
        if best is None or (expected > 0 and reported >= expected):
            best = (rnd, expected, reported)
            if expected > 0 and reported >= expected:
                break
    if best is None:
        return MilestoneStatus(False, f"{deadline.year}年尚未在该节点前发起填报轮次")
    rnd, expected, reported = best
    return MilestoneStatus(
        expected > 0 and reported >= expected, f"{rnd.name}：{reported}/{expected}个单位已报送"
    )


def _counts(rnd: LedgerRound) -> tuple[int, int]:
    expected = (
        db.session.scalar(db.select(db.func.count(RoundUnit.id)).where(RoundUnit.round_id == rnd.id)) or 0
    )
    reported = (
        db.session.scalar(
            db.select(db.func.count(db.distinct(Submission.unit_id))).where(
                Submission.round_id == rnd.id, Submission.status.in_(ACTIVE_SUBMISSION)
            )
        )
        or 0
    )
    return expected, reported
