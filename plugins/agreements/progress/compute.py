"""Clearance progress of a unit's subtree: amounts, ratios, classes, milestones, burn-down, laggards."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import lazyload

from core.extensions import db
from core.models.debt import Debt, Payment
from core.rules.status import DebtStatus
from core.tenancy.models import TenantNode
from core.tenancy.plans import deadline, plan_for
from plugins.agreements.clearance.models import Agreement, AgreementStatus, Classification, DebtClass

S = DebtStatus
# Verified arrears the campaign must clear (unverified, judicial and out-of-scope items are not counted).
COUNTED = {S.CONFIRMED, S.DISPUTED, S.UNDER_AGREEMENT, S.PARTLY_REPAID, S.CLEARED}
CLASS_KEYS = ("undisputed", "difficulty", "disputed", "unclassified")
CLASS_NAMES = {
    "undisputed": "无分歧",
    "difficulty": "确有支付困难",
    "disputed": "有分歧",
    "unclassified": "未分类",
}
# Typed zeros: an empty result still reads "0.00" yuan and a "0.0000" ratio on the wire.
ZERO = Decimal("0.00")
ZERO_RATIO = Decimal("0.0000")


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO_RATIO
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass
class Tally:
    count: int = 0
    owed: Decimal = ZERO
    paid: Decimal = ZERO
    cleared_count: int = 0

    @property
    def outstanding(self) -> Decimal:
        return self.owed - self.paid

    @property
    def ratio(self) -> Decimal:
        return ratio(self.paid, self.owed)

    def add(self, debt: Debt) -> None:
        self.count += 1
        self.owed += debt.amount_owed
        self.paid += debt.paid_amount
        self.cleared_count += debt.status == S.CLEARED

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "owed": self.owed,
            "paid": self.paid,
            "outstanding": self.outstanding,
            "cleared_count": self.cleared_count,
            "ratio": self.ratio,
        }


@dataclass
class Scope:
    node: TenantNode
    debts: list[Debt] = field(default_factory=list)
    payments: dict[int, list[Payment]] = field(default_factory=dict)
    classes: dict[int, Classification] = field(default_factory=dict)


def load(node: TenantNode) -> Scope:
    """The counted debts of ``node``'s subtree with their live payments and classifications."""
    subtree = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))
    counted = (Debt.unit_id.in_(subtree), Debt.status.in_(COUNTED))
    # Payments are read below in one query; the relationship's own loading would repeat it in batches
    # of 500 debts (3,026 statements for the page, its metrics and widget at benchmark scale).
    debts = list(
        db.session.scalars(
            db.select(Debt).where(*counted).options(lazyload(Debt.payments)).order_by(Debt.id)
        ).unique()
    )
    # The debts again as a sub-select, not a list of ids: a jurisdiction's 480,000 ids are past the
    # 65,535 parameters a PostgreSQL statement may carry (the page answered an error at that size).
    ids = db.select(Debt.id).where(*counted)
    payments: dict[int, list[Payment]] = defaultdict(list)
    classes: dict[int, Classification] = {}
    if debts:
        for p in db.session.scalars(
            db.select(Payment)
            .where(Payment.debt_id.in_(ids), Payment.reversed_at.is_(None))
            .order_by(Payment.paid_on, Payment.id)
        ):
            payments[p.debt_id].append(p)
        for c in db.session.scalars(
            db.select(Classification).where(Classification.debt_id.in_(ids))
        ).unique():
            classes[c.debt_id] = c
    return Scope(node, debts, payments, classes)


def _child_of(node: TenantNode, unit_path: str, children: list[TenantNode]) -> TenantNode:
    for child in children:
        if unit_path.startswith(child.path):
            return child
    return node


def progress(node: TenantNode, as_of: dt.date) -> dict[str, Any]:
    scope = load(node)
    plan = plan_for(node, on=as_of)
    start = deadline(plan, "ledger_complete")
    final = deadline(plan, "all_cleared")
    children = list(
        db.session.scalars(
            db.select(TenantNode).where(TenantNode.parent_id == node.id).order_by(TenantNode.path)
        )
    )
    total = Tally()
    by_unit: dict[int, Tally] = {}
    unit_nodes: dict[int, TenantNode] = {}
    by_class = {k: Tally() for k in CLASS_KEYS}
    for debt in scope.debts:
        total.add(debt)
        holder = _child_of(node, debt.unit.path, children)
        unit_nodes[holder.id] = holder
        by_unit.setdefault(holder.id, Tally()).add(debt)
        row = scope.classes.get(debt.id)
        by_class[row.debt_class if row else "unclassified"].add(debt)
    expected = expected_ratio(start, final, as_of)
    units = []
    for unit_id, tally in by_unit.items():
        entry = {"unit_id": unit_id, "unit_name": unit_nodes[unit_id].name, **tally.as_dict()}
        entry["expected_ratio"] = expected
        entry["gap"] = (expected - tally.ratio) if expected is not None else ZERO_RATIO
        units.append(entry)
    units.sort(key=lambda u: u["unit_name"])
    behind = sorted(
        (u for u in units if u["gap"] > 0 and u["outstanding"] > 0),
        key=lambda u: (-u["gap"], -u["outstanding"], u["unit_name"]),
    )
    return {
        "node_id": node.id,
        "node_name": node.name,
        "as_of": as_of,
        "total": total.as_dict(),
        "by_class": [{"key": k, "label": CLASS_NAMES[k], **by_class[k].as_dict()} for k in CLASS_KEYS],
        "units": units,
        "behind": behind,
        "milestones": milestones(plan, scope, total, as_of),
        "burn_down": burn_down(scope, total, start, final, as_of),
        "pay_on_discovery": pay_on_discovery(scope, as_of),
    }


def expected_ratio(start: dt.date | None, final: dt.date | None, as_of: dt.date) -> Decimal | None:
    """The straight line from nothing cleared at the ledger deadline to everything at the final one."""
    if start is None or final is None or final <= start:
        return None
    done = min(max((as_of - start).days, 0), (final - start).days)
    return ratio(Decimal(done), Decimal((final - start).days))


def milestones(plan: dict, scope: Scope, total: Tally, as_of: dt.date) -> list[dict[str, Any]]:
    out = []
    targets = plan.get("targets") or {}
    signed_by = deadline(plan, "agreements_signed")
    if signed_by:
        hard = [
            d for d in scope.debts if (c := scope.classes.get(d.id)) and c.debt_class == DebtClass.DIFFICULTY
        ]
        signed = set()
        if hard:
            signed = set(
                db.session.scalars(
                    db.select(Agreement.debt_id).where(
                        Agreement.debt_id.in_([d.id for d in hard]), Agreement.status != AgreementStatus.DRAFT
                    )
                )
            )
        out.append(
            {
                "key": "agreements_signed",
                "label": "难点欠款签订还款协议",
                "deadline": signed_by,
                "days_left": (signed_by - as_of).days,
                "target": Decimal(str(targets.get("agreement_ratio", "1"))),
                "actual": ratio(Decimal(len(signed)), Decimal(len(hard))) if hard else Decimal("1"),
                "detail": f"{len(signed)}/{len(hard)}笔",
            }
        )
    final = deadline(plan, "all_cleared")
    if final:
        out.append(
            {
                "key": "all_cleared",
                "label": "全部清偿完毕",
                "deadline": final,
                "days_left": (final - as_of).days,
                "target": Decimal(str(targets.get("cleared_ratio", "1"))),
                "actual": total.ratio,
                "detail": f"{total.cleared_count}/{total.count}笔",
            }
        )
    for m in out:
        m["met"] = m["actual"] >= m["target"]
        m["late"] = m["days_left"] < 0 and not m["met"]
    return out


def burn_down(
    scope: Scope, total: Tally, start: dt.date | None, final: dt.date | None, as_of: dt.date
) -> dict[str, Any]:
    """Outstanding at the end of each day from the ledger deadline, and the ideal straight line to zero."""
    paid_by_day: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for payments in scope.payments.values():
        for p in payments:
            paid_by_day[p.paid_on] += p.amount
    first = start or min(paid_by_day, default=as_of)
    last = max(as_of, final) if final else as_of
    outstanding = total.owed - sum((v for d, v in paid_by_day.items() if d <= first), ZERO)
    at_start = outstanding
    days = (last - first).days
    dates, actual, ideal = [], [], []
    for i in range(days + 1):
        day = first + dt.timedelta(days=i)
        if i:
            outstanding -= paid_by_day.get(day, ZERO)
        dates.append(day)
        actual.append(outstanding if day <= as_of else None)
        if final and final > first:
            ideal.append(
                max(ZERO, at_start * (1 - Decimal(i) / Decimal((final - first).days))).quantize(
                    Decimal("0.01")
                )
            )
        else:
            ideal.append(None)
    return {"dates": dates, "actual": actual, "ideal": ideal}


def pay_on_discovery(scope: Scope, as_of: dt.date) -> dict[str, Any]:
    """发现一起清偿一起: days from confirming an undisputed debt to paying its undisputed part in full."""
    days: list[int] = []
    pending = 0
    for debt in scope.debts:
        row = scope.classes.get(debt.id)
        if row is None or row.debt_class != DebtClass.UNDISPUTED:
            continue
        running, cleared_on = ZERO, None
        for p in scope.payments.get(debt.id, []):
            running += p.amount
            if running >= debt.undisputed_amount:
                cleared_on = p.paid_on
                break
        if cleared_on is None:
            pending += 1
        else:
            days.append(max(0, (cleared_on - row.confirmed_on).days))
    avg = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), ROUND_HALF_UP) if days else None
    return {
        "paid": len(days),
        "pending": pending,
        "average_days": avg,
        "max_days": max(days) if days else None,
    }
