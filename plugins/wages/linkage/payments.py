"""Works payments on a project's debts: the labour-cost share owed to the dedicated wage account, payments
that bypass it, and the builder's advance of wages (先行垫付) up to the works payment it still owes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core import clock
from core.extensions import db
from core.models.debt import Debt
from core.services import debts as core_debts
from core.services import history
from core.services.debts import PaymentRefused
from plugins.wages.linkage.cases import open_cases_of, wages_paid
from plugins.wages.linkage.imports import ZERO
from plugins.wages.linkage.models import (
    CaseStatus,
    WageAccountPayment,
    WageCase,
    WagePaymentKind,
    WageProject,
    WageProjectDebt,
)

CENT = Decimal("0.01")


def labour_share_due(project: WageProject, amount: Decimal) -> Decimal:
    """What of a works payment of ``amount`` belongs in the wage account: the project's percentage of
    it, or its fixed amount per payment (never more than the payment)."""
    if project.labour_share_percent is not None:
        return (amount * project.labour_share_percent / 100).quantize(CENT, ROUND_HALF_UP)
    if project.labour_share_amount is not None:
        return min(project.labour_share_amount, amount)
    return ZERO


@dataclass(frozen=True)
class Advance:
    wage_arrears: Decimal
    works_unpaid: Decimal
    late: bool

    @property
    def amount(self) -> Decimal:
        """The builder advances the unpaid wages up to the works payment it still owes."""
        return min(self.wage_arrears, self.works_unpaid)

    def as_json(self) -> dict[str, Any]:
        return {
            "wage_arrears": f"{self.wage_arrears:.2f}",
            "works_unpaid": f"{self.works_unpaid:.2f}",
            "late": self.late,
            "amount": f"{self.amount:.2f}",
        }


def wage_arrears(project: WageProject) -> Decimal:
    """Wages still owed on the project: the unpaid wage part of its debts with an open case, plus open
    cases linked to the project but not yet to one of its debts."""
    owed = ZERO
    for debt in project.debts:
        if debt.deleted_at is None and open_cases_of(debt):
            owed += max(ZERO, (debt.migrant_wage_amount or ZERO) - wages_paid(debt))
    unplaced = db.session.scalars(
        db.select(WageCase).where(
            WageCase.project_id == project.id,
            WageCase.debt_id.is_(None),
            WageCase.status != CaseStatus.CLEARED,
        )
    )
    return owed + sum((c.amount_owed for c in unplaced), ZERO)


def advance_of(project: WageProject) -> Advance:
    today = clock.today()
    debts = [d for d in project.debts if d.deleted_at is None]
    unpaid = sum((max(ZERO, d.outstanding) for d in debts), ZERO)
    late = any(d.due_date is not None and d.due_date < today and d.outstanding > 0 for d in debts)
    return Advance(wage_arrears(project), unpaid, late)


def record(project: WageProject, debt: Debt, data: dict[str, Any], actor=None) -> WageAccountPayment:
    """Record a payment on ``debt`` through core (so every payment rule applies, wage-first included)
    with the part that went to the wage account. An advance is all wages, and at most the advance due."""
    if debt.id not in {d.id for d in project.debts}:
        raise PaymentRefused("debt_id", "该欠款不属于此项目")
    kind = data.get("kind") or WagePaymentKind.WORKS
    amount = Decimal(data["amount"])
    to_account = data.get("to_wage_account")
    if kind == WagePaymentKind.ADVANCE:
        due = advance_of(project).amount
        if amount > due:
            raise PaymentRefused("amount", f"先行垫付金额不能超过应垫付金额（{due:.2f}元）")
        wage_part = data.get("wage_amount")
        if wage_part is not None and Decimal(wage_part) != amount:
            raise PaymentRefused(
                "wage_amount", "先行垫付的款项全部用于支付农民工工资，工资部分应等于垫付金额"
            )
        data = {**data, "wage_amount": amount}
        to_account = amount if to_account is None else to_account
        share = ZERO
    else:
        share = labour_share_due(project, amount)
    to_account = Decimal(to_account if to_account is not None else 0)
    if to_account > amount:
        raise PaymentRefused("to_wage_account", "拨入工资专用账户的金额不能大于本次付款金额")
    fields = ("paid_on", "amount", "wage_amount", "method", "evidence")
    payment = core_debts.record_payment(
        debt, {k: data[k] for k in fields if data.get(k) is not None}, actor=actor
    )
    # The payment hook has already noted it as a works payment with nothing sent to the wage account.
    row = row_of(payment.id) or WageAccountPayment(
        jurisdiction_id=debt.jurisdiction_id,
        unit_id=debt.unit_id,
        project_id=project.id,
        payment_id=payment.id,
    )
    row.kind, row.to_wage_account, row.labour_share_due = kind, to_account, share
    db.session.add(row)
    db.session.flush()
    history.record(
        row,
        "recorded",
        after={
            "kind": row.kind,
            "amount": f"{amount:.2f}",
            "to_wage_account": f"{to_account:.2f}",
            "labour_share_due": f"{share:.2f}",
        },
        actor=actor,
    )
    return row


def row_of(payment_id: int) -> WageAccountPayment | None:
    return db.session.scalar(db.select(WageAccountPayment).where(WageAccountPayment.payment_id == payment_id))


def note_payment(debt: Debt, payment) -> WageAccountPayment | None:
    """A payment recorded elsewhere (the debt page, an agreement's instalment, the API) on a project's
    debt: its labour-cost share is due to the wage account and nothing is known to have gone there, so
    it shows as bypassing the account until the office corrects it."""
    if row_of(payment.id) is not None:
        return None
    link = db.session.scalar(db.select(WageProjectDebt).where(WageProjectDebt.debt_id == debt.id))
    if link is None:
        return None
    row = WageAccountPayment(
        jurisdiction_id=debt.jurisdiction_id,
        unit_id=debt.unit_id,
        project_id=link.project_id,
        payment_id=payment.id,
        kind=WagePaymentKind.WORKS,
        to_wage_account=ZERO,
        labour_share_due=labour_share_due(link.project, Decimal(payment.amount)),
    )
    db.session.add(row)
    db.session.flush()
    return row


def payments_of(project: WageProject) -> list[WageAccountPayment]:
    return list(
        db.session.scalars(
            db.select(WageAccountPayment)
            .where(WageAccountPayment.project_id == project.id)
            .order_by(WageAccountPayment.id)
        )
    )
