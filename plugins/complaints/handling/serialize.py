"""Cases as JSON for staff, with contact details and confidential notes only for those allowed."""

from __future__ import annotations

from typing import Any

from core import clock
from core.extensions import db
from core.rules.status import STATUS_LABELS as DEBT_STATUS_LABELS
from core.tenancy.models import TenantNode
from core.tenancy.names import confidence_label
from core.workdays import unknown_years
from plugins.complaints.handling import access, service
from plugins.complaints.intake import service as intake
from plugins.complaints.models import (
    OUT_OF_SCOPE_REASONS,
    ROUTE_LABELS,
    TRIAGE_CATEGORIES,
    Complaint,
    ComplaintStep,
    ConfidentialNote,
)


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _stamp(value) -> str | None:
    """A stored (UTC) time in the jurisdiction's zone, with its offset: the timeline reads local time."""
    local = clock.to_local(value)
    return local.isoformat(timespec="seconds") if local else None


def summary(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.id,
        "tracking_code": c.tracking_code,
        "channel": c.channel,
        "channel_label": c.channel_label,
        "status": c.status,
        "status_label": c.status_label,
        "creditor_name": c.creditor_name,
        "creditor_code": c.creditor_code,
        "debtor_text": c.debtor_text,
        "debtor_unit_id": c.debtor_unit_id,
        "unit_id": c.unit_id,
        "amount": f"{c.amount:.2f}" if c.amount is not None else None,
        "amount_approximate": bool(c.amount_approximate),
        "received_on": _date(c.received_on),
        "deadline": _date(service.deadline_of(c)),
        "overdue": service.is_overdue(c),
    }


def _unit_name(unit_id: int | None) -> str | None:
    unit = db.session.get(TenantNode, unit_id) if unit_id else None
    return unit.name if unit else None


def timeline(c: Complaint) -> list[dict[str, Any]]:
    steps = db.session.scalars(
        db.select(ComplaintStep)
        .where(ComplaintStep.complaint_id == c.id)
        .order_by(ComplaintStep.at, ComplaintStep.id)
    )
    return [
        {"action": s.action, "label": s.label, "note": s.note, "who": s.actor_name, "at": _stamp(s.at)}
        for s in steps
    ]


def detail(c: Complaint) -> dict[str, Any]:
    unit = db.session.get(TenantNode, c.unit_id)
    out = {
        **summary(c),
        "unit_name": unit.name if unit else None,
        "source_ref": c.source_ref,
        "creditor_size": c.creditor_size,
        "contract_no": c.contract_no,
        "contract_name": c.contract_name,
        "category": c.category,
        "description": c.description,
        "amount_text": c.amount_text,
        "debtor_unit_name": _unit_name(c.debtor_unit_id),
        "debtor_confidence": confidence_label(c.debtor_score) if c.debtor_score is not None else None,
        "debtor_candidates": [
            {"unit_id": k.unit_id, "name": k.name, "score": k.score, "confidence": k.confidence}
            for k in intake.suggest_units(c.jurisdiction_id, c.debtor_text)
        ],
        "triage_suggestion": (
            {
                "category": c.suggested_category,
                "label": TRIAGE_CATEGORIES.get(c.suggested_category, c.suggested_category),
                "reasons": list(c.suggested_reasons or []),
            }
            if c.suggested_category
            else None
        ),
        "triage_category": c.triage_category,
        "triage_override_reason": c.triage_override_reason,
        "migrant_wages": bool(c.migrant_wages),
        "migrant_wage_amount": f"{c.migrant_wage_amount:.2f}" if c.migrant_wage_amount is not None else None,
        "info_request": c.info_request,
        "info_requested_on": _date(c.info_requested_on),
        "info_reply": c.info_reply,
        "info_replied_on": _date(c.info_replied_on),
        "transfer_due": _date(c.transfer_due),
        # Years the working-day count crossed without a holiday calendar: the date is Monday–Friday only.
        "transfer_due_calendar_missing": unknown_years(c.received_on, c.transfer_due)
        if c.received_on and c.transfer_due
        else [],
        "transferred_on": _date(c.transferred_on),
        "result_due": _date(c.result_due),
        "extended_reason": c.extended_reason,
        "out_of_scope_reason": c.out_of_scope_reason,
        "out_of_scope_label": OUT_OF_SCOPE_REASONS.get(c.out_of_scope_reason or ""),
        "triage_note": c.triage_note,
        "outcome": c.outcome,
        "outcome_label": c.outcome_label,
        "outcome_detail": c.outcome_detail,
        "dispute_route": c.dispute_route,
        "dispute_route_label": ROUTE_LABELS.get(c.dispute_route or ""),
        "payment_deadline": _date(c.payment_deadline),
        "result_text": c.result_text,
        "answered_on": _date(c.answered_on),
        "closed_on": _date(c.closed_on),
        "version": c.version,
        "attachments": [
            {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in c.attachments
        ],
        "debts": [
            {
                "id": d.id,
                "status": d.status,
                "status_label": DEBT_STATUS_LABELS.get(d.status, d.status),
                "amount_owed": f"{d.amount_owed:.2f}",
                "paid_amount": f"{d.paid_amount:.2f}",
            }
            for d in service.linked_debts(c)
        ],
        "timeline": timeline(c),
    }
    if access.can_see_contact(c):
        out["contact_name"] = c.contact_name
        out["contact_phone"] = c.contact_phone
    if access.is_office():
        out["duplicates"] = [summary(d) for d in service.likely_duplicates(c)]
        out["confidential_notes"] = [
            {"id": n.id, "text": n.text, "created_at": _stamp(n.created_at)}
            for n in db.session.scalars(
                db.select(ConfidentialNote).where(ConfidentialNote.complaint_id == c.id)
            )
        ]
    return out
