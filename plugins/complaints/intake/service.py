"""Receiving a complaint (public page or staff channel), the timeline, and the public status lookup."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from core import clock, uploads, workdays
from core.extensions import db
from core.rules import amounts, credit_code
from core.tenancy import service as tenancy
from core.tenancy.models import TenantNode
from core.tenancy.names import Candidate, UnitRanker
from core.tenancy.plans import plan_for
from plugins.complaints import plan_keys
from plugins.complaints.intake import security, triage
from plugins.complaints.models import (
    Channel,
    Complaint,
    ComplaintAttachment,
    ComplaintStep,
    ConfidentialNote,
    Status,
)

PLUGIN = "complaints"
SIZES = {"medium": "中型", "small": "小型", "micro": "微型", "large": "大型"}
CATEGORIES = {"goods": "货物", "works": "工程", "services": "服务"}
_PHONE = re.compile(r"^[0-9+\-\s()]{7,20}$")


class IntakeRefused(ValueError):
    """Input refused: ``errors`` maps fields to Chinese messages; ``status`` is the HTTP code."""

    def __init__(self, errors: dict[str, list[str]], status: int = 422) -> None:
        super().__init__("intake refused")
        self.errors = errors
        self.status = status


def public_jurisdiction(code: str) -> TenantNode | None:
    """The jurisdiction behind a public URL or body, or None if unknown, inactive or without the plugin."""
    return tenancy.public_jurisdiction(code, PLUGIN)


def unit_choices(jurisdiction_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        db.select(TenantNode.id, TenantNode.name).where(
            TenantNode.jurisdiction_id == jurisdiction_id, TenantNode.active.is_(True)
        )
    )
    return [(row.id, row.name) for row in rows]


def ranker(jurisdiction: TenantNode) -> UnitRanker:
    return UnitRanker(jurisdiction)


def suggest_units(jurisdiction_id: int, query: str, limit: int = 5) -> list[Candidate]:
    """The jurisdiction's units a written debtor name may mean, best first (never the jurisdiction itself)."""
    node = db.session.get(TenantNode, jurisdiction_id)
    return ranker(node).rank(query, limit=limit) if node is not None else []


def _text(data: dict, name: str, errors: dict, label: str, max_len: int, required: bool = True) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.setdefault(name, []).append(f"请填写{label}")
    elif len(value) > max_len:
        errors.setdefault(name, []).append(f"{label}不能超过{max_len}个字")
    return value


def parse_amount(raw: Any) -> amounts.Amount:
    """The amount as the complainant wrote it; ``problem`` says in plain Chinese what to write instead."""
    return amounts.parse_written(raw)


def _wages(data: dict, errors: dict) -> tuple[bool, Decimal | None]:
    """Whether migrant-worker wages are in the debt (是/否) and, if known, how much."""
    raw = data.get("migrant_wages")
    involved = raw is True or str(raw or "").strip().lower() in ("1", "true", "yes", "on", "是", "涉及")
    wage = amounts.parse_written(data.get("migrant_wage_amount"))
    if wage.problem:
        errors.setdefault("migrant_wage_amount", []).append(wage.problem)
    if wage.value is not None and not involved:
        involved = True  # an amount of wages says they are involved
    return involved, wage.value


def clean_complaint(data: dict) -> dict:
    """Check and normalise the fields of a complaint; raise ``IntakeRefused`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "creditor_name": _text(data, "creditor_name", errors, "企业名称", 200),
        "contact_name": _text(data, "contact_name", errors, "联系人", 100),
        "contact_phone": _text(data, "contact_phone", errors, "联系电话", 30),
        "debtor_text": _text(data, "debtor", errors, "被投诉单位", 200),
        "contract_no": _text(data, "contract_no", errors, "合同编号", 120, required=False) or None,
        "contract_name": _text(data, "contract_name", errors, "合同名称", 300, required=False) or None,
        "description": _text(data, "description", errors, "情况说明", 5000),
        "retaliation": _text(data, "retaliation", errors, "打击报复情况", 2000, required=False),
        "source_ref": _text(data, "source_ref", errors, "来源编号", 200, required=False) or None,
    }
    code = credit_code.check(str(data.get("creditor_code") or ""))
    if not code.valid or not code.checksum_ok:
        errors.setdefault("creditor_code", []).append(code.message or "统一社会信用代码无效")
    out["creditor_code"] = code.code
    size = str(data.get("creditor_size") or "small")
    if size not in SIZES:
        errors.setdefault("creditor_size", []).append("企业规模应为中型、小型、微型或大型")
    out["creditor_size"] = size
    category = str(data.get("category") or "")
    if category not in CATEGORIES:
        errors.setdefault("category", []).append("款项类型应为货物、工程或服务")
    out["category"] = category
    if out["contact_phone"] and (
        not _PHONE.match(out["contact_phone"]) or len(security.phone_digits(out["contact_phone"])) < 7
    ):
        errors.setdefault("contact_phone", []).append("联系电话格式不正确")
    written = parse_amount(data.get("amount"))
    if written.problem:
        errors.setdefault("amount", []).append(written.problem)
    out["amount"] = written.value
    out["amount_approximate"] = written.approximate
    out["amount_text"] = amounts.clean_text(data.get("amount") or "")[:60] or None
    out["migrant_wages"], out["migrant_wage_amount"] = _wages(data, errors)
    if (
        out["amount"] is not None
        and out["migrant_wage_amount"] is not None
        and out["migrant_wage_amount"] > out["amount"]
    ):
        errors.setdefault("migrant_wage_amount", []).append("农民工工资金额不能超过欠款总额")
    if errors:
        raise IntakeRefused(errors)
    return out


def decode_json_attachments(items: Any) -> list[tuple[str, bytes]]:
    """JSON clients send ``[{"filename": ..., "content_base64": ...}]``; the page sends multipart files."""
    try:
        return uploads.decode_base64_files(items)
    except uploads.UploadRefused as exc:
        raise IntakeRefused(exc.errors, exc.status) from exc


def check_attachments(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """(safe name, bytes, content type) of each file by core's upload rules (``core.uploads``)."""
    try:
        return uploads.check_files(files)
    except uploads.UploadRefused as exc:
        raise IntakeRefused(exc.errors, exc.status) from exc


def record_step(complaint: Complaint, action: str, label: str, actor=None, note: str | None = None) -> None:
    """Steps follow the case's unit (moved with it on transfer): whoever handles it sees its history."""
    db.session.add(
        ComplaintStep(
            jurisdiction_id=complaint.jurisdiction_id,
            unit_id=complaint.unit_id,
            complaint_id=complaint.id,
            action=action,
            label=label,
            note=note,
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "label", None) or getattr(actor, "username", None) or "投诉人",
        )
    )


def _unique_code(jurisdiction_id: int) -> str:
    # Unique within the jurisdiction: the public status page names it.
    for _ in range(10):
        code = security.new_tracking_code()
        exists = db.session.scalar(
            db.select(Complaint.id).where(
                Complaint.tracking_code == code, Complaint.jurisdiction_id == jurisdiction_id
            )
        )
        if exists is None:
            return code
    raise RuntimeError("could not draw a free tracking code")  # 31^12 codes: practically unreachable


def create_complaint(
    jurisdiction: TenantNode,
    clean: dict,
    *,
    channel: str = Channel.PUBLIC,
    files: list[tuple[str, bytes, str]] = (),
    actor=None,
    received_on: dt.date | None = None,
) -> Complaint:
    """File a complaint at the jurisdiction node (the office), in the caller's scope."""
    plan = plan_for(jurisdiction)
    rules = plan.get("rules") or {}
    received = received_on or clock.today(jurisdiction)
    complaint = Complaint(
        jurisdiction_id=jurisdiction.id,
        unit_id=jurisdiction.id,
        tracking_code=_unique_code(jurisdiction.id),
        channel=channel,
        status=Status.RECEIVED,
        received_on=received,
        transfer_due=workdays.add_working_days(
            received, int(rules.get("complaint_transfer_working_days", plan_keys.TRANSFER_WORKING_DAYS))
        ),
        created_by_id=getattr(actor, "id", None),
        **{k: v for k, v in clean.items() if k != "retaliation"},
    )
    apply_suggestion(complaint, jurisdiction)
    db.session.add(complaint)
    db.session.flush()
    for name, data, content_type in files:
        db.session.add(
            ComplaintAttachment(
                jurisdiction_id=jurisdiction.id,
                unit_id=jurisdiction.id,
                complaint_id=complaint.id,
                filename=name,
                content_type=content_type,
                size=len(data),
                data=data,
            )
        )
    if clean.get("retaliation"):
        db.session.add(
            ConfidentialNote(
                jurisdiction_id=jurisdiction.id,
                unit_id=jurisdiction.id,
                complaint_id=complaint.id,
                text=clean["retaliation"],
            )
        )
    label = "网上提交投诉" if channel == Channel.PUBLIC else f"登记线索（来源：{complaint.channel_label}）"
    record_step(complaint, "received", label, actor=actor)
    db.session.flush()
    return complaint


def apply_suggestion(complaint: Complaint, jurisdiction: TenantNode | None = None) -> triage.Suggestion:
    """Identify the debtor and suggest the triage from what the complaint says now (on receipt, and again
    when the complainant supplies what was missing)."""
    jurisdiction = jurisdiction or db.session.get(TenantNode, complaint.jurisdiction_id)
    suggestion = triage.suggest(
        ranker(jurisdiction),
        debtor_text=complaint.debtor_text,
        description=complaint.description,
        creditor_size=complaint.creditor_size,
        amount=complaint.amount,
        amount_approximate=bool(complaint.amount_approximate),
    )
    complaint.debtor_unit_id = suggestion.debtor.unit_id if suggestion.debtor else None
    complaint.debtor_score = suggestion.debtor.score if suggestion.debtor else None
    complaint.suggested_category = suggestion.category
    complaint.suggested_reasons = suggestion.reasons
    return suggestion


def debtor_hint(complaint: Complaint, jurisdiction: TenantNode) -> str | None:
    """What the complainant reads after filing when the debtor could not be identified: in plain Chinese,
    what was not found and what the office will do (the complaint is filed either way). None when the
    debtor was found, or the name was left for the office to read as written (a court case, a large firm)."""
    text = (complaint.debtor_text or "").strip()
    if not text or complaint.debtor_unit_id is not None:
        return None
    if complaint.suggested_category in ("judicial", "not_sme"):
        return None
    units = ranker(jurisdiction)
    place = units.foreign_place(text)
    if place:
        return (
            f"“{place}”不在{jurisdiction.name}管辖范围内。投诉已登记，清欠办核实后会告诉您该向哪里反映，"
            "或转给有关地方处理。"
        )
    halted = units.halted_named(text)
    if halted is not None:
        return (
            f"“{halted.name}”已停产（停业），不在本次清欠范围内。投诉已登记，清欠办会核实这笔欠款由哪家单位承接，"
            "并与您联系。"
        )
    return (
        f"在{jurisdiction.name}的单位中没有找到“{text[:40]}”。投诉已登记，清欠办会联系您核实欠款单位的全称；"
        "您也可以凭查询码在进度页补充。"
    )


def lookup(jurisdiction_id: int, code: str, last4: str) -> Complaint | None:
    """The case for a tracking code and phone digits, or None — the same whichever of the two is wrong."""
    code = security.normalize_code(code)
    complaint = None
    if security.CODE_PATTERN.match(code):
        complaint = db.session.scalar(
            db.select(Complaint).where(
                Complaint.tracking_code == code, Complaint.jurisdiction_id == jurisdiction_id
            )
        )
    # Compare even when the code is unknown, so timing does not tell which of the two was wrong.
    phone = complaint.contact_phone if complaint is not None else "0000000000"
    ok = security.last4_matches(phone, last4)
    return complaint if complaint is not None and ok else None


def public_status(complaint: Complaint) -> dict:
    """Only status, dates and the published result text: nothing a leaked code could be mined for."""
    return {
        "tracking_code": complaint.tracking_code,
        "status": complaint.status,
        "status_label": complaint.status_label,
        "received_on": complaint.received_on.isoformat(),
        "transferred_on": complaint.transferred_on.isoformat() if complaint.transferred_on else None,
        "answered_on": complaint.answered_on.isoformat() if complaint.answered_on else None,
        "closed_on": complaint.closed_on.isoformat() if complaint.closed_on else None,
        "result_text": complaint.result_text,
        # 待补充材料: what the office asked for; the page offers a form to answer it.
        "info_request": complaint.info_request if complaint.status == Status.NEEDS_INFO else None,
        "info_requested_on": complaint.info_requested_on.isoformat()
        if complaint.status == Status.NEEDS_INFO and complaint.info_requested_on
        else None,
    }
