"""Recording and lifting restriction measures; the prompt to lift once a unit's arrears are cleared."""

from __future__ import annotations

from decimal import Decimal

from core import clock
from core.extensions import db
from core.models.debt import Debt
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from plugins.accountability.bulletins.service import Conflict, NotVisible, Refused, settings
from plugins.accountability.measures.models import Measure

# 保障措施（三）: 压减一般性支付、降低出行标准、严格出国出境 for agencies, institutions and large SOEs.
DEFAULT_TYPES = ["压减一般性支付", "降低公务出行标准", "从严审批出国（境）", "暂停新增项目审批"]
EXCLUDED = ("judicial", "out_of_scope")


def types(jurisdiction: TenantNode) -> list[str]:
    return [str(t) for t in (settings(jurisdiction).get("measure_types") or DEFAULT_TYPES)]


def outstanding(unit: TenantNode) -> Decimal:
    """Arrears still unpaid in the unit's subtree (cases in court and out-of-scope items left aside)."""
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(Debt.amount_owed - Debt.paid_amount), 0))
        .join(TenantNode, TenantNode.id == Debt.unit_id)
        .where(TenantNode.path.startswith(unit.path), Debt.status.not_in(EXCLUDED))
    )
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


def record(jurisdiction: TenantNode, *, actor, values: dict) -> Measure:
    unit = visible(TenantNode, values["unit_id"])
    if unit is None or unit.jurisdiction_id != jurisdiction.id or unit.id == jurisdiction.id:
        raise NotVisible("unit_id", "单位不存在或不属于本辖区")
    if values["measure_type"] not in types(jurisdiction):
        raise Conflict("measure_type", f"措施类型须为方案所列之一：{'、'.join(types(jurisdiction))}")
    if values.get("lift_on") is not None and values["lift_on"] <= values["start_on"]:
        raise Refused("lift_on", "解除日期须晚于开始日期")
    if not (values.get("lift_condition") or "").strip() and values.get("lift_on") is None:
        raise Refused("lift_condition", "请填写解除条件或解除日期")
    measure = Measure(
        jurisdiction_id=jurisdiction.id,
        unit_id=unit.id,
        measure_type=values["measure_type"],
        decision_no=values["decision_no"].strip(),
        decided_by=values["decided_by"].strip(),
        start_on=values["start_on"],
        lift_condition=(values.get("lift_condition") or "").strip(),
        lift_on=values.get("lift_on"),
        status="active",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(measure)
    db.session.flush()
    history.record(measure, "applied", after=history.snapshot(measure), actor=actor)
    return measure


def lift(measure: Measure, *, actor, reason: str) -> Measure:
    if measure.status != "active":
        raise Conflict("status", "该措施已解除")
    if not (reason or "").strip():
        raise Refused("reason", "请说明解除理由")
    measure.status = "lifted"
    measure.lifted_on = clock.today(db.session.get(TenantNode, measure.jurisdiction_id))
    measure.lift_reason = reason.strip()
    measure.lifted_by_id = getattr(actor, "id", None)
    db.session.flush()
    history.record(
        measure,
        "lifted",
        after={"lifted_on": measure.lifted_on.isoformat()},
        actor=actor,
        note=measure.lift_reason,
    )
    return measure


def prompts(measures: list[Measure]) -> dict[int, str]:
    """Active measures to lift now: the unit's arrears are cleared, or the set lifting date has come."""
    out: dict[int, str] = {}
    cache: dict[int, Decimal] = {}
    for m in measures:
        if m.status != "active":
            continue
        today = clock.today(db.session.get(TenantNode, m.jurisdiction_id))
        if m.lift_on is not None and m.lift_on <= today:
            out[m.id] = "已到解除日期"
            continue
        if m.unit_id not in cache:
            unit = db.session.get(TenantNode, m.unit_id)
            cache[m.unit_id] = outstanding(unit) if unit is not None else Decimal("1")
        if cache[m.unit_id] <= 0:
            out[m.id] = "该单位欠款已清偿完毕，可解除"
    return out


__all__ = ["DEFAULT_TYPES", "lift", "prompts", "record", "types"]
