"""Scheduling interviews, recording their minutes and commitments, and tracking the commitments."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.models.notification import Notification, NotificationLevel
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.accountability.bulletins.service import Conflict, NotVisible, Refused
from plugins.accountability.interviews.models import Commitment, Interview, InterviewStatus


def to_utc(local: dt.datetime, node) -> dt.datetime:
    """A wall-clock time the office typed (the jurisdiction's zone) as stored: naive UTC."""
    aware = local if local.tzinfo else local.replace(tzinfo=clock.zone(node))
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def schedule(jurisdiction: TenantNode, *, actor, values: dict) -> Interview:
    unit = visible(TenantNode, values["unit_id"])
    if unit is None or unit.jurisdiction_id != jurisdiction.id or unit.id == jurisdiction.id:
        raise NotVisible("unit_id", "约谈单位不存在或不属于本辖区")
    at = to_utc(values["scheduled_at"], jurisdiction)
    interview = Interview(
        jurisdiction_id=jurisdiction.id,
        unit_id=unit.id,
        head_name=values["head_name"].strip(),
        scheduled_at=at,
        place=(values.get("place") or "").strip(),
        reason=values["reason"].strip(),
        attendees=(values.get("attendees") or "").strip(),
        status=InterviewStatus.SCHEDULED,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(interview)
    db.session.flush()
    when = clock.to_local(at, jurisdiction)
    history.record(
        interview,
        "scheduled",
        after={"scheduled_at": when.isoformat(), "head": interview.head_name},
        actor=actor,
        note=interview.reason,
    )
    db.session.add(
        Notification(
            jurisdiction_id=jurisdiction.id,
            unit_id=unit.id,
            key=f"interview:{interview.id}:scheduled",
            title=f"专项约谈通知：{unit.name}{interview.head_name}",
            body=f"{cn_date(when.date())} {when:%H:%M}，{interview.place}。约谈事由：{interview.reason}",
            link=f"/accountability/interviews/{interview.id}",
            level=NotificationLevel.WARNING,
        )
    )
    return interview


def record_minutes(interview: Interview, *, actor, values: dict) -> Interview:
    """Record what was said and committed; done once (the minutes are the record of the meeting)."""
    if interview.status == InterviewStatus.HELD:
        raise Conflict("status", "约谈纪要已记录")
    jurisdiction = db.session.get(TenantNode, interview.jurisdiction_id)
    today = clock.today(jurisdiction)
    if values["held_on"] > today:
        raise Conflict("held_on", f"约谈日期不能晚于今天（{cn_date(today)}）")
    commitments = values.get("commitments") or []
    for n, c in enumerate(commitments):
        if c["deadline"] < values["held_on"]:
            raise Refused("commitments", f"第{n + 1}项承诺的期限早于约谈日期")
    interview.status = InterviewStatus.HELD
    interview.held_on = values["held_on"]
    interview.minutes = values["minutes"].strip()
    if values.get("attendees"):
        interview.attendees = values["attendees"].strip()
    for c in commitments:
        db.session.add(
            Commitment(
                jurisdiction_id=interview.jurisdiction_id,
                unit_id=interview.unit_id,
                interview_id=interview.id,
                content=c["content"].strip(),
                owner=c["owner"].strip(),
                deadline=c["deadline"],
            )
        )
    db.session.flush()
    history.record(
        interview,
        "held",
        after={"held_on": interview.held_on.isoformat(), "commitments": len(commitments)},
        actor=actor,
    )
    return interview


def complete(commitment: Commitment, *, actor, note: str) -> Commitment:
    if commitment.status != "open":
        raise Conflict("status", "该承诺事项已完成")
    if not (note or "").strip():
        raise Refused("note", "请说明完成情况")
    commitment.status = "done"
    commitment.done_on = clock.today(db.session.get(TenantNode, commitment.jurisdiction_id))
    commitment.done_note = note.strip()
    db.session.flush()
    history.record(commitment, "done", actor=actor, note=commitment.done_note)
    return commitment


def commitments_of(interview: Interview) -> list[Commitment]:
    return list(
        db.session.scalars(
            db.select(Commitment).where(Commitment.interview_id == interview.id).order_by(Commitment.id)
        )
    )


def escalate(jurisdiction: TenantNode, today: dt.date) -> int:
    """Open commitments past their deadline: tell the leaders and the unit, once per deadline."""
    overdue = db.session.scalars(
        db.select(Commitment).where(
            Commitment.jurisdiction_id == jurisdiction.id,
            Commitment.status == "open",
            Commitment.deadline < today,
        )
    ).all()
    count = 0
    for item in overdue:
        if item.escalated_for == item.deadline:
            continue
        title = f"约谈承诺逾期{(today - item.deadline).days}天未完成：{item.content[:60]}"
        for unit_id, suffix in ((jurisdiction.id, "leader"), (item.unit_id, "unit")):
            db.session.add(
                Notification(
                    jurisdiction_id=jurisdiction.id,
                    unit_id=unit_id,
                    key=f"commitment:{item.id}:overdue:{item.deadline.isoformat()}:{suffix}",
                    title=title,
                    body=f"责任人：{item.owner}；期限{cn_date(item.deadline)}",
                    link=f"/accountability/interviews/{item.interview_id}",
                    level=NotificationLevel.URGENT,
                )
            )
        item.escalated_for = item.deadline
        history.record(item, "escalated", actor=None)
        count += 1
    db.session.flush()
    return count
