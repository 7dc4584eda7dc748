"""Year-end figures: per unit, the contracts overdue and still unpaid at 31 December, and how much.

A debt counts when its due date (computed by the payment-term rules) is on or before 31 December and
what it owed minus the payments made by that day (reversed ones excluded) is above zero; the amount is
that balance. Cases in court still count (they are overdue and unpaid); debts found out of scope (not
owed to an SME, for instance) do not. Debts without a due date cannot be judged and are counted apart,
so the office can fix them before publishing. Agencies and public institutions publish on the
government website; SOEs and their subsidiaries disclose in their annual report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt, Payment
from core.rules.status import DebtStatus
from core.tenancy.models import NODE_KIND_LABELS, NodeKind, TenantNode

ZERO = Decimal("0.00")
ENTERPRISES = (NodeKind.SOE, NodeKind.SUBSIDIARY)
CHANNEL_LABELS = {"public": "政府信息公开", "annual_report": "企业年度报告"}


@dataclass
class UnitFigure:
    unit_id: int
    unit_name: str
    kind_label: str
    channel: str  # public | annual_report
    count: int = 0
    amount: Decimal = ZERO

    def as_json(self) -> dict:
        return {**asdict(self), "amount": f"{self.amount:.2f}", "channel_label": CHANNEL_LABELS[self.channel]}


@dataclass
class YearFigures:
    year: int
    units: list[UnitFigure]
    undetermined: int  # debts without a due date: not judged

    @property
    def total_count(self) -> int:
        return sum(u.count for u in self.units)

    @property
    def total_amount(self) -> Decimal:
        return sum((u.amount for u in self.units), ZERO)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def figures(jurisdiction: TenantNode, year: int) -> YearFigures:
    """The jurisdiction's figures for ``year``, under the caller's tenant scope."""
    end = year_end(year)
    in_scope = (Debt.jurisdiction_id == jurisdiction.id, Debt.status != DebtStatus.OUT_OF_SCOPE)
    debts = db.session.execute(
        db.select(Debt.id, Debt.unit_id, Debt.amount_owed).where(*in_scope, Debt.due_date <= end)
    ).all()
    paid: dict[int, Decimal] = {}
    payments = db.session.execute(
        db.select(Payment.debt_id, Payment.amount)
        .join(Debt, Debt.id == Payment.debt_id)
        .where(*in_scope, Debt.due_date <= end, Payment.paid_on <= end, Payment.reversed_at.is_(None))
    )
    for debt_id, amount in payments:
        paid[debt_id] = paid.get(debt_id, ZERO) + amount
    by_unit: dict[int, tuple[int, Decimal]] = {}
    for debt_id, unit_id, owed in debts:
        balance = owed - paid.get(debt_id, ZERO)
        if balance > 0:
            count, amount = by_unit.get(unit_id, (0, ZERO))
            by_unit[unit_id] = (count + 1, amount + balance)
    undetermined = db.session.scalar(
        db.select(db.func.count(Debt.id)).where(*in_scope, Debt.due_date.is_(None))
    )
    units = []
    nodes = db.session.scalars(
        db.select(TenantNode)
        .where(TenantNode.path.startswith(jurisdiction.path), TenantNode.active.is_(True))
        .order_by(TenantNode.path)
    )
    for node in nodes:
        count, amount = by_unit.get(node.id, (0, ZERO))
        channel = "annual_report" if node.kind in ENTERPRISES else "public"
        units.append(
            UnitFigure(node.id, node.name, NODE_KIND_LABELS.get(node.kind, node.kind), channel, count, amount)
        )
    return YearFigures(year, units, int(undetermined or 0))
