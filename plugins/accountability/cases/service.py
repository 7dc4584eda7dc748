"""Typical cases: drafted with the creditor anonymised, approved, published; 失信 referral proposals."""

from __future__ import annotations

from core import clock
from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from plugins.accountability.bulletins.service import Conflict, NotVisible, Refused
from plugins.accountability.cases.models import CreditReferral, TypicalCase

DEBTOR_KINDS = ("soe", "subsidiary", "large_enterprise")


def _unit(jurisdiction: TenantNode, unit_id: int) -> TenantNode:
    unit = visible(TenantNode, unit_id)
    if unit is None or unit.jurisdiction_id != jurisdiction.id or unit.id == jurisdiction.id:
        raise NotVisible("unit_id", "单位不存在或不属于本辖区")
    return unit


def named_creditors(unit: TenantNode, *texts: str) -> list[str]:
    """Creditors of the unit's debts whose name or credit code appears in the text: not anonymised."""
    rows = db.session.execute(
        db.select(Enterprise.name, Enterprise.credit_code)
        .join(Debt, Debt.creditor_id == Enterprise.id)
        .join(TenantNode, TenantNode.id == Debt.unit_id)
        .where(TenantNode.path.startswith(unit.path))
        .distinct()
    ).all()
    body = "\n".join(texts)
    return sorted({name for name, code in rows if (name and name in body) or (code and code in body)})


def _check_anonymous(unit: TenantNode, values: dict) -> None:
    found = named_creditors(
        unit, values.get("title") or "", values.get("summary") or "", values.get("lesson") or ""
    )
    if found:
        raise Refused(
            "summary", f"案例中出现了债权企业名称或代码（{'、'.join(found)}），请匿名化（如“某建筑公司”）"
        )


def draft(jurisdiction: TenantNode, *, actor, values: dict) -> TypicalCase:
    unit = _unit(jurisdiction, values["unit_id"])
    _check_anonymous(unit, values)
    case = TypicalCase(
        jurisdiction_id=jurisdiction.id,
        unit_id=unit.id,
        title=values["title"].strip(),
        summary=values["summary"].strip(),
        lesson=(values.get("lesson") or "").strip(),
        status="draft",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(case)
    db.session.flush()
    history.record(case, "drafted", actor=actor)
    return case


def edit(case: TypicalCase, *, actor, values: dict) -> TypicalCase:
    if case.status != "draft":
        raise Conflict("status", "已审核的案例不能修改")
    merged = {
        k: values.get(k) if values.get(k) is not None else getattr(case, k)
        for k in ("title", "summary", "lesson")
    }
    _check_anonymous(db.session.get(TenantNode, case.unit_id), merged)
    for key, value in merged.items():
        setattr(case, key, value.strip())
    db.session.flush()
    history.record(case, "edited", actor=actor)
    return case


def approve(case: TypicalCase, *, actor) -> TypicalCase:
    if case.status != "draft":
        raise Conflict("status", "只能审核草稿")
    _check_anonymous(
        db.session.get(TenantNode, case.unit_id),
        {"title": case.title, "summary": case.summary, "lesson": case.lesson},
    )
    case.status = "approved"
    case.approved_on = clock.today(db.session.get(TenantNode, case.jurisdiction_id))
    case.approved_by_id = getattr(actor, "id", None)
    db.session.flush()
    history.record(case, "approved", actor=actor)
    return case


def publish(case: TypicalCase, *, actor) -> TypicalCase:
    if case.status != "approved":
        raise Conflict("status", "案例须先审核才能公开")
    case.status = "published"
    case.published_on = clock.today(db.session.get(TenantNode, case.jurisdiction_id))
    db.session.flush()
    history.record(case, "published", actor=actor)
    return case


def propose_credit(jurisdiction: TenantNode, *, actor, unit_id: int, reason: str) -> CreditReferral:
    unit = _unit(jurisdiction, unit_id)
    if unit.kind not in DEBTOR_KINDS:
        raise Refused("unit_id", "失信惩戒移送只适用于国有企业和大型企业")
    row = CreditReferral(
        jurisdiction_id=jurisdiction.id,
        unit_id=unit.id,
        reason=reason.strip(),
        status="proposed",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    history.record(row, "proposed", actor=actor, note=row.reason)
    return row


def decide(row: CreditReferral, *, actor, values: dict) -> CreditReferral:
    if row.status != "proposed":
        raise Conflict("status", "已作出决定")
    today = clock.today(db.session.get(TenantNode, row.jurisdiction_id))
    if values["decided_on"] > today:
        raise Conflict("decided_on", "决定日期不能晚于今天")
    row.status = values["decision"]
    row.decision_no = values["decision_no"].strip()
    row.decided_by = values["decided_by"].strip()
    row.decided_on = values["decided_on"]
    row.decision_note = (values.get("note") or "").strip() or None
    db.session.flush()
    history.record(row, f"decided_{row.status}", actor=actor, note=row.decision_note)
    return row
