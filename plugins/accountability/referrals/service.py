"""Preparing a referral, recording the hand-over and the outcome."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.accountability.bulletins.service import Conflict, NotVisible, Refused
from plugins.accountability.findings import service as findings
from plugins.accountability.findings.models import FlagFinding
from plugins.accountability.referrals.models import Referral


def confirmed_findings(unit: TenantNode) -> list[FlagFinding]:
    """The confirmed concealment findings on ``unit`` and the units below it."""
    ids = list(db.session.scalars(db.select(TenantNode.id).where(TenantNode.path.startswith(unit.path))))
    return list(db.session.scalars(findings.confirmed(ids)))


def prepare(
    jurisdiction: TenantNode, *, actor, unit_id: int, basis: str, finding_ids: list[int] | None = None
) -> Referral:
    """A referral of ``unit_id`` built from confirmed findings on its subtree: those named, else all of
    them (none at all is allowed: repeated failures are a basis too, and the basis says which)."""
    unit = visible(TenantNode, unit_id)
    if unit is None or unit.jurisdiction_id != jurisdiction.id or unit.id == jurisdiction.id:
        raise NotVisible("unit_id", "单位不存在或不属于本辖区")
    available = {f.id: f for f in confirmed_findings(unit)}
    if finding_ids is None:
        chosen = sorted(available)
    else:
        unknown = sorted(set(finding_ids) - set(available))
        if unknown:
            raise NotVisible(
                "finding_ids",
                "只能依据该单位经认定的瞒报漏报移送（编号"
                + "、".join(str(i) for i in unknown)
                + "不是该单位已认定的疑点）",
            )
        chosen = sorted(set(finding_ids))
    referral = Referral(
        jurisdiction_id=jurisdiction.id,
        unit_id=unit.id,
        basis=basis.strip(),
        status="prepared",
        created_by_id=getattr(actor, "id", None),
        finding_ids=chosen,
    )
    db.session.add(referral)
    db.session.flush()
    history.record(referral, "prepared", after={"finding_ids": chosen}, actor=actor, note=referral.basis)
    return referral


def _not_after_today(referral: Referral, day: dt.date, field: str) -> None:
    today = clock.today(db.session.get(TenantNode, referral.jurisdiction_id))
    if day > today:
        raise Conflict(field, f"日期不能晚于今天（{cn_date(today)}）")


def hand_over(referral: Referral, *, actor, on: dt.date, received_by: str) -> Referral:
    if referral.status != "prepared":
        raise Conflict("status", "已移送")
    _not_after_today(referral, on, "handed_over_on")
    referral.status = "handed_over"
    referral.handed_over_on = on
    referral.received_by = received_by.strip()
    db.session.flush()
    history.record(
        referral,
        "handed_over",
        after={"on": on.isoformat(), "received_by": referral.received_by},
        actor=actor,
    )
    return referral


def conclude(referral: Referral, *, actor, on: dt.date, outcome: str) -> Referral:
    if referral.status != "handed_over":
        raise Conflict("status", "尚未移送，或已记录处理结果")
    if on < referral.handed_over_on:
        raise Refused("outcome_on", "处理结果日期不能早于移送日期")
    _not_after_today(referral, on, "outcome_on")
    referral.status = "concluded"
    referral.outcome = outcome.strip()
    referral.outcome_on = on
    db.session.flush()
    history.record(referral, "concluded", after={"on": on.isoformat()}, actor=actor, note=referral.outcome)
    return referral
