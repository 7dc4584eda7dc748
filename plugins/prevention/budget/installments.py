"""Agreement installments due in a year whose debt has no budget arrangement for it (还款纳入预算).

Repayment agreements belong to the agreements plugin, which this one does not import: their tables are
found by name among the models the installed plugins register (``qingqian_register_models``), as the
accountability and wages plugins read them. Without the agreements plugin there are no installments and
the list is empty. An arrangement is recorded on the agreement's debt for the year (one per debt and year,
``BudgetArrangement``): it covers the debt and the installments of its agreement falling due that year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt
from core.plugins import flatten, get_pm
from core.rules.status import OPEN_STATUSES
from core.tenancy.models import TenantNode
from plugins.prevention.budget.models import BudgetArrangement

# Agreements whose installments are still to be paid: signed (履行中) or breached (已违约, still owed).
# A draft binds no one yet; a fulfilled agreement has nothing left to pay.
LIVE_AGREEMENTS = ("signed", "breached")
PAID = "paid"
ZERO = Decimal("0.00")


def model_of(table: str):
    """The mapped class of ``table`` when the plugin owning it is installed in this app, else None."""
    for model in flatten(get_pm().hook.qingqian_register_models()):
        if getattr(model, "__tablename__", None) == table:
            return model
    return None


def agreement_models():
    installment, agreement = model_of("agreements_installments"), model_of("agreements_agreements")
    if installment is None or agreement is None:
        return None
    return installment, agreement


@dataclass
class UnbudgetedInstallment:
    installment_id: int
    agreement_id: int
    seq: int
    due_on: dt.date
    amount: Decimal
    outstanding: Decimal
    debt: Debt
    # What the debt's agreement still has to pay in the year (the amount to budget for it).
    year_total: Decimal

    @property
    def unit_id(self) -> int:
        return self.debt.unit_id

    @property
    def unit_name(self) -> str:
        return self.debt.unit.name

    @property
    def creditor_name(self) -> str:
        return self.debt.creditor.display_name

    @property
    def project_name(self) -> str:
        return self.debt.project_name

    @property
    def debt_id(self) -> int:
        return self.debt.id


def under_agreement_stmt():
    """Debt ids under a live agreement (their schedule is the installments), or None without the plugin."""
    models = agreement_models()
    if models is None:
        return None
    _installment, agreement = models
    return db.select(agreement.debt_id).where(agreement.status.in_(LIVE_AGREEMENTS))


def unbudgeted_installments(
    year: int, node: TenantNode | None = None, debt_id: int | None = None
) -> list[UnbudgetedInstallment]:
    """Unpaid installments of live agreements due by the end of ``year`` (this year's and missed ones)
    whose debt has no arrangement for ``year``; in the reader's scope, optionally under ``node`` or of one
    debt."""
    models = agreement_models()
    if models is None:
        return []
    installment, agreement = models
    arranged = db.select(BudgetArrangement.debt_id).where(BudgetArrangement.year == year)
    stmt = (
        db.select(installment, Debt)
        .join(agreement, agreement.id == installment.agreement_id)
        .join(Debt, Debt.id == agreement.debt_id)
        .where(
            agreement.status.in_(LIVE_AGREEMENTS),
            installment.status != PAID,
            installment.due_on <= dt.date(year, 12, 31),
            Debt.deleted_at.is_(None),
            Debt.status.in_([str(s) for s in OPEN_STATUSES]),
            Debt.id.not_in(arranged),
        )
        .order_by(installment.due_on, Debt.id, installment.seq)
    )
    if node is not None:
        inside = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))
        stmt = stmt.where(Debt.unit_id.in_(inside))
    if debt_id is not None:
        stmt = stmt.where(Debt.id == debt_id)
    rows = [
        UnbudgetedInstallment(
            installment_id=inst.id,
            agreement_id=inst.agreement_id,
            seq=inst.seq,
            due_on=inst.due_on,
            amount=inst.amount,
            outstanding=inst.amount - (inst.paid_amount or ZERO),
            debt=debt,
            year_total=ZERO,
        )
        for inst, debt in db.session.execute(stmt)
    ]
    totals: dict[int, Decimal] = {}
    for row in rows:
        totals[row.debt.id] = totals.get(row.debt.id, ZERO) + row.outstanding
    for row in rows:
        row.year_total = min(totals[row.debt.id], row.debt.outstanding)
    return rows
