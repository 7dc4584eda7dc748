"""Computing scorecards per unit, explaining them item by item, and freezing them at a period end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.extensions import db
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from core.web.templating import cn_date
from plugins.accountability.assessment.metrics import DEFAULT_SCORECARD, METRICS
from plugins.accountability.assessment.models import AssessmentSnapshot
from plugins.accountability.bulletins.service import Conflict, NotVisible, Refused, settings  # noqa: F401 - Refused is re-exported for the API

GROUP_KINDS = ("soe",)


def scorecard(jurisdiction: TenantNode) -> list[dict]:
    """The plan's indicators (``accountability.assessment.indicators``), else the default card."""
    raw = (settings(jurisdiction).get("assessment") or {}).get("indicators") or DEFAULT_SCORECARD
    card = []
    for item in raw:
        metric = str(item.get("metric"))
        if metric not in METRICS:
            continue  # a plan naming an unknown formula loses that line, not the whole card
        card.append(
            {
                "metric": metric,
                "label": str(item.get("label") or METRICS[metric][0]),
                "weight": str(Decimal(str(item.get("weight", 0))).quantize(Decimal("0.01"))),
            }
        )
    return card


def units_of(jurisdiction: TenantNode, group: TenantNode | None) -> list[TenantNode]:
    parent = group or jurisdiction
    return list(
        db.session.scalars(
            db.select(TenantNode)
            .where(TenantNode.parent_id == parent.id, TenantNode.active.is_(True))
            .order_by(TenantNode.sort_order, TenantNode.id)
        )
    )


def group_of(jurisdiction: TenantNode, group_id: int | None) -> TenantNode | None:
    if group_id is None:
        return None
    group = visible(TenantNode, group_id)
    if group is None or group.jurisdiction_id != jurisdiction.id or group.kind not in GROUP_KINDS:
        raise NotVisible("group_id", "集团不存在或不是国有企业集团")
    return group


def compute(jurisdiction: TenantNode, end: dt.date, group: TenantNode | None = None) -> dict:
    """Every unit's score with each indicator's value, points and the facts behind it, ranked."""
    plan = plan_for(jurisdiction)
    card = scorecard(jurisdiction)
    rows = []
    for unit in units_of(jurisdiction, group):
        items, total = [], Decimal("0.00")
        for line in card:
            value, detail = METRICS[line["metric"]][1](unit, plan, end)
            points = (Decimal(line["weight"]) * value).quantize(Decimal("0.01"))
            total += points
            items.append({**line, "value": f"{value:.4f}", "points": f"{points:.2f}", "detail": detail})
        rows.append({"unit_id": unit.id, "unit_name": unit.name, "score": f"{total:.2f}", "items": items})
    rows.sort(key=lambda r: (-Decimal(r["score"]), r["unit_name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    full = sum((Decimal(line["weight"]) for line in card), Decimal("0"))
    return {
        "period_end": end,
        "group_id": group.id if group else None,
        "scorecard": card,
        "full_marks": f"{full:.2f}",
        "rows": rows,
    }


def snapshot(jurisdiction: TenantNode, *, actor, end: dt.date, group_id: int | None) -> AssessmentSnapshot:
    """Freeze the scores at ``end`` (a day that has passed or is today); once per period and group."""
    today = clock.today(jurisdiction)
    if end > today:
        raise Conflict("period_end", f"考核期末不能晚于今天（{cn_date(today)}）")
    group = group_of(jurisdiction, group_id)
    taken = db.session.scalar(
        db.select(AssessmentSnapshot.id).where(
            AssessmentSnapshot.jurisdiction_id == jurisdiction.id,
            AssessmentSnapshot.period_end == end,
            AssessmentSnapshot.group_id.is_(None)
            if group is None
            else AssessmentSnapshot.group_id == group.id,
        )
    )
    if taken:
        raise Conflict("period_end", f"{cn_date(end)}的考核结果已固定")
    result = compute(jurisdiction, end, group)
    row = AssessmentSnapshot(
        jurisdiction_id=jurisdiction.id,
        period_end=end,
        group_id=group.id if group else None,
        scorecard=result["scorecard"],
        rows=result["rows"],
        taken_at=clock.utcnow(),
        taken_by_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    history.record(
        row,
        "snapshot",
        after={"period_end": end.isoformat(), "units": len(result["rows"])},
        actor=actor,
        unit_id=group.id if group else jurisdiction.id,
    )
    return row
