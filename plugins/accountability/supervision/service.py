"""Opening, reporting on, extending, closing and escalating supervision items. Every action is a step of
the item's append-only timeline and an event in core's history."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.notification import Notification, NotificationLevel
from core.plugins import model_of
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.accountability.bulletins.service import Conflict, NotVisible, Refused
from plugins.accountability.supervision import files
from plugins.accountability.supervision.models import (
    EVIDENCE_LABELS,
    Supervision,
    SupervisionStatus,
    SupervisionStep,
)

__all__ = ["Refused", "close", "escalate", "extend", "open_item", "report"]


def _actor_name(actor) -> str:
    return getattr(actor, "label", None) or "系统"


def step(item: Supervision, action: str, *, actor, note: str = "", **file) -> SupervisionStep:
    row = SupervisionStep(
        jurisdiction_id=item.jurisdiction_id,
        unit_id=item.unit_id,
        supervision_id=item.id,
        action=action,
        note=note,
        actor_id=getattr(actor, "id", None),
        actor_name=_actor_name(actor),
        at=clock.utcnow(),
        **file,
    )
    db.session.add(row)
    history.record(item, action, actor=actor, note=note or None)
    return row


def _unit(jurisdiction: TenantNode, unit_id: int) -> TenantNode:
    unit = visible(TenantNode, unit_id)
    if unit is None or unit.jurisdiction_id != jurisdiction.id or unit.id == jurisdiction.id:
        raise NotVisible("unit_id", "督办单位不存在或不属于本辖区")
    return unit


def _in_subtree(unit: TenantNode, unit_id: int | None) -> bool:
    node = db.session.get(TenantNode, unit_id) if unit_id is not None else None
    return node is not None and node.path.startswith(unit.path)


def _subject_label(unit: TenantNode, kind: str, subject_id: int | None) -> str:
    if kind == "unit":
        return unit.name
    if subject_id is None:
        raise Refused("subject_id", "请指定督办的欠款或投诉")
    if kind == "debt":
        debt = visible(Debt, subject_id)
        if debt is None or not _in_subtree(unit, debt.unit_id):
            raise NotVisible("subject_id", "该欠款不存在或不属于督办单位")
        return f"欠款 {debt.contract_no or debt.id}（{debt.project_name or ''}）"
    complaint_model = model_of("complaints")
    complaint = visible(complaint_model, subject_id) if complaint_model else None
    if complaint is None or not _in_subtree(unit, complaint.unit_id):
        raise NotVisible("subject_id", "该投诉不存在或不属于督办单位")
    return f"投诉 {complaint.tracking_code}"


def open_item(jurisdiction: TenantNode, *, actor, values: dict) -> Supervision:
    today = clock.today(jurisdiction)
    unit = _unit(jurisdiction, values["unit_id"])
    if values["deadline"] <= today:
        raise Conflict("deadline", f"办结期限须晚于今天（{cn_date(today)}）")
    key = values.get("proposal_key")
    if key and db.session.scalar(
        db.select(Supervision.id).where(Supervision.proposal_key == key, Supervision.status == "open")
    ):
        raise Conflict("proposal_key", "该事项已在督办中")
    item = Supervision(
        jurisdiction_id=jurisdiction.id,
        unit_id=unit.id,
        subject_kind=values["subject_kind"],
        subject_id=values.get("subject_id"),
        subject_label=values.get("subject_label")
        or _subject_label(unit, values["subject_kind"], values.get("subject_id")),
        reason=values["reason"].strip(),
        required_actions=values["required_actions"].strip(),
        deadline=values["deadline"],
        original_deadline=values["deadline"],
        status=SupervisionStatus.OPEN,
        proposal_key=key,
        opened_on=today,
        created_by_id=getattr(actor, "id", None),
    )
    if values["subject_kind"] != "unit" and values.get("subject_label"):
        _subject_label(unit, values["subject_kind"], values.get("subject_id"))  # still checked
    db.session.add(item)
    db.session.flush()
    step(
        item,
        "opened",
        actor=actor,
        note=f"{item.reason}；要求：{item.required_actions}；期限{cn_date(item.deadline)}",
    )
    db.session.add(
        Notification(
            jurisdiction_id=jurisdiction.id,
            unit_id=unit.id,
            key=f"supervision:{item.id}:opened",
            title=f"挂牌督办：{item.subject_label}",
            body=f"{item.reason}。请于{cn_date(item.deadline)}前办结：{item.required_actions}",
            link=f"/accountability/supervisions/{item.id}",
            level=NotificationLevel.WARNING,
        )
    )
    return item


def _open_only(item: Supervision) -> None:
    if item.status != SupervisionStatus.OPEN:
        raise Conflict("status", "督办事项已办结")


def report(
    item: Supervision, *, actor, note: str, upload: tuple[str, bytes] | None = None
) -> SupervisionStep:
    """The unit reports progress, optionally with one attachment."""
    _open_only(item)
    if not (note or "").strip():
        raise Refused("note", "请填写进展情况")
    extra: dict = {}
    if upload is not None:
        name, data = upload
        try:
            path, mime = files.store(item.jurisdiction_id, data)
        except files.BadFile as exc:
            raise Refused("file", str(exc)) from exc
        extra = {
            "file_name": (name or "附件")[:200],
            "file_path": path,
            "file_mime": mime,
            "file_size": len(data),
        }
    row = step(item, "progress", actor=actor, note=note.strip(), **extra)
    db.session.flush()
    return row


def extend(item: Supervision, *, actor, deadline: dt.date, reason: str) -> Supervision:
    _open_only(item)
    if not (reason or "").strip():
        raise Refused("reason", "延期须说明理由")
    if deadline <= item.deadline:
        raise Refused("deadline", f"新的期限须晚于原期限（{cn_date(item.deadline)}）")
    before = item.deadline
    item.deadline = deadline
    step(
        item,
        "extended",
        actor=actor,
        note=f"期限由{cn_date(before)}延至{cn_date(deadline)}：{reason.strip()}",
    )
    db.session.flush()
    return item


def _evidence(item: Supervision, kind: str, evidence_id: int) -> str:
    """Check the evidence exists, belongs to the supervised unit (and subject), and proves progress."""
    unit = db.session.get(TenantNode, item.unit_id)
    if kind == "payment":
        payment = visible(Payment, evidence_id)
        if payment is None or payment.reversed_at is not None or not _in_subtree(unit, payment.unit_id):
            raise NotVisible("evidence_id", "付款记录不存在、已冲销或不属于督办单位")
        if item.subject_kind == "debt" and payment.debt_id != item.subject_id:
            raise Refused("evidence_id", "付款记录不是督办欠款的付款")
        return f"付款 {payment.amount:,.2f} 元（{cn_date(payment.paid_on)}）"
    if kind == "agreement":
        model = model_of("agreements_agreements")
        agreement = visible(model, evidence_id) if model else None
        if agreement is None or agreement.status == "draft" or not _in_subtree(unit, agreement.unit_id):
            raise NotVisible("evidence_id", "还款协议不存在、未签署或不属于督办单位")
        if item.subject_kind == "debt" and agreement.debt_id != item.subject_id:
            raise Refused("evidence_id", "还款协议不是督办欠款的协议")
        return f"还款协议（{cn_date(agreement.signed_on)}签署）"
    model = model_of("complaints")
    complaint = visible(model, evidence_id) if model else None
    if complaint is None or not _in_subtree(unit, complaint.unit_id):
        raise NotVisible("evidence_id", "投诉不存在或不属于督办单位")
    if not complaint.outcome and complaint.status != "closed":
        raise Conflict("evidence_id", "该投诉尚无办理结果")
    if item.subject_kind == "complaint" and complaint.id != item.subject_id:
        raise Refused("evidence_id", "不是督办的投诉")
    return f"投诉 {complaint.tracking_code} 办理结果"


def close(item: Supervision, *, actor, kind: str, evidence_id: int, note: str) -> Supervision:
    """Close only with evidence: a payment recorded, an agreement signed or a complaint's result."""
    _open_only(item)
    if not (note or "").strip():
        raise Refused("note", "请填写办结说明")
    proof = _evidence(item, kind, evidence_id)
    item.status = SupervisionStatus.CLOSED
    item.closed_on = clock.today(db.session.get(TenantNode, item.jurisdiction_id))
    item.evidence_kind = kind
    item.evidence_id = evidence_id
    item.evidence_note = note.strip()
    step(item, "closed", actor=actor, note=f"{EVIDENCE_LABELS[kind]}：{proof}；{note.strip()}")
    db.session.flush()
    return item


def escalate(jurisdiction: TenantNode, today: dt.date) -> int:
    """Open items past their deadline: tell the leaders and the unit, once per deadline."""
    overdue = db.session.scalars(
        db.select(Supervision).where(
            Supervision.jurisdiction_id == jurisdiction.id,
            Supervision.status == SupervisionStatus.OPEN,
            Supervision.deadline < today,
        )
    ).all()
    count = 0
    for item in overdue:
        if item.escalated_for == item.deadline:
            continue
        days = (today - item.deadline).days
        title = f"挂牌督办逾期{days}天未办结：{item.subject_label}"
        body = f"办结期限{cn_date(item.deadline)}；督办原因：{item.reason}"
        for unit_id, suffix in ((jurisdiction.id, "leader"), (item.unit_id, "unit")):
            db.session.add(
                Notification(
                    jurisdiction_id=jurisdiction.id,
                    unit_id=unit_id,
                    key=f"supervision:{item.id}:overdue:{item.deadline.isoformat()}:{suffix}",
                    title=title,
                    body=body,
                    link=f"/accountability/supervisions/{item.id}",
                    level=NotificationLevel.URGENT,
                )
            )
        item.escalated_for = item.deadline
        step(item, "escalated", actor=None, note=f"逾期{days}天，已提醒领导和督办单位")
        count += 1
    db.session.flush()
    return count
