"""The dashboard's figures, computed with SQL aggregates under the current tenant scope.

The web dashboard and GET /api/v1/dashboard both render this one dictionary, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import g, has_request_context
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased

from core import clock
from core.extensions import db
from core.models.debt import CATEGORY_LABELS, Category, Debt
from core.rules.status import OPEN_STATUSES, STATUS_LABELS, DebtStatus
from core.tenancy.models import TenantNode
from core.units import ratio

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
# The two scopes a 清偿率 is read over: every campaign debt (清偿率（全部欠款）), or only those verified as
# arrears (清偿率（已确认欠款）, what the progress report counts: not 待核实).
RATE_SCOPES = {"all": "清偿率（全部欠款）", "confirmed": "清偿率（已确认欠款）"}
UNCONFIRMED_STATUSES = (DebtStatus.TO_VERIFY.value,)


def money(value: Any) -> Decimal:
    # SQLite hands sums back as floats; str() keeps their shortest repr so quantize restores the cents.
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def rate(part: Decimal, whole: Decimal) -> Decimal:
    return ratio(part, whole)


def _outstanding():
    return Debt.amount_owed - Debt.paid_amount


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
        "confirmed_owed": money(row.confirmed_owed),
        "confirmed_cleared": money(row.confirmed_cleared),
        "confirmed_clearance_rate": rate(money(row.confirmed_cleared), money(row.confirmed_owed)),
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
    as_of = as_of or clock.today(jurisdiction)
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

    groups = _grouped(as_of, jurisdiction, units)
    totals = _figures(_Sum.of(groups))

    by_unit = []
    if units:
        for node in units:
            row = _Sum.of(g for g in groups if g.top_id == node.id)
            by_unit.append({"unit_id": node.id, "code": node.code, "name": node.name, **_figures(row)})
        if jurisdiction is not None and any(u.parent_id == jurisdiction.id for u in units):
            own = _Sum.of(g for g in groups if g.own)
            if own.count:
                by_unit.append(
                    {"unit_id": jurisdiction.id, "code": jurisdiction.code, "name": "本级", **_figures(own)}
                )

    by_category = []
    for cat in Category:
        row = _Sum.of(g for g in groups if g.category == cat.value and g.status not in EXCLUDED_STATUSES)
        owed, cleared = money(row.owed_all), money(row.paid_all)
        by_category.append(
            {
                "category": cat.value,
                "label": CATEGORY_LABELS[cat],
                "count": row.count,
                "owed": owed,
                "cleared": cleared,
                "outstanding": owed - cleared,
            }
        )

    by_status = []
    for status in DebtStatus:
        row = _Sum.of(g for g in groups if g.status == status.value)
        by_status.append(
            {
                "status": status.value,
                "label": STATUS_LABELS[status],
                "count": row.count,
                "owed": money(row.owed_all),
                "outstanding": money(row.owed_all) - money(row.paid_all),
            }
        )

    overdue_buckets = []
    for key, label, _low, _high in OVERDUE_BUCKETS:
        row = _Sum.of(g for g in groups if g.bucket == key)
        overdue_buckets.append(
            {
                "bucket": key,
                "label": label,
                "count": row.count,
                "amount": money(row.owed_all) - money(row.paid_all),
            }
        )

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


@dataclass
class _Group:
    """One row of the grouped pass: debts sharing top unit, own-level flag, category, status and bucket."""

    top_id: int | None
    own: bool
    category: str
    status: str
    bucket: str | None
    count: int
    owed: Decimal
    paid: Decimal


@dataclass
class _Sum:
    """Figures summed from groups, with the attribute names ``_figures`` reads."""

    count: int = 0
    campaign_count: int = 0
    owed: Decimal = ZERO  # campaign only
    cleared: Decimal = ZERO  # campaign only
    overdue_amount: Decimal = ZERO
    overdue_count: int = 0
    excluded_amount: Decimal = ZERO
    owed_all: Decimal = ZERO
    paid_all: Decimal = ZERO
    confirmed_owed: Decimal = ZERO
    confirmed_cleared: Decimal = ZERO

    @classmethod
    def of(cls, groups) -> _Sum:
        total = cls()
        for grp in groups:
            total.count += grp.count
            total.owed_all += grp.owed
            total.paid_all += grp.paid
            if grp.status in EXCLUDED_STATUSES:
                total.excluded_amount += grp.owed
            else:
                total.campaign_count += grp.count
                total.owed += grp.owed
                total.cleared += grp.paid
                if grp.status not in UNCONFIRMED_STATUSES:
                    total.confirmed_owed += grp.owed
                    total.confirmed_cleared += grp.paid
            if grp.bucket in _OVERDUE_KEYS:
                total.overdue_count += grp.count
                total.overdue_amount += grp.owed - grp.paid
        return total


_OVERDUE_KEYS = {key for key, _label, low, _high in OVERDUE_BUCKETS if low is not None}


def _bucket(as_of: dt.date):
    """The overdue bucket of an open, unpaid debt (NULL otherwise), as one CASE over OVERDUE_BUCKETS."""
    whens = []
    fallback = None
    for key, _label, low, high in OVERDUE_BUCKETS:
        if low is None:
            whens.append((or_(Debt.due_date.is_(None), Debt.due_date >= as_of), key))
        elif high is None:
            fallback = key
        else:
            whens.append((Debt.due_date >= as_of - dt.timedelta(days=high), key))
    live = and_(Debt.status.in_([s.value for s in OPEN_STATUSES]), _outstanding() > 0)
    return case((live, case(*whens, else_=fallback)), else_=None)


def _grouped(as_of: dt.date, jurisdiction: TenantNode | None, units: list[TenantNode]) -> list[_Group]:
    """Every figure of the summary from ONE pass over the debts in scope.

    The debts are grouped by (top unit, own level, category, status, overdue bucket) in SQL and the
    handful of groups are rolled up in Python. Six separate aggregate scans used to cost six times one
    (benchmarks/RESULTS.md, dashboard scenario); the groups are few (units × 3 × 8 × 6 at most).
    """
    keys = []
    stmt = db.select().select_from(Debt)
    if units:
        unit = aliased(TenantNode)
        top = aliased(TenantNode)
        # Unit → top-level row it rolls up to: a small mapping joined once, not a LIKE per debt.
        mapping = (
            db.select(unit.id.label("unit_id"), top.id.label("top_id"))
            .join(top, unit.path.startswith(top.path))
            .where(top.id.in_([u.id for u in units]))
            .subquery()
        )
        stmt = stmt.outerjoin(mapping, mapping.c.unit_id == Debt.unit_id)
        keys.append(mapping.c.top_id.label("top_id"))
    if jurisdiction is not None:
        keys.append(case((Debt.unit_id == jurisdiction.id, 1), else_=0).label("own"))
    keys += [Debt.category, Debt.status, _bucket(as_of).label("bucket")]
    stmt = stmt.add_columns(
        *keys,
        func.count(Debt.id).label("count"),
        func.sum(Debt.amount_owed).label("owed"),
        func.sum(Debt.paid_amount).label("paid"),
    ).group_by(*keys)
    return [
        _Group(
            getattr(row, "top_id", None),
            bool(getattr(row, "own", 0)),
            row.category,
            row.status,
            row.bucket,
            int(row.count or 0),
            money(row.owed),
            money(row.paid),
        )
        for row in db.session.execute(stmt)
    ]


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
