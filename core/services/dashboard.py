"""The dashboard's figures, computed with SQL aggregates under the current tenant scope.

The web dashboard and GET /api/v1/dashboard both render this one dictionary, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import g, has_request_context
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased

from core.extensions import db
from core.models.debt import CATEGORY_LABELS, Category, Debt
from core.rules.status import OPEN_STATUSES, STATUS_LABELS, DebtStatus
from core.tenancy.models import TenantNode

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Judicial cases and out-of-scope items are recorded but are not arrears the campaign must clear.
EXCLUDED_STATUSES = (DebtStatus.JUDICIAL.value, DebtStatus.OUT_OF_SCOPE.value)
OVERDUE_BUCKETS: list[tuple[str, str, int | None, int | None]] = [
    ("not_overdue", "未逾期", None, 0),
    ("d1_30", "逾期1–30天", 1, 30),
    ("d31_90", "逾期31–90天", 31, 90),
    ("d91_365", "逾期91–365天", 91, 365),
    ("d365_plus", "逾期超过365天", 366, None),
]


def money(value: Any) -> Decimal:
    # SQLite hands sums back as floats; str() keeps their shortest repr so quantize restores the cents.
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def rate(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return Decimal("0.0000")
    return (part / whole).quantize(Decimal("0.0001"))


def _outstanding():
    return Debt.amount_owed - Debt.paid_amount


def _aggregates(as_of: dt.date) -> list:
    """Columns shared by the totals and the per-unit roll-up."""
    campaign = Debt.status.notin_(EXCLUDED_STATUSES)
    overdue = _overdue_condition(as_of)
    return [
        func.count(Debt.id).label("count"),
        func.sum(case((campaign, 1), else_=0)).label("campaign_count"),
        func.sum(case((campaign, Debt.amount_owed), else_=0)).label("owed"),
        func.sum(case((campaign, Debt.paid_amount), else_=0)).label("cleared"),
        func.sum(case((overdue, _outstanding()), else_=0)).label("overdue_amount"),
        func.sum(case((overdue, 1), else_=0)).label("overdue_count"),
        func.sum(case((Debt.status.in_(EXCLUDED_STATUSES), Debt.amount_owed), else_=0)).label(
            "excluded_amount"
        ),
    ]


def _overdue_condition(as_of: dt.date, low: int | None = 1, high: int | None = None):
    """Open, unpaid and past due by ``low``..``high`` days at ``as_of`` (compared on dates, so any SQL)."""
    parts = [Debt.status.in_([s.value for s in OPEN_STATUSES]), _outstanding() > 0]
    if low is None:
        parts.append(or_(Debt.due_date.is_(None), Debt.due_date >= as_of))
        return and_(*parts)
    parts.append(Debt.due_date.is_not(None))
    parts.append(Debt.due_date <= as_of - dt.timedelta(days=low))
    if high is not None:
        parts.append(Debt.due_date >= as_of - dt.timedelta(days=high))
    return and_(*parts)


def _figures(row) -> dict[str, Any]:
    owed, cleared = money(row.owed), money(row.cleared)
    return {
        "count": int(row.count or 0),
        "campaign_count": int(row.campaign_count or 0),
        "owed": owed,
        "cleared": cleared,
        "outstanding": owed - cleared,
        "overdue_amount": money(row.overdue_amount),
        "overdue_count": int(row.overdue_count or 0),
        "excluded_amount": money(row.excluded_amount),
        "clearance_rate": rate(cleared, owed),
    }


def top_units(
    jurisdiction: TenantNode | None, whole_jurisdiction: bool, role_nodes: list
) -> list[TenantNode]:
    """The rows of the by-unit table: the jurisdiction's first level, or a unit user's own nodes."""
    if jurisdiction is None:
        return []
    if whole_jurisdiction:
        stmt = (
            db.select(TenantNode)
            .where(TenantNode.parent_id == jurisdiction.id)
            .order_by(TenantNode.sort_order, TenantNode.id)
        )
        return list(db.session.scalars(stmt))
    nodes = {n.id: n for n in role_nodes if n is not None and n.jurisdiction_id == jurisdiction.id}
    # A node inside another of the user's subtrees would be counted twice.
    return [
        n
        for n in sorted(nodes.values(), key=lambda n: (n.sort_order, n.id))
        if not any(o.id != n.id and n.path.startswith(o.path) for o in nodes.values())
    ]


def summary(
    as_of: dt.date | None = None,
    *,
    jurisdiction: TenantNode | None = None,
    units: list[TenantNode] | None = None,
) -> dict[str, Any]:
    """Totals, by unit, by category, by status and overdue buckets of the debts in the current scope.

    Money is ``Decimal``; rates are ``Decimal`` fractions (0.2500 = 25%). Outside a request pass
    ``jurisdiction`` and ``units``; inside one they come from ``g.principal``.
    """
    as_of = as_of or dt.date.today()
    principal = g.get("principal") if has_request_context() else None
    if jurisdiction is None and principal is not None:
        jurisdiction = principal.jurisdiction
    if units is None:
        units = (
            top_units(
                jurisdiction,
                principal.scope.whole_jurisdiction,
                [node for _, node in principal.role_nodes],
            )
            if principal is not None
            else []
        )

    totals = _figures(db.session.execute(db.select(*_aggregates(as_of)).select_from(Debt)).one())

    by_unit = []
    if units:
        unit = aliased(TenantNode)
        top = aliased(TenantNode)
        stmt = (
            db.select(top.id, *_aggregates(as_of))
            .select_from(Debt)
            .join(unit, unit.id == Debt.unit_id)
            .join(top, unit.path.startswith(top.path))
            .where(top.id.in_([u.id for u in units]))
            .group_by(top.id)
        )
        rows = {row.id: row for row in db.session.execute(stmt)}
        for node in units:
            figures = _figures(rows[node.id]) if node.id in rows else _figures(_EmptyRow)
            by_unit.append({"unit_id": node.id, "code": node.code, "name": node.name, **figures})
        if jurisdiction is not None and any(u.parent_id == jurisdiction.id for u in units):
            own = db.session.execute(
                db.select(*_aggregates(as_of)).select_from(Debt).where(Debt.unit_id == jurisdiction.id)
            ).one()
            if own.count:
                by_unit.append(
                    {"unit_id": jurisdiction.id, "code": jurisdiction.code, "name": "本级", **_figures(own)}
                )

    by_category = []
    cat_rows = {
        row.category: row
        for row in db.session.execute(
            db.select(
                Debt.category,
                func.count(Debt.id).label("count"),
                func.sum(Debt.amount_owed).label("owed"),
                func.sum(Debt.paid_amount).label("cleared"),
            )
            .where(Debt.status.notin_(EXCLUDED_STATUSES))
            .group_by(Debt.category)
        )
    }
    for cat in Category:
        row = cat_rows.get(cat.value)
        owed, cleared = money(row.owed if row else None), money(row.cleared if row else None)
        by_category.append(
            {
                "category": cat.value,
                "label": CATEGORY_LABELS[cat],
                "count": int(row.count) if row else 0,
                "owed": owed,
                "cleared": cleared,
                "outstanding": owed - cleared,
            }
        )

    status_rows = {
        row.status: row
        for row in db.session.execute(
            db.select(
                Debt.status,
                func.count(Debt.id).label("count"),
                func.sum(Debt.amount_owed).label("owed"),
                func.sum(_outstanding()).label("outstanding"),
            ).group_by(Debt.status)
        )
    }
    by_status = [
        {
            "status": status.value,
            "label": STATUS_LABELS[status],
            "count": int(status_rows[status.value].count) if status.value in status_rows else 0,
            "owed": money(status_rows[status.value].owed if status.value in status_rows else None),
            "outstanding": money(
                status_rows[status.value].outstanding if status.value in status_rows else None
            ),
        }
        for status in DebtStatus
    ]

    bucket_columns = []
    for key, _label, low, high in OVERDUE_BUCKETS:
        cond = _overdue_condition(as_of, low, high)
        bucket_columns += [
            func.sum(case((cond, 1), else_=0)).label(f"{key}_count"),
            func.sum(case((cond, _outstanding()), else_=0)).label(f"{key}_amount"),
        ]
    bucket_row = db.session.execute(db.select(*bucket_columns).select_from(Debt)).one()
    overdue_buckets = [
        {
            "bucket": key,
            "label": label,
            "count": int(getattr(bucket_row, f"{key}_count") or 0),
            "amount": money(getattr(bucket_row, f"{key}_amount")),
        }
        for key, label, _low, _high in OVERDUE_BUCKETS
    ]

    return {
        "as_of": as_of,
        "jurisdiction": {"id": jurisdiction.id, "code": jurisdiction.code, "name": jurisdiction.name}
        if jurisdiction is not None
        else None,
        "totals": totals,
        "by_unit": by_unit,
        "by_category": by_category,
        "by_status": by_status,
        "overdue_buckets": overdue_buckets,
    }


class _EmptyRow:
    count = campaign_count = owed = cleared = overdue_amount = overdue_count = excluded_amount = None


def to_json(value: Any) -> Any:
    """The summary with money and rates as strings (never floats) and dates as ISO strings."""
    if isinstance(value, Decimal):
        return f"{value:.4f}" if value.as_tuple().exponent == -4 else f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value
