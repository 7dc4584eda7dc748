"""Write paths of a confirmation request: filing (public or office), the debtor's answer, the daily clock."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
from decimal import Decimal
from typing import Any

from core import clock, uploads
from core.extensions import db
from core.models.notification import Notification, NotificationLevel
from core.plugins import flatten, get_pm
from core.rules import amounts, credit_code
from core.tenancy import service as tenancy
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from core.tenancy.scope import Scope, scope_context
from core.web.templating import cn_date
from plugins.finance.confirmations import ledger, rules
from plugins.finance.confirmations.models import Channel, Confirmation, ConfirmationStep, Status

PLUGIN = "finance"
log = logging.getLogger("qingqian.finance")

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
CODE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
_PHONE = re.compile(r"^[0-9+\-\s()]{7,20}$")
ANSWERED = (Status.CONFIRMED, Status.PARTIAL, Status.DISPUTED)


class Refused(ValueError):
    """Input refused: ``errors`` maps fields to Chinese reasons."""

    def __init__(self, errors: dict[str, list[str]], status: int = 422) -> None:
        super().__init__("refused")
        self.errors = errors
        self.status = status


def public_jurisdiction(code: str) -> TenantNode | None:
    return tenancy.public_jurisdiction(code, PLUGIN)


def debtor_units(jurisdiction_id: int) -> list[TenantNode]:
    """The units an SME may ask (every active unit of the jurisdiction but the office's root), by name."""
    return list(
        db.session.scalars(
            db.select(TenantNode)
            .where(
                TenantNode.jurisdiction_id == jurisdiction_id,
                TenantNode.active.is_(True),
                TenantNode.id != jurisdiction_id,
            )
            .order_by(TenantNode.name)
        )
    )


# --- Filing -------------------------------------------------------------------------------------------


def _text(data: dict, name: str, errors: dict, label: str, max_len: int, required: bool = True) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.setdefault(name, []).append(f"请填写{label}")
    elif len(value) > max_len:
        errors.setdefault(name, []).append(f"{label}不能超过{max_len}个字")
    return value


def _exact_amount(raw: Any, field: str, errors: dict, label: str, required: bool = True) -> Decimal | None:
    """An amount as people write it (“12.5万”), but exact: a confirmation is never of an estimate."""
    if isinstance(raw, float):
        errors.setdefault(field, []).append("金额请用字符串填写，不接受浮点数")
        return None
    written = amounts.parse_written(raw)
    if written.problem:
        errors.setdefault(field, []).append(written.problem)
    elif written.value is None:
        if required:
            errors.setdefault(field, []).append(f"请填写{label}")
    elif written.approximate:
        errors.setdefault(field, []).append(f"{label}须为确切金额，不能是约数")
    elif written.value <= 0:
        errors.setdefault(field, []).append(f"{label}应大于零")
    else:
        return written.value.quantize(Decimal("0.01"))
    return None


def clean_request(data: dict, jurisdiction: TenantNode) -> dict:
    """Check a request's fields; raise ``Refused`` naming every bad field (nothing is written)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "creditor_name": _text(data, "creditor_name", errors, "企业名称", 200),
        "contact_name": _text(data, "contact_name", errors, "联系人", 100),
        "contact_phone": _text(data, "contact_phone", errors, "联系电话", 30),
        "contract_no": _text(data, "contract_no", errors, "合同编号", 120),
        "contract_name": _text(data, "contract_name", errors, "合同名称", 300, required=False) or None,
        "invoice_numbers": _text(data, "invoice_numbers", errors, "发票号码", 2000, required=False) or None,
        "note": _text(data, "note", errors, "补充说明", 2000, required=False) or None,
    }
    code = credit_code.check(str(data.get("creditor_code") or ""))
    if not code.valid or not code.checksum_ok:
        errors.setdefault("creditor_code", []).append(code.message or "统一社会信用代码无效")
    out["creditor_code"] = code.code
    if out["contact_phone"] and (
        not _PHONE.match(out["contact_phone"]) or len(re.sub(r"\D", "", out["contact_phone"])) < 7
    ):
        errors.setdefault("contact_phone", []).append("联系电话格式不正确")
    out["amount"] = _exact_amount(data.get("amount"), "amount", errors, "申请确认金额")
    category = str(data.get("category") or "goods").strip()
    if category not in ("goods", "works", "services"):
        errors.setdefault("category", []).append("合同类别应为货物、工程或服务")
    out["category"] = category
    debtor = _debtor(data, jurisdiction)
    if debtor is None:
        errors.setdefault("debtor_unit", []).append("请从本辖区单位中选择欠款单位")
    out["debtor"] = debtor
    if errors:
        raise Refused(errors)
    return out


def _debtor(data: dict, jurisdiction: TenantNode) -> TenantNode | None:
    wanted = str(data.get("debtor_unit") or "").strip()
    if not wanted:
        return None
    for unit in debtor_units(jurisdiction.id):
        if wanted in (unit.code, str(unit.id)):
            return unit
    return None


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _unique_code(jurisdiction_id: int) -> str:
    # Unique within the jurisdiction: the public status page names it.
    for _ in range(10):
        code = new_tracking_code()
        taken = db.select(Confirmation.id).where(
            Confirmation.tracking_code == code, Confirmation.jurisdiction_id == jurisdiction_id
        )
        if db.session.scalar(taken) is None:
            return code
    raise RuntimeError("could not draw a free tracking code")  # 31^12 codes: practically unreachable


def _unique_verification_code(jurisdiction_id: int) -> str:
    # Unique within the jurisdiction (the verification page names it), whose requests the answering unit
    # does not all see: look in the system's view of that jurisdiction.
    from core.tenancy.scope import system_scope

    with system_scope():
        for _ in range(10):
            code = new_tracking_code()
            taken = db.select(Confirmation.id).where(
                Confirmation.verification_code == code, Confirmation.jurisdiction_id == jurisdiction_id
            )
            if db.session.scalar(taken) is None:
                return code
    raise RuntimeError("could not draw a free verification code")


def verify(jurisdiction_id: int, code: str) -> dict:
    """What the verification page tells anyone holding a letter: genuine or not, and the confirmed figures.

    Nothing about people (no contact, no phone); the creditor is named in the letter the holder already has.
    """
    code = normalize_code(code)
    item = None
    if CODE_PATTERN.match(code):
        item = db.session.scalar(
            db.select(Confirmation).where(
                Confirmation.verification_code == code,
                Confirmation.jurisdiction_id == jurisdiction_id,
                Confirmation.status.in_([Status.CONFIRMED, Status.PARTIAL]),
            )
        )
    if item is None:
        return {"genuine": False}
    return {
        "genuine": True,
        "confirmation_no": item.confirmation_no,
        "confirmed_amount": str(item.confirmed_amount),
        "payment_due_date": item.payment_due_date.isoformat(),
        "confirmed_on": item.answered_on.isoformat(),
        "debtor_name": _unit_name(item.unit_id),
    }


def record_step(item: Confirmation, action: str, label: str, actor=None, note: str | None = None) -> None:
    db.session.add(
        ConfirmationStep(
            jurisdiction_id=item.jurisdiction_id,
            unit_id=item.unit_id,
            confirmation_id=item.id,
            action=action,
            label=label,
            note=note,
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "display_name", None) or getattr(actor, "username", None) or "申请企业",
        )
    )


def clean_with_files(data: dict, jurisdiction: TenantNode, raw_files: list[tuple[str, bytes]]) -> tuple:
    """``clean_request`` and the attachments' check together: one refusal naming every bad field."""

    errors: dict[str, list[str]] = {}
    clean, files, status = None, [], 422
    try:
        clean = clean_request(data, jurisdiction)
    except Refused as exc:
        errors.update(exc.errors)
    try:
        files = uploads.check_files(raw_files)
    except uploads.UploadRefused as exc:
        errors.update(exc.errors)
        status = exc.status if len(errors) == 1 else 422
    if errors:
        raise Refused(errors, status)
    return clean, files


def create(
    jurisdiction: TenantNode,
    clean: dict,
    *,
    channel: str = Channel.PUBLIC,
    actor=None,
    files: list[tuple[str, bytes, str]] = (),
) -> Confirmation:
    """File a request addressed to the debtor unit, in the caller's scope; the 30-day clock starts today.

    ``files`` are checked attachments (``core.uploads.check_files``), kept with the request under the
    debtor unit.
    """
    plan = plan_for(jurisdiction)
    requested = clock.today(jurisdiction)
    debtor = clean["debtor"]
    item = Confirmation(
        jurisdiction_id=jurisdiction.id,
        unit_id=debtor.id,
        tracking_code=_unique_code(jurisdiction.id),
        channel=channel,
        status=Status.PENDING,
        requested_on=requested,
        due_on=rules.due_date(requested, rules.answer_days(plan)),
        created_by_id=getattr(actor, "id", None),
        **{k: v for k, v in clean.items() if k != "debtor"},
    )
    db.session.add(item)
    db.session.flush()
    ledger.link(item)
    label = "企业网上申请确权" if channel == Channel.PUBLIC else "清欠办登记确权申请"
    if files:
        from plugins.finance.confirmations import attachments

        attachments.attach(item, list(files))
        label += f"（附件{len(files)}个）"
    record_step(item, "requested", f"{label}，请{debtor.name}于{cn_date(item.due_on)}前答复", actor=actor)
    notify(
        item.jurisdiction_id,
        item.unit_id,
        key=f"finance:confirmation:{item.id}:requested",
        title="收到应收账款确权申请",
        body=f"{item.creditor_name}申请确认合同 {item.contract_no} 项下应收账款 {item.amount} 元，"
        f"请于{cn_date(item.due_on)}前答复。",
        link=f"/finance/confirmations/{item.id}",
    )
    db.session.flush()
    return item


# --- Public lookup ------------------------------------------------------------------------------------


def normalize_code(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").upper()


def _last4_matches(phone: str, given: str) -> bool:
    stored = re.sub(r"\D", "", phone or "")[-4:].rjust(4, "#")
    typed = re.sub(r"\D", "", given or "")[-4:].rjust(4, "?")
    return hmac.compare_digest(stored.encode(), typed.encode())


def lookup(jurisdiction_id: int, code: str, last4: str) -> Confirmation | None:
    """The request for a tracking code and phone digits, or None — the same whichever of the two is wrong."""
    code = normalize_code(code)
    item = None
    if CODE_PATTERN.match(code):
        item = db.session.scalar(
            db.select(Confirmation).where(
                Confirmation.tracking_code == code, Confirmation.jurisdiction_id == jurisdiction_id
            )
        )
    ok = _last4_matches(item.contact_phone if item is not None else "0000000000", last4)
    return item if item is not None and ok else None


def public_status(item: Confirmation) -> dict:
    """What the SME may see of its own request: status, dates, the answer; nothing of the unit's staff."""
    reason = rules.BY_CODE.get(item.reason_code or "")
    return {
        "tracking_code": item.tracking_code,
        "status": item.status,
        "status_label": item.status_label,
        "debtor_name": _unit_name(item.unit_id),
        "contract_no": item.contract_no,
        "amount": str(item.amount),
        "requested_on": item.requested_on.isoformat(),
        "due_on": item.due_on.isoformat(),
        "overdue": is_overdue(item),
        "answered_on": item.answered_on.isoformat() if item.answered_on else None,
        "confirmed_amount": None if item.confirmed_amount is None else str(item.confirmed_amount),
        "payment_due_date": item.payment_due_date.isoformat() if item.payment_due_date else None,
        "confirmation_no": item.confirmation_no,
        "reason_label": reason.label if reason else None,
        "reason": item.reason,
        "consent": item.consent,
    }


def _unit_name(unit_id: int) -> str:
    node = db.session.get(TenantNode, unit_id)
    return node.name if node is not None else ""


# --- The answer ----------------------------------------------------------------------------------------


def answer(item: Confirmation, data: dict, *, actor=None) -> Confirmation:
    """The debtor's answer: confirm in full, confirm in part, or dispute with a reason the 条例 allows."""
    if item.status != Status.PENDING:
        raise Refused({"status": [f"该申请已答复（{item.status_label}），不能再次答复"]})
    outcome = data["outcome"]
    errors: dict[str, list[str]] = {}
    confirmed = None
    if outcome in (Status.CONFIRMED, Status.PARTIAL):
        confirmed = data.get("confirmed_amount")
        if outcome == Status.CONFIRMED and confirmed is None:
            confirmed = item.amount
        if confirmed is None:
            errors.setdefault("confirmed_amount", []).append("部分确认须填写确认金额")
        elif outcome == Status.CONFIRMED and confirmed != item.amount:
            errors.setdefault("confirmed_amount", []).append(
                f"全部确认的金额应为申请金额 {item.amount} 元；金额不同请选择“部分确认”"
            )
        elif outcome == Status.PARTIAL and not (Decimal("0") < confirmed < item.amount):
            errors.setdefault("confirmed_amount", []).append(
                f"部分确认的金额应大于零、小于申请金额 {item.amount} 元"
            )
        if data.get("payment_due_date") is None:
            errors.setdefault("payment_due_date", []).append("请填写确认的付款到期日")
        # Banks and the financing platform identify the debtor by its code: the confirming unit gives it.
        own = credit_code.check(str(data.get("debtor_code") or ""))
        if not own.valid or not own.checksum_ok:
            errors.setdefault("debtor_code", []).append(own.message or "请填写本单位的统一社会信用代码")
    needs_reason = outcome in (Status.PARTIAL, Status.DISPUTED)
    if needs_reason:
        code = data.get("reason_code")
        if code not in rules.BY_CODE:
            errors.setdefault("reason_code", []).append("请选择未确认部分的理由")
        elif code == "other" and not (data.get("reason") or "").strip():
            errors.setdefault("reason", []).append("选择“其他”时请具体说明理由")
        banned = rules.banned_excuse(code, data.get("reason"), data.get("contract_clause"))
        if banned is not None:
            field = "reason_code" if code == banned.code else "reason"
            errors.setdefault(field, []).append(rules.refusal_message(banned))
    if errors:
        raise Refused(errors)
    today = clock.today(db.session.get(TenantNode, item.jurisdiction_id))
    item.status = outcome
    item.answered_on = today
    item.answered_by_id = getattr(actor, "id", None)
    item.confirmed_amount = confirmed
    item.payment_due_date = data.get("payment_due_date") if confirmed is not None else None
    item.reason_code = data.get("reason_code") if needs_reason else None
    item.reason = (data.get("reason") or "").strip() or None if needs_reason else None
    item.contract_clause = (data.get("contract_clause") or "").strip() or None
    if data.get("bills_agreed") is not None:
        item.bills_agreed = bool(data["bills_agreed"])
    if confirmed is not None:
        item.debtor_code = credit_code.check(str(data.get("debtor_code"))).code
        item.confirmation_no = f"QR{today.year}-{item.id:06d}"
        item.verification_code = _unique_verification_code(item.jurisdiction_id)
    item.version += 1
    late = "（逾期答复）" if today > item.due_on else ""
    if outcome == Status.CONFIRMED:
        label = f"确认应收账款 {confirmed} 元{late}"
    elif outcome == Status.PARTIAL:
        label = f"部分确认 {confirmed} 元，其余有异议{late}"
    else:
        label = f"不予确认：{rules.BY_CODE[item.reason_code].label}{late}"
    record_step(item, "answered", label, actor=actor, note=item.reason)
    db.session.flush()
    if confirmed is not None:
        ledger.link_or_create(item, actor)
    else:
        ledger.link(item)
    notify(
        item.jurisdiction_id,
        item.jurisdiction_id,
        key=f"finance:confirmation:{item.id}:answered",
        title=f"确权申请已答复：{item.status_label}",
        body=f"{_unit_name(item.unit_id)}答复了 {item.creditor_name} 的确权申请"
        f"（查询码 {item.tracking_code}）。",
        link=f"/finance/confirmations/{item.id}",
    )
    db.session.flush()
    return item


# --- The clock -----------------------------------------------------------------------------------------


def is_overdue(item: Confirmation, day: dt.date | None = None) -> bool:
    """Still unanswered after the last day to answer."""
    if item.status != Status.PENDING:
        return False
    return (day or clock.today(db.session.get(TenantNode, item.jurisdiction_id))) > item.due_on


def answered_late(item: Confirmation) -> bool:
    return item.answered_on is not None and item.answered_on > item.due_on


def check_deadlines(jurisdiction: TenantNode, day: dt.date) -> dict[str, int]:
    """Remind the debtor unit before the deadline; escalate to the office once it has passed.

    Idempotent: every notice has a key (request, date or days left), sent once per unit.
    """
    plan = plan_for(jurisdiction, on=day)
    before = rules.reminder_days(plan)
    reminded = escalated = 0
    rows = db.session.scalars(
        db.select(Confirmation).where(
            Confirmation.jurisdiction_id == jurisdiction.id, Confirmation.status == Status.PENDING
        )
    )
    for item in rows:
        left = (item.due_on - day).days
        if left in before:
            reminded += notify(
                jurisdiction.id,
                item.unit_id,
                key=f"finance:confirmation:{item.id}:remind:{item.due_on.isoformat()}:{left}",
                title=f"应收账款确权答复期限还有 {left} 天",
                body=f"{item.creditor_name}的确权申请（合同 {item.contract_no}）须在"
                f"{cn_date(item.due_on)}前答复。",
                link=f"/finance/confirmations/{item.id}",
                level=NotificationLevel.WARNING if left > 1 else NotificationLevel.URGENT,
            )
        elif left < 0:
            sent = notify(
                jurisdiction.id,
                jurisdiction.id,
                key=f"finance:confirmation:{item.id}:overdue",
                title="应收账款确权逾期未答复",
                body=f"{_unit_name(item.unit_id)}未在{cn_date(item.due_on)}前答复"
                f"{item.creditor_name}的确权申请（查询码 {item.tracking_code}），请督办。",
                link=f"/finance/confirmations/{item.id}",
                level=NotificationLevel.URGENT,
            )
            if sent:
                escalated += 1
                record_step(item, "escalated", "逾期未答复，已提请清欠办督办", actor=None)
    db.session.flush()
    return {"reminded": int(reminded), "escalated": escalated}


# --- Notices -------------------------------------------------------------------------------------------


def notify(
    jurisdiction_id: int,
    unit_id: int,
    *,
    key: str,
    title: str,
    body: str,
    link: str | None = None,
    level: str = NotificationLevel.INFO,
) -> bool:
    """Write the in-app notice once per (unit, key) and hand it to the notifier adapters."""
    # Notices cross units (a unit's answer tells the office), which is the platform's doing: it writes
    # them in the jurisdiction's scope.
    with scope_context(Scope(jurisdiction_id=jurisdiction_id)):
        exists = db.session.scalar(
            db.select(Notification.id).where(Notification.unit_id == unit_id, Notification.key == key)
        )
        if exists is not None:
            return False
        notice = Notification(
            jurisdiction_id=jurisdiction_id,
            unit_id=unit_id,
            key=key,
            title=title,
            body=body,
            link=link,
            level=level,
        )
        db.session.add(notice)
        db.session.flush()
    for adapter in flatten(get_pm().hook.qingqian_notifiers()):
        try:
            adapter.send(notice)
        except Exception:  # an outside channel failing must not lose the in-app notice or the answer
            log.exception("notifier %s failed for %s", getattr(adapter, "name", adapter), key)
    return True
