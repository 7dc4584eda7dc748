"""Triage, duplicates, transfer, deadlines, outcome, links to core debts, the board, the reminder job."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from core import clock, workdays
from core.extensions import db
from core.models.debt import Debt, Source
from core.models.notification import NotificationLevel
from core.rules.status import DebtStatus
from core.rules.validation import Refused
from core.services import debts as debt_service
from core.tenancy.models import TenantNode
from core.tenancy.names import name_key, save_alias
from core.tenancy.plans import plan_for
from core.web.templating import cn_date
from plugins.complaints import notify, plan_keys
from plugins.complaints.intake import matching
from plugins.complaints.intake.service import record_step
from plugins.complaints.models import (
    CATEGORY_REASONS,
    OPEN,
    OUT_OF_SCOPE_REASONS,
    ROUTE_LABELS,
    TRIAGE_CATEGORIES,
    Complaint,
    ComplaintAttachment,
    ComplaintDebtLink,
    ComplaintStep,
    Outcome,
    Status,
)

REMINDER_DAYS = (3, 1)
DUPLICATE_TOLERANCE = Decimal("0.10")


class CaseRefused(Refused):
    """A step that does not fit the case's state or input: ``errors`` maps fields to Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("case step refused")
        self.errors = errors

    def field_errors(self) -> dict[str, list[str]]:
        return self.errors


def _refuse(field: str, message: str) -> CaseRefused:
    return CaseRefused({field: [message]})


def _require_status(complaint: Complaint, *allowed: Status) -> None:
    if complaint.status not in allowed:
        raise _refuse("status", f"案件当前状态为“{complaint.status_label}”，不能执行此操作")


def rules_of(complaint_or_node) -> dict:
    node = db.session.get(TenantNode, complaint_or_node.jurisdiction_id)
    return plan_for(node).get("rules") or {}


def _bump(complaint: Complaint) -> None:
    complaint.version += 1


# --- Notices ------------------------------------------------------------------------------------------


def notify_received(jurisdiction_id: int, tracking_code: str) -> None:
    complaint = db.session.scalar(
        db.select(Complaint).where(
            Complaint.tracking_code == tracking_code, Complaint.jurisdiction_id == jurisdiction_id
        )
    )
    if complaint is None:
        return
    notify.send(
        notify.Notice(
            jurisdiction_id=jurisdiction_id,
            unit_id=jurisdiction_id,
            key=f"complaint:{complaint.id}:received",
            title=f"收到新的投诉线索（{complaint.channel_label}）",
            body=(
                f"被投诉单位：{complaint.debtor_text}；"
                f"请在 {cn_date(complaint.transfer_due)} 前完成核查转办。"
            ),
            link=f"/complaints/{complaint.id}",
        )
    )


# --- Triage and duplicates ------------------------------------------------------------------------------


def likely_duplicates(complaint: Complaint) -> list[Complaint]:
    """Other cases of the same creditor against the same debtor with an amount within ±10% (any amount
    when this one's is not known yet)."""
    stmt = db.select(Complaint).where(
        Complaint.jurisdiction_id == complaint.jurisdiction_id,
        Complaint.creditor_code == complaint.creditor_code,
        Complaint.id != complaint.id,
    )
    if complaint.amount is not None:
        stmt = stmt.where(
            Complaint.amount >= complaint.amount * (1 - DUPLICATE_TOLERANCE),
            Complaint.amount <= complaint.amount * (1 + DUPLICATE_TOLERANCE),
        )
    rows = db.session.scalars(stmt)
    debtor = matching.normalize(complaint.debtor_text)
    return [
        row
        for row in rows
        if (complaint.debtor_unit_id and row.debtor_unit_id == complaint.debtor_unit_id)
        or matching.normalize(row.debtor_text) == debtor
    ]


def triage(
    complaint: Complaint,
    *,
    in_scope: bool,
    reason: str | None = None,
    note: str | None = None,
    debtor_unit: TenantNode | None = None,
    actor=None,
) -> Complaint:
    _require_status(complaint, Status.RECEIVED)
    if debtor_unit is not None:
        confirm_debtor(complaint, debtor_unit, actor=actor)
    complaint.triage_note = note or None
    if complaint.triage_category is None:
        complaint.triage_category = "accept" if in_scope else _category_of_reason(reason)
    if in_scope:
        if complaint.amount is None:
            raise _refuse("amount", "欠款金额还没有填写，请先请投诉人补充（待补充材料），再受理")
        complaint.status = Status.ACCEPTED
        record_step(complaint, "accepted", "核查后受理", actor=actor, note=note)
    else:
        if reason not in OUT_OF_SCOPE_REASONS:
            raise _refuse("reason", "请选择不予受理的理由")
        complaint.status = Status.OUT_OF_SCOPE
        complaint.out_of_scope_reason = reason
        complaint.result_text = f"经核查，您的投诉不属于受理范围：{OUT_OF_SCOPE_REASONS[reason]}。" + (
            f"{note}" if note else ""
        )
        complaint.answered_on = complaint.closed_on = clock.today()
        record_step(
            complaint, "out_of_scope", f"不予受理：{OUT_OF_SCOPE_REASONS[reason]}", actor=actor, note=note
        )
    _bump(complaint)
    db.session.flush()
    return complaint


def _category_of_reason(reason: str | None) -> str | None:
    return next((cat for cat, r in CATEGORY_REASONS.items() if r == reason), reason)


def confirm_debtor(complaint: Complaint, unit: TenantNode, *, actor=None) -> None:
    """The office names the debtor; a name written differently is remembered as an alias of that unit, so
    the next complaint (or ledger row) that writes it the same way is matched."""
    if unit.jurisdiction_id != complaint.jurisdiction_id or unit.id == complaint.jurisdiction_id:
        raise _refuse("debtor_unit_id", "欠款单位应为本辖区内的具体单位，不能是辖区本身")
    if unit.halted:
        raise _refuse("debtor_unit_id", f"{unit.name}为停产企业，不属于清欠范围")
    corrected = complaint.debtor_unit_id != unit.id
    complaint.debtor_unit_id = unit.id
    complaint.debtor_score = 1.0
    if name_key(complaint.debtor_text) != name_key(unit.name):
        save_alias(unit, complaint.debtor_text, actor=actor)
    label = f"{'更正' if corrected else '确认'}欠款单位为{unit.name}"
    record_step(
        complaint, "debtor_confirmed", label, actor=actor, note=f"投诉人填写：{complaint.debtor_text}"
    )


def decide(
    complaint: Complaint,
    *,
    category: str | None = None,
    override_reason: str | None = None,
    note: str | None = None,
    debtor_unit: TenantNode | None = None,
    info_request: str | None = None,
    actor=None,
) -> Complaint:
    """The office's triage: the suggestion as it stands (``category`` None, one click), or another category
    with the reason for overriding it. Both are kept, so the suggestion's hit rate can be measured."""
    _require_status(complaint, Status.RECEIVED)
    suggested = complaint.suggested_category
    category = category or suggested
    if category not in TRIAGE_CATEGORIES:
        raise _refuse("category", "请选择核查结论")
    override_reason = (override_reason or "").strip() or None
    if suggested and category != suggested and not override_reason:
        raise _refuse("override_reason", f"不采纳系统建议（{TRIAGE_CATEGORIES[suggested]}）时，请说明理由")
    complaint.triage_category = category
    complaint.triage_override_reason = override_reason if category != suggested else None
    if category == "needs_info":
        if debtor_unit is not None:
            confirm_debtor(complaint, debtor_unit, actor=actor)
        text = (
            (info_request or "").strip() or "；".join(complaint.suggested_reasons or []) or "请补充欠款详情"
        )
        return request_info(complaint, text, actor=actor)
    if category == "accept":
        return triage(
            complaint, in_scope=True, note=note or override_reason, debtor_unit=debtor_unit, actor=actor
        )
    return triage(
        complaint,
        in_scope=False,
        reason=CATEGORY_REASONS[category],
        note=note,
        debtor_unit=debtor_unit,
        actor=actor,
    )


def request_info(complaint: Complaint, text: str, *, actor=None) -> Complaint:
    """待补充材料: the complainant reads what is missing on the tracking page; the transfer clock stops."""
    _require_status(complaint, Status.RECEIVED)
    text = (text or "").strip()
    if not text:
        raise _refuse("info_request", "请写明需要投诉人补充什么")
    complaint.status = Status.NEEDS_INFO
    complaint.info_request = text[:2000]
    complaint.info_requested_on = clock.today()
    complaint.info_reply = complaint.info_replied_on = None
    complaint.result_text = f"请补充以下信息后我们继续办理：{complaint.info_request}"
    record_step(complaint, "needs_info", "请投诉人补充材料", actor=actor, note=complaint.info_request)
    _bump(complaint)
    db.session.flush()
    return complaint


def supply_info(complaint: Complaint, reply: str, *, amount=None, debtor: str | None = None) -> Complaint:
    """The complainant's answer (tracking page): the case is back with the office and the transfer deadline
    counts again from today, through the same working-day rule as on receipt."""
    from plugins.complaints.intake import service as intake

    _require_status(complaint, Status.NEEDS_INFO)
    reply = (reply or "").strip()
    errors: dict[str, list[str]] = {}
    if not reply and amount in (None, "") and not (debtor or "").strip():
        errors["reply"] = ["请填写补充说明"]
    if len(reply) > 5000:
        errors["reply"] = ["补充说明不能超过5000个字"]
    written = intake.parse_amount(amount) if amount not in (None, "") else None
    if written is not None and written.problem:
        errors["amount"] = [written.problem]
    if debtor is not None and len(debtor.strip()) > 200:
        errors["debtor"] = ["被投诉单位不能超过200个字"]
    if errors:
        raise CaseRefused(errors)
    if written is not None and written.value is not None:
        complaint.amount, complaint.amount_approximate = written.value, written.approximate
        complaint.amount_text = str(amount).strip()[:60]
    if (debtor or "").strip():
        complaint.debtor_text = debtor.strip()
    day = clock.today()
    complaint.info_reply = reply or None
    complaint.info_replied_on = day
    complaint.status = Status.RECEIVED
    complaint.result_text = None
    complaint.transfer_due = workdays.add_working_days(
        day, int(rules_of(complaint).get("complaint_transfer_working_days", plan_keys.TRANSFER_WORKING_DAYS))
    )
    intake.apply_suggestion(complaint)
    record_step(complaint, "info_supplied", "投诉人已补充材料，核查期限重新计算", note=reply or None)
    _bump(complaint)
    db.session.flush()
    notify.send(
        notify.Notice(
            jurisdiction_id=complaint.jurisdiction_id,
            unit_id=complaint.jurisdiction_id,
            key=f"complaint:{complaint.id}:info:{complaint.version}",
            title="投诉人已补充材料",
            body=(
                f"投诉件 {complaint.tracking_code} 已补充材料，"
                f"请在 {cn_date(complaint.transfer_due)} 前完成核查转办。"
            ),
            link=f"/complaints/{complaint.id}",
        )
    )
    return complaint


def hit_rate(rows: list[Complaint]) -> dict[str, Any]:
    """How often the office decided as the product suggested (cases decided after a suggestion)."""
    decided = [c for c in rows if c.suggested_category and c.triage_category]
    hits = sum(1 for c in decided if c.triage_category == c.suggested_category)
    return {"decided": len(decided), "hits": hits, "rate": round(hits / len(decided), 3) if decided else None}


# --- Transfer and deadlines ---------------------------------------------------------------------------


def transfer(complaint: Complaint, unit: TenantNode, *, actor=None, note: str | None = None) -> Complaint:
    """Hand the case to the responsible unit; it (and its subtree) sees the case from now on."""
    _require_status(complaint, Status.ACCEPTED)
    if (
        unit.jurisdiction_id != complaint.jurisdiction_id
        or unit.id == complaint.jurisdiction_id
        or not unit.active
    ):
        raise _refuse("unit_id", "请选择本辖区内的承办单位")
    day = clock.today()
    rules = rules_of(complaint)
    complaint.unit_id = unit.id
    complaint.status = Status.TRANSFERRED
    complaint.transferred_on = day
    complaint.result_due = day + dt.timedelta(
        days=int(rules.get("complaint_result_days", plan_keys.RESULT_DAYS))
    )
    for model in (ComplaintStep, ComplaintAttachment):
        db.session.execute(
            db.update(model).where(model.complaint_id == complaint.id).values(unit_id=unit.id),
            execution_options={"synchronize_session": "fetch"},
        )
    record_step(complaint, "transferred", f"转办至{unit.name}", actor=actor, note=note)
    _bump(complaint)
    db.session.flush()
    notify.send(
        notify.Notice(
            jurisdiction_id=complaint.jurisdiction_id,
            unit_id=unit.id,
            key=f"complaint:{complaint.id}:transferred:{unit.id}",
            title="收到转办的投诉线索",
            body=(
                f"投诉件 {complaint.tracking_code} 已转你单位办理，"
                f"请于 {cn_date(complaint.result_due)} 前反馈处理结果。"
            ),
            link=f"/complaints/{complaint.id}",
            level=NotificationLevel.WARNING,
        )
    )
    return complaint


def extend(complaint: Complaint, new_due: dt.date, reason: str, *, actor=None) -> Complaint:
    _require_status(complaint, Status.TRANSFERRED)
    if complaint.extended_reason:
        raise _refuse("result_due", "办理期限只能延长一次")
    if not (reason or "").strip():
        raise _refuse("reason", "延期须说明理由")
    limit = complaint.transferred_on + dt.timedelta(
        days=int(rules_of(complaint).get("complaint_max_days", plan_keys.MAX_DAYS))
    )
    if new_due <= complaint.result_due:
        raise _refuse("result_due", "延长后的期限应晚于原期限")
    if new_due > limit:
        raise _refuse("result_due", f"延长后的期限最晚为 {cn_date(limit)}")
    old = complaint.result_due
    complaint.result_due = new_due
    complaint.extended_reason = reason.strip()
    record_step(
        complaint,
        "extended",
        f"办理期限由{cn_date(old)}延长至{cn_date(new_due)}",
        actor=actor,
        note=reason,
    )
    _bump(complaint)
    db.session.flush()
    return complaint


def deadline_of(complaint: Complaint) -> dt.date | None:
    if complaint.status in (Status.RECEIVED, Status.ACCEPTED):
        return complaint.transfer_due
    if complaint.status == Status.TRANSFERRED:
        return complaint.result_due
    return None


def is_overdue(complaint: Complaint, day: dt.date | None = None) -> bool:
    due = deadline_of(complaint)
    return due is not None and (day or clock.today()) > due


def check_deadlines(jurisdiction_id: int, day: dt.date) -> dict[str, int]:
    """Remind the responsible unit before a deadline; escalate to the office once it has passed.

    Idempotent: every notice has a key (case, deadline, date or days left), sent once per unit.
    """
    reminded = escalated = 0
    rows = db.session.scalars(
        db.select(Complaint).where(
            Complaint.jurisdiction_id == jurisdiction_id,
            Complaint.status.in_([Status.RECEIVED, Status.ACCEPTED, Status.TRANSFERRED]),
        )
    )
    for complaint in rows:
        due = deadline_of(complaint)
        kind = "转办" if complaint.status != Status.TRANSFERRED else "反馈处理结果"
        left = (due - day).days
        if left in REMINDER_DAYS:
            reminded += notify.send(
                notify.Notice(
                    jurisdiction_id=jurisdiction_id,
                    unit_id=complaint.unit_id,
                    key=f"complaint:{complaint.id}:remind:{due.isoformat()}:{left}",
                    title=f"投诉件{kind}期限还有 {left} 天",
                    body=f"投诉件 {complaint.tracking_code} 须在 {cn_date(due)} 前{kind}。",
                    link=f"/complaints/{complaint.id}",
                    level=NotificationLevel.WARNING if left > 1 else NotificationLevel.URGENT,
                )
            )
        elif left < 0:
            sent = notify.send(
                notify.Notice(
                    jurisdiction_id=jurisdiction_id,
                    unit_id=jurisdiction_id,
                    key=f"complaint:{complaint.id}:overdue:{due.isoformat()}",
                    title=f"投诉件{kind}已逾期",
                    body=f"投诉件 {complaint.tracking_code} 的{kind}期限 {cn_date(due)} 已过，请督办。",
                    link=f"/complaints/{complaint.id}",
                    level=NotificationLevel.URGENT,
                )
            )
            if sent:
                escalated += 1
                record_step(complaint, "escalated", f"{kind}逾期，已提请清欠办督办")
    db.session.flush()
    return {"reminded": int(reminded), "escalated": escalated}


# --- Outcome, debts, payments -----------------------------------------------------------------------


def linked_debts(complaint: Complaint) -> list[Debt]:
    ids = db.select(ComplaintDebtLink.debt_id).where(ComplaintDebtLink.complaint_id == complaint.id)
    return list(db.session.scalars(db.select(Debt).where(Debt.id.in_(ids))).unique())


def complaints_of_debt(debt: Debt) -> list[Complaint]:
    ids = db.select(ComplaintDebtLink.complaint_id).where(ComplaintDebtLink.debt_id == debt.id)
    return list(db.session.scalars(db.select(Complaint).where(Complaint.id.in_(ids))))


def _to_debt(complaint: Complaint, unit: TenantNode, status: str, actor) -> Debt:
    creditor, _ = debt_service.register_enterprise(
        unit,
        {
            "name": complaint.creditor_name,
            "credit_code": complaint.creditor_code,
            "size_class": complaint.creditor_size,
        },
        actor=actor,
    )
    disputed = status == DebtStatus.DISPUTED
    debt, _warnings = debt_service.create_debt(
        unit,
        {
            "project_name": complaint.contract_name or f"投诉件{complaint.tracking_code}所涉款项",
            "contract_no": complaint.contract_no,
            "category": complaint.category,
            "amount_owed": complaint.amount,
            "undisputed_amount": Decimal("0") if disputed else complaint.amount,
            "disputed_amount": complaint.amount if disputed else Decimal("0"),
            "agreed_payment_date": complaint.payment_deadline,
            "migrant_wages": complaint.migrant_wages,
            "migrant_wage_amount": complaint.migrant_wage_amount or Decimal("0"),
            "source": Source.COMPLAINT,
            "status": status,
            "remarks": f"由投诉件 {complaint.tracking_code} 转入台账",
        },
        creditor,
        actor=actor,
    )
    db.session.add(
        ComplaintDebtLink(
            jurisdiction_id=complaint.jurisdiction_id,
            unit_id=unit.id,
            complaint_id=complaint.id,
            debt_id=debt.id,
        )
    )
    db.session.flush()
    return debt


def record_outcome(
    complaint: Complaint,
    *,
    outcome: str,
    detail: str,
    route: str | None = None,
    payment_deadline: dt.date | None = None,
    actor=None,
) -> Complaint:
    """The unit's verified result; it goes to the complainant (status lookup) and to the office.

    Undisputed and disputed results are not settled yet: each becomes a core debt (source "complaint") and
    the case stays open (tracking) until that debt is cleared. A rejection closes the case.
    """
    _require_status(complaint, Status.TRANSFERRED)
    detail = (detail or "").strip()
    if outcome not in set(Outcome):
        raise _refuse("outcome", "请选择核查结果")
    if not detail:
        raise _refuse("detail", "请填写核查情况说明")
    unit = db.session.get(TenantNode, complaint.unit_id)
    complaint.outcome = outcome
    complaint.outcome_detail = detail
    day = clock.today()
    complaint.answered_on = day
    if outcome == Outcome.UNDISPUTED:
        if payment_deadline is None:
            raise _refuse("payment_deadline", "无争议账款须明确付款期限")
        if payment_deadline < day:
            raise _refuse("payment_deadline", "付款期限不能早于今天")
        complaint.payment_deadline = payment_deadline
        complaint.result_text = (
            f"经核实，该笔账款无争议，{unit.name}承诺于{cn_date(payment_deadline)}前付清。{detail}"
        )
        _to_debt(complaint, unit, DebtStatus.CONFIRMED, actor)
        complaint.status = Status.TRACKING
    elif outcome == Outcome.DISPUTED:
        if route not in ROUTE_LABELS:
            raise _refuse("route", "请选择争议解决途径（调解、协商或依法解决）")
        complaint.dispute_route = route
        complaint.result_text = f"经核实，该笔账款存在争议：{detail}。拟通过{ROUTE_LABELS[route]}推进解决。"
        _to_debt(complaint, unit, DebtStatus.DISPUTED, actor)
        complaint.status = Status.TRACKING
    else:
        complaint.result_text = f"经核实，投诉事项不予支持：{detail}"
        complaint.status = Status.CLOSED
        complaint.closed_on = day
    record_step(complaint, "answered", f"反馈核查结果：{complaint.outcome_label}", actor=actor, note=detail)
    _bump(complaint)
    db.session.flush()
    notify.send(
        notify.Notice(
            jurisdiction_id=complaint.jurisdiction_id,
            unit_id=complaint.jurisdiction_id,
            key=f"complaint:{complaint.id}:answered",
            title=f"投诉件已反馈：{complaint.outcome_label}",
            body=f"{unit.name}已反馈投诉件 {complaint.tracking_code} 的核查结果。",
            link=f"/complaints/{complaint.id}",
        )
    )
    return complaint


def record_payment(complaint: Complaint, amount: Decimal, paid_on: dt.date, *, actor=None) -> Complaint:
    """A payment on the case goes to its core debt, so the ledger and the case agree; clearing closes it."""
    _require_status(complaint, Status.TRACKING)
    debts = [d for d in linked_debts(complaint) if d.status != DebtStatus.CLEARED]
    if not debts:
        raise _refuse("amount", "该案件没有待清偿的台账欠款")
    debt = debts[0]
    if amount <= 0 or amount > debt.outstanding:
        raise _refuse("amount", f"付款金额应大于0且不超过未付金额 {debt.outstanding:.2f} 元")
    # The step first: clearing the debt fires the status hook, which closes the case right away.
    record_step(complaint, "paid", f"登记付款 {amount:,.2f} 元", actor=actor)
    try:
        debt_service.record_payment(debt, {"paid_on": paid_on, "amount": amount}, actor=actor)
    except Refused as exc:  # e.g. a payment dated after today: the case's refusal, with the core's reason
        raise CaseRefused(exc.field_errors()) from exc
    sync_with_debts(complaint, actor=actor)
    db.session.flush()
    return complaint


def sync_with_debts(complaint: Complaint, actor=None) -> None:
    """Close a tracked case once every linked debt is cleared (from the case or from the ledger)."""
    if complaint.status != Status.TRACKING:
        return
    debts = linked_debts(complaint)
    if debts and all(d.status == DebtStatus.CLEARED for d in debts):
        complaint.status = Status.CLOSED
        complaint.closed_on = clock.today()
        complaint.result_text = (
            complaint.result_text or ""
        ) + f" 该笔账款已于{cn_date(complaint.closed_on)}清偿完毕。"
        record_step(complaint, "closed", "台账欠款已清偿，案件办结", actor=actor)
        _bump(complaint)


def on_debt_status_changed(debt: Debt, new_status: str, actor=None) -> None:
    if new_status != DebtStatus.CLEARED:
        return
    for complaint in complaints_of_debt(debt):
        sync_with_debts(complaint, actor=actor)


# --- Board -------------------------------------------------------------------------------------------


def board(day: dt.date | None = None) -> dict[str, Any]:
    """Received / in progress / overdue / closed, average handling days, per unit; repeats highlighted."""
    day = day or clock.today()
    rows = list(db.session.scalars(db.select(Complaint)))
    names = dict(db.session.execute(db.select(TenantNode.id, TenantNode.name)).all())
    totals = {"received": len(rows), "in_progress": 0, "overdue": 0, "closed": 0}
    per_unit: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"received": 0, "in_progress": 0, "overdue": 0, "closed": 0, "_days": []}
    )
    by_debtor: dict[str, list[Complaint]] = defaultdict(list)
    closed_days = []
    for c in rows:
        unit = per_unit[c.unit_id]
        unit["received"] += 1
        if c.status in OPEN:
            totals["in_progress"] += 1
            unit["in_progress"] += 1
            if is_overdue(c, day):
                totals["overdue"] += 1
                unit["overdue"] += 1
        else:
            totals["closed"] += 1
            unit["closed"] += 1
            if c.closed_on:
                closed_days.append((c.closed_on - c.received_on).days)
                unit["_days"].append((c.closed_on - c.received_on).days)
        by_debtor[names.get(c.debtor_unit_id) or matching.normalize(c.debtor_text)].append(c)

    def avg(values: list[int]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    units = []
    for unit_id, data in per_unit.items():
        days = data.pop("_days")
        units.append({"unit_id": unit_id, "unit_name": names.get(unit_id, ""), **data, "avg_days": avg(days)})
    units.sort(key=lambda u: (-u["received"], u["unit_name"]))
    repeated = [
        {"debtor": debtor, "count": len(cases)}
        for debtor, cases in sorted(by_debtor.items(), key=lambda kv: -len(kv[1]))
        if len(cases) >= 2
    ]
    return {
        "totals": {**totals, "avg_days": avg(closed_days)},
        "units": units,
        "repeated": repeated,
        "triage_hit_rate": hit_rate(rows),
    }
