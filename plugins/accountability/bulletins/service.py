"""Drafting, issuing and reading bulletins. Every change is an event in core's history."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from core.web.templating import cn_date
from plugins.accountability.bulletins.figures import generate
from plugins.accountability.bulletins.models import Bulletin, BulletinRecipient, BulletinStatus

DEFAULT_PREFIX = "清欠办通报"


class Refused(Exception):
    """A request the rules refuse: ``field`` says which input, ``message`` why (shown to the user).

    The API answers ``status``: 422 for input no state would make right, and the two subclasses below for
    input that is well formed but meets the wrong record or the wrong moment.
    """

    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotVisible(Refused):
    """The request names a record (a unit, a flag, a bulletin) the caller cannot see: 404 naming the field."""

    status = 404


class Conflict(Refused):
    """The record's state (already issued, already decided), the plan or today's date forbid it now: 409."""

    status = 409


def settings(jurisdiction: TenantNode) -> dict:
    return (plan_for(jurisdiction) or {}).get("accountability") or {}


def prefix(jurisdiction: TenantNode) -> str:
    """The plan's bulletin number prefix (``台清欠办通报``), numbered 〔year〕n号."""
    return str(settings(jurisdiction).get("bulletin_prefix") or DEFAULT_PREFIX)


def issuer(jurisdiction: TenantNode) -> str:
    plan = plan_for(jurisdiction) or {}
    return str(settings(jurisdiction).get("issuer") or plan.get("issuer") or f"{jurisdiction.name}清欠办")


def doc_no(jurisdiction: TenantNode, year: int, seq: int) -> str:
    return f"{prefix(jurisdiction)}〔{year}〕{seq}号"


def first_level(jurisdiction: TenantNode) -> list[TenantNode]:
    return list(
        db.session.scalars(
            db.select(TenantNode)
            .where(TenantNode.parent_id == jurisdiction.id, TenantNode.active.is_(True))
            .order_by(TenantNode.sort_order, TenantNode.id)
        )
    )


def default_intro(jurisdiction: TenantNode, period_end: dt.date, behind: list[str]) -> str:
    text = (
        f"为推动防范和化解拖欠中小企业账款工作落实，现将截至{cn_date(period_end)}{jurisdiction.name}"
        "各单位清欠工作进展情况通报如下。"
    )
    if behind:
        text += f"其中，{'、'.join(behind)}清偿进度落后于工作方案确定的进度目标。"
    return text


DEFAULT_CLOSING = (
    "请进度落后的单位认真分析原因，制定整改措施，加快清偿进度，并于收到本通报后5个工作日内将整改情况"
    "报清欠办。对整改不力的，将按工作方案实行挂牌督办、约谈等措施。"
)


def check_recipients(jurisdiction: TenantNode, unit_ids: list[int] | None) -> list[int]:
    """The units to send to: the first level by default, else those given (inside the jurisdiction)."""
    if not unit_ids:
        return [n.id for n in first_level(jurisdiction)]
    found = set(
        db.session.scalars(
            db.select(TenantNode.id).where(
                TenantNode.id.in_(unit_ids),
                TenantNode.path.startswith(jurisdiction.path),
                TenantNode.id != jurisdiction.id,
            )
        )
    )
    missing = [i for i in unit_ids if i not in found]
    if missing:
        raise NotVisible("recipient_ids", f"以下单位不存在或不属于本辖区：{', '.join(map(str, missing))}")
    return list(dict.fromkeys(unit_ids))


def create(jurisdiction: TenantNode, *, actor, values: dict) -> Bulletin:
    """A draft generated from live data now; the narrative defaults to the usual wording."""
    today = clock.today(jurisdiction)
    period_end = values.get("period_end") or today
    if period_end > today:
        raise Conflict("period_end", f"统计截止日期不能晚于今天（{cn_date(today)}）")
    period_start = values.get("period_start")
    if period_start is not None and period_start > period_end:
        # Against the period_end sent: two fields of one request (422); against today (none sent): 409.
        refusal = Refused if values.get("period_end") else Conflict
        raise refusal("period_start", "统计起始日期不能晚于截止日期")
    corrects = None
    if values.get("corrects_id") is not None:
        corrects = visible(Bulletin, values["corrects_id"])
        if corrects is None or corrects.jurisdiction_id != jurisdiction.id:
            raise NotVisible("corrects_id", "要更正的通报不存在")
        if not corrects.issued:
            raise Conflict("corrects_id", "只能更正已印发的通报；草稿可直接修改")
    sections = generate(jurisdiction, plan_for(jurisdiction), period_end)
    behind = sections[0].get("behind", []) if sections else []
    title = (values.get("title") or "").strip() or (
        f"关于{corrects.title}的更正通报"
        if corrects
        else f"关于截至{cn_date(period_end)}清欠工作进展情况的通报"
    )
    intro = values.get("intro")
    if intro is None:
        intro = default_intro(jurisdiction, period_end, behind)
        if corrects:
            intro = (
                f"我办{cn_date(corrects.issued_on)}印发的《{corrects.title}》（{corrects.doc_no}）"
                f"有误，现更正如下，原通报作废。" + intro
            )
    bulletin = Bulletin(
        jurisdiction_id=jurisdiction.id,
        status=BulletinStatus.DRAFT,
        title=title[:200],
        period_start=period_start,
        period_end=period_end,
        intro=intro,
        closing=DEFAULT_CLOSING if values.get("closing") is None else values["closing"],
        cc=values.get("cc") if values.get("cc") is not None else str(settings(jurisdiction).get("cc") or ""),
        sections=sections,
        recipient_ids=check_recipients(jurisdiction, values.get("recipient_ids")),
        generated_at=clock.utcnow(),
        issuer=issuer(jurisdiction),
        corrects_id=corrects.id if corrects else None,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(bulletin)
    db.session.flush()
    history.record(
        bulletin,
        "drafted",
        after={
            "title": bulletin.title,
            "period_end": period_end.isoformat(),
            "corrects": bulletin.corrects_id,
        },
        actor=actor,
    )
    return bulletin


def _draft_only(bulletin: Bulletin) -> None:
    if bulletin.issued:
        raise Conflict("status", f"通报已印发（{bulletin.doc_no}），不能修改；如需更正请印发更正通报")


EDITABLE = ("title", "intro", "closing", "cc", "period_start")


def update(bulletin: Bulletin, *, actor, values: dict) -> Bulletin:
    """Edit a draft's narrative, recipients, or regenerate its tables from live data."""
    _draft_only(bulletin)
    jurisdiction = db.session.get(TenantNode, bulletin.jurisdiction_id)
    before = history.snapshot(bulletin)
    for key in EDITABLE:
        if key in values and values[key] is not None:
            setattr(bulletin, key, values[key].strip() if isinstance(values[key], str) else values[key])
    if not bulletin.title:
        raise Refused("title", "标题不能为空")
    if "recipient_ids" in values and values["recipient_ids"] is not None:
        bulletin.recipient_ids = check_recipients(jurisdiction, values["recipient_ids"])
    if values.get("period_end") is not None:
        today = clock.today(jurisdiction)
        if values["period_end"] > today:
            raise Conflict("period_end", f"统计截止日期不能晚于今天（{cn_date(today)}）")
        bulletin.period_end = values["period_end"]
    if values.get("regenerate") or values.get("period_end") is not None:
        bulletin.sections = generate(jurisdiction, plan_for(jurisdiction), bulletin.period_end)
        bulletin.generated_at = clock.utcnow()
    db.session.flush()
    changed_before, changed_after = history.diff(
        {k: v for k, v in before.items() if k != "sections"},
        {k: v for k, v in history.snapshot(bulletin).items() if k != "sections"},
    )
    history.record(
        bulletin,
        "regenerated" if values.get("regenerate") else "edited",
        before=changed_before,
        after=changed_after,
        actor=actor,
    )
    return bulletin


def next_seq(jurisdiction_id: int, year: int) -> int:
    last = db.session.scalar(
        db.select(db.func.max(Bulletin.seq)).where(
            Bulletin.jurisdiction_id == jurisdiction_id, Bulletin.year == year
        )
    )
    return int(last or 0) + 1


def issue(bulletin: Bulletin, *, actor) -> Bulletin:
    """Number the draft (next of the year), freeze it and send it to its units."""
    _draft_only(bulletin)
    jurisdiction = db.session.get(TenantNode, bulletin.jurisdiction_id)
    if not bulletin.recipient_ids:
        raise Refused("recipient_ids", "请选择通报的发送单位")
    today = clock.today(jurisdiction)
    bulletin.year = today.year
    bulletin.seq = next_seq(jurisdiction.id, today.year)
    bulletin.doc_no = doc_no(jurisdiction, bulletin.year, bulletin.seq)
    bulletin.issued_on = today
    bulletin.issued_at = clock.utcnow()
    bulletin.issued_by_id = getattr(actor, "id", None)
    bulletin.status = BulletinStatus.ISSUED
    units = {
        n.id: n
        for n in db.session.scalars(db.select(TenantNode).where(TenantNode.id.in_(bulletin.recipient_ids)))
    }
    for unit_id in bulletin.recipient_ids:
        db.session.add(
            BulletinRecipient(
                jurisdiction_id=jurisdiction.id,
                unit_id=unit_id,
                bulletin_id=bulletin.id,
                unit_name=units[unit_id].name,
            )
        )
    db.session.flush()
    history.record(
        bulletin,
        "issued",
        after={"doc_no": bulletin.doc_no, "issued_on": today.isoformat(), "recipients": len(units)},
        actor=actor,
    )
    return bulletin


def recipients(bulletin: Bulletin) -> list[BulletinRecipient]:
    return list(
        db.session.scalars(
            db.select(BulletinRecipient)
            .where(BulletinRecipient.bulletin_id == bulletin.id)
            .order_by(BulletinRecipient.id)
        )
    )


def acknowledge(bulletin: Bulletin, *, actor, unit_ids) -> list[BulletinRecipient]:
    """Mark the bulletin read (已阅) for the actor's units it was sent to; reading twice changes nothing."""
    rows = [r for r in recipients(bulletin) if unit_ids is None or r.unit_id in unit_ids]
    if not rows:
        raise Refused("bulletin", "本通报未发送给您所在的单位")
    done = []
    for row in rows:
        if row.read_at is None:
            row.read_at = clock.utcnow()
            row.read_by_id = getattr(actor, "id", None)
            row.read_by_name = getattr(actor, "label", None) or getattr(actor, "display_name", None)
            done.append(row)
            history.record(
                bulletin, "acknowledged", unit_id=row.unit_id, after={"unit": row.unit_name}, actor=actor
            )
    db.session.flush()
    return rows


def corrected_by(bulletin: Bulletin) -> list[Bulletin]:
    return list(
        db.session.scalars(
            db.select(Bulletin).where(Bulletin.corrects_id == bulletin.id).order_by(Bulletin.id)
        )
    )
