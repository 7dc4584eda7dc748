"""Roll-ups of the live ledger: totals by unit (whole subtrees), debtor type, category, status, source and
month of origin, as SQL aggregates under the caller's tenant scope. Money stays Decimal.

Like the dashboard, roll-ups cover the campaign's debts: judicial cases and out-of-scope items are recorded
but are not arrears to clear, so they are left out of the totals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, func
from sqlalchemy.orm import aliased, raiseload

from core.extensions import db
from core.models.debt import CATEGORY_LABELS, SOURCE_LABELS, Category, Debt, Source
from core.rules.status import STATUS_LABELS, DebtStatus
from core.services import bulk
from core.services.dashboard import EXCLUDED_STATUSES, money
from core.tenancy.models import NODE_KIND_LABELS, NodeKind, TenantNode

DIMENSIONS = {
    "unit": "按单位",
    "kind": "按债务人类型",
    "category": "按欠款类别",
    "status": "按状态",
    "source": "按来源",
    "month": "按欠款发生月份",
}
ZERO = Decimal("0.00")


@dataclass
class RollupRow:
    key: str
    label: str
    count: int = 0
    owed: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO
    unit_id: int | None = None

    def as_dict(self) -> dict:
        out = {
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "owed": f"{self.owed:.2f}",
            "paid": f"{self.paid:.2f}",
            "outstanding": f"{self.outstanding:.2f}",
        }
        if self.unit_id is not None:
            out["unit_id"] = self.unit_id
        return out


@dataclass
class Rollup:
    by: str
    rows: list[RollupRow] = field(default_factory=list)
    parent: TenantNode | None = None

    @property
    def label(self) -> str:
        return DIMENSIONS[self.by]

    @property
    def total(self) -> RollupRow:
        return RollupRow(
            key="total",
            label="合计",
            count=sum(r.count for r in self.rows),
            owed=sum((r.owed for r in self.rows), ZERO),
            paid=sum((r.paid for r in self.rows), ZERO),
            outstanding=sum((r.outstanding for r in self.rows), ZERO),
        )

    def as_dict(self) -> dict:
        out = {
            "by": self.by,
            "label": self.label,
            "rows": [r.as_dict() for r in self.rows],
            "total": self.total.as_dict(),
        }
        if self.parent is not None:
            out["parent"] = {"id": self.parent.id, "name": self.parent.name}
        return out


def _measures():
    return (
        func.count(Debt.id),
        func.sum(Debt.amount_owed),
        func.sum(Debt.paid_amount),
    )


def _campaign():
    return Debt.status.notin_(EXCLUDED_STATUSES)


def _row(key: str, label: str, count, owed, paid, unit_id: int | None = None) -> RollupRow:
    owed_d, paid_d = money(owed), money(paid)
    return RollupRow(key, label, int(count or 0), owed_d, paid_d, owed_d - paid_d, unit_id)


def _sums_by_unit(*criteria) -> dict[int, tuple[int, Decimal, Decimal]]:
    """Campaign (count, owed, paid) per debtor unit in scope, in one grouped pass over the debts.

    Callers roll the units up in Python. Joining the unit tree into the aggregate instead made PostgreSQL
    test a path prefix for every debt once many tenants were present (an SOE group's roll-up by unit:
    0.3 s with 10 jurisdictions, 0.9 s with 10,000).
    """
    return {
        unit_id: (int(count or 0), owed or ZERO, paid or ZERO)
        for unit_id, count, owed, paid in db.session.execute(
            db.select(Debt.unit_id, *_measures()).where(_campaign(), *criteria).group_by(Debt.unit_id)
        ).all()
    }


def _roll_up(sums: dict[int, tuple[int, Decimal, Decimal]], key_of: dict[int, Any]) -> dict[Any, tuple]:
    """Per-unit totals added up under each unit's key; units without a key are left out."""
    out: dict[Any, tuple[int, Decimal, Decimal]] = {}
    for unit_id, (count, owed, paid) in sums.items():
        key = key_of.get(unit_id)
        if key is not None:
            total = out.get(key, (0, ZERO, ZERO))
            out[key] = (total[0] + count, total[1] + owed, total[2] + paid)
    return out


def by_unit(parent: TenantNode) -> Rollup:
    """One row per child of ``parent``, each over its whole subtree (an SOE group includes its
    subsidiaries), plus the parent's own debts as 本级."""
    children = list(
        db.session.scalars(
            db.select(TenantNode)
            .where(TenantNode.parent_id == parent.id)
            .order_by(TenantNode.sort_order, TenantNode.path)
        )
    )
    # Each unit of the subtree counts towards the child of ``parent`` its path passes through ('/1/5/' +
    # '9/12/' → 9), the parent's own towards the parent.
    top: dict[int, int] = {}
    for node_id, path in db.session.execute(
        db.select(TenantNode.id, TenantNode.path).where(TenantNode.path.startswith(parent.path))
    ).all():
        first = path[len(parent.path) :].strip("/").split("/")[0]
        top[node_id] = int(first) if first else parent.id
    sums = _roll_up(_sums_by_unit(bulk.among(Debt.unit_id, list(top))), top)
    rows = [
        _row(str(child.id), child.name, *sums.get(child.id, (0, ZERO, ZERO)), unit_id=child.id)
        for child in children
        if child.active or child.id in sums
    ]
    own = sums.get(parent.id)
    if own and own[0]:
        rows.insert(0, _row(str(parent.id), f"{parent.name}（本级）", *own, unit_id=parent.id))
    return Rollup("unit", rows, parent)


def _grouped(column, labels: dict, order: list[str]) -> list[RollupRow]:
    found = {
        key: rest
        for key, *rest in db.session.execute(
            db.select(column, *_measures()).select_from(Debt).where(_campaign()).group_by(column)
        ).all()
    }
    rows = []
    for key in order + sorted(k for k in found if k not in order and k is not None):
        if key in found:
            rows.append(_row(str(key), labels.get(key, str(key)), *found[key]))
    if None in found:
        rows.append(_row("none", "未填写", *found[None]))
    return rows


def by_kind() -> Rollup:
    sums = _sums_by_unit()
    # As the join it replaces: a debt counts under a unit the caller sees.
    kinds = {
        node_id: str(kind)
        for node_id, kind in db.session.execute(
            db.select(TenantNode.id, TenantNode.kind).where(bulk.among(TenantNode.id, list(sums)))
        )
    }
    found = _roll_up(sums, kinds)
    rows = [
        _row(kind.value, NODE_KIND_LABELS[kind], *found[kind.value])
        for kind in NodeKind
        if kind.value in found
    ]
    return Rollup("kind", rows)


def by_month() -> Rollup:
    year = extract("year", Debt.origin_date)
    month = extract("month", Debt.origin_date)
    rows = []
    unknown = None
    for y, m, *rest in db.session.execute(
        db.select(year, month, *_measures())
        .select_from(Debt)
        .where(_campaign())
        .group_by(year, month)
        .order_by(year, month)
    ).all():
        if y is None:
            unknown = rest
            continue
        y, m = int(y), int(m)
        rows.append(_row(f"{y:04d}-{m:02d}", f"{y}年{m}月", *rest))
    if unknown is not None:
        rows.append(_row("none", "未填写发生日期", *unknown))
    return Rollup("month", rows)


def rollup(by: str, parent: TenantNode | None = None) -> Rollup:
    if by == "unit":
        if parent is None:
            raise ValueError("by=unit needs a parent unit")
        return by_unit(parent)
    if by == "kind":
        return by_kind()
    if by == "category":
        return Rollup("category", _grouped(Debt.category, CATEGORY_LABELS, [c.value for c in Category]))
    if by == "status":
        order = [s.value for s in DebtStatus if s.value not in EXCLUDED_STATUSES]
        return Rollup("status", _grouped(Debt.status, STATUS_LABELS, order))
    if by == "source":
        return Rollup("source", _grouped(Debt.source, SOURCE_LABELS, [s.value for s in Source]))
    if by == "month":
        return by_month()
    raise ValueError(f"unknown roll-up dimension {by!r}")


def _ledger_select(stmt, parent: TenantNode | None):
    stmt = stmt.where(_campaign())
    if parent is None:
        return stmt
    return stmt.where(
        Debt.unit_id.in_(db.select(TenantNode.id).where(TenantNode.path.startswith(parent.path)))
    )


def ledger_count(parent: TenantNode | None = None) -> int:
    """How many debts ``ledger_debts`` yields."""
    return db.session.scalar(_ledger_select(db.select(func.count(Debt.id)), parent)) or 0


def ledger_debts(parent: TenantNode | None = None, batch: int = 2000) -> Iterator[Debt]:
    """The whole live ledger in scope (optionally one subtree), for the export, ``batch`` debts at a time.

    An office's ledger can hold hundreds of thousands of debts: they are streamed, never all in memory, and
    their payments (not exported; ``paid_amount`` is on the debt) are not loaded.
    """
    stmt = _ledger_select(db.select(Debt), parent).options(raiseload(Debt.payments))
    debtor = aliased(TenantNode)
    stmt = stmt.join(debtor, debtor.id == Debt.unit_id).order_by(debtor.path, Debt.id)
    yield from db.session.scalars(stmt.execution_options(yield_per=batch))
