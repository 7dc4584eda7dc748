"""Deposits not returned on time become arrears debts (category deposit, 条例第十三条).

The nightly job converts every deposit still held the day after its return date: a debt of the deposit's
amount, owed to the enterprise that paid it, due on the return date, confirmed (the unit itself registered
the deposit). The deposit keeps the debt it became, so the conversion happens once. A refund recorded
afterwards pays the debt; a debt paid off in the ledger marks the deposit returned.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from core.extensions import db
from core.models.debt import Category, Debt, PaymentMethod, Source
from core.models.enterprise import Enterprise
from core.models.notification import Notification, NotificationLevel
from core.rules.status import DebtStatus
from core.rules.validation import ValidationFailed
from core.services import debts, history
from core.web.templating import cn_date
from plugins.prevention.deposits.models import Deposit
from plugins.prevention.reviews.rules import DEPOSIT_KIND_LABELS

ARTICLE = "《保障中小企业款项支付条例》第十三条"
REASON = "保证金逾期未退还"
log = logging.getLogger("qingqian.prevention")


def due_for_conversion(jurisdiction_id: int, today: dt.date):
    return (
        db.select(Deposit)
        .where(
            Deposit.jurisdiction_id == jurisdiction_id,
            Deposit.returned_on.is_(None),
            Deposit.debt_id.is_(None),
            Deposit.due_back_on < today,
        )
        .order_by(Deposit.due_back_on, Deposit.id)
    )


def _creditor(deposit: Deposit) -> Enterprise:
    data = {"name": deposit.enterprise_name, "size_class": "small", "is_private": True}
    if deposit.credit_code:
        data["credit_code"] = deposit.credit_code
    else:
        # Without a code, the creditor is the one the unit already knows under this name, if any.
        known = db.session.scalar(
            db.select(Enterprise)
            .where(
                Enterprise.jurisdiction_id == deposit.jurisdiction_id,
                Enterprise.name == deposit.enterprise_name,
            )
            .order_by(Enterprise.id)
            .limit(1)
        )
        if known is not None and known.credit_code:
            data["credit_code"] = known.credit_code
    enterprise, _created, _linked = debts.register_and_link(deposit.unit, data)
    return enterprise


def debt_fields(deposit: Deposit) -> dict:
    label = DEPOSIT_KIND_LABELS.get(deposit.kind, deposit.kind)
    where = f"合同 {deposit.contract_no}" if deposit.contract_no else deposit.enterprise_name
    return {
        "project_name": f"{label}退还（{where}）",
        "contract_no": deposit.contract_no,
        "category": Category.DEPOSIT.value,
        "amount_owed": deposit.amount,
        "origin_date": deposit.received_on,
        "agreed_payment_date": deposit.due_back_on,
        "source": Source.SELF_INSPECTION.value,
        "status": DebtStatus.CONFIRMED.value,
        "reason": REASON,
        "remarks": (
            f"由保证金台账自动转入：{deposit.enterprise_name}于{cn_date(deposit.received_on)}缴纳的{label}，"
            f"应于{cn_date(deposit.due_back_on)}退还而未退还（{ARTICLE}）"
        ),
    }


def convert(deposit: Deposit, today: dt.date) -> Debt:
    """Turn one overdue deposit into a debt, with the history events of both and a notice to the unit."""
    creditor = _creditor(deposit)
    debt, _warnings = debts.create_debt(deposit.unit, debt_fields(deposit), creditor, actor=None)
    deposit.debt_id = debt.id
    deposit.converted_on = today
    deposit.version += 1
    db.session.flush()
    history.record(
        deposit,
        "converted_to_debt",
        after={"debt_id": debt.id, "amount": f"{deposit.amount:.2f}", "converted_on": today.isoformat()},
        actor=None,
        note=f"逾期未退还，转为欠款（{ARTICLE}）",
    )
    label = DEPOSIT_KIND_LABELS.get(deposit.kind, deposit.kind)
    db.session.add(
        Notification(
            jurisdiction_id=deposit.jurisdiction_id,
            unit_id=deposit.unit_id,
            key=f"prevention:deposit:{deposit.id}:converted",
            title=f"{deposit.enterprise_name}的{label}逾期未退，已转为拖欠账款",
            body=(
                f"{deposit.amount:,.2f} 元应于{cn_date(deposit.due_back_on)}退还，"
                "已记入欠款台账，请尽快退还。"
            ),
            link=f"/debts/{debt.id}",
            level=NotificationLevel.URGENT,
        )
    )
    return debt


def convert_overdue(jurisdiction_id: int, today: dt.date) -> dict[str, int]:
    """Convert every deposit due for it; idempotent (a converted deposit names its debt)."""
    converted = refused = 0
    for deposit in list(db.session.scalars(due_for_conversion(jurisdiction_id, today))):
        try:
            with db.session.begin_nested():
                convert(deposit, today)
            converted += 1
        except ValidationFailed as exc:
            # A unit that was deactivated since, say: the deposit stays on the overdue list for the office.
            refused += 1
            log.warning("deposit %s not converted: %s", deposit.id, exc)
    db.session.flush()
    return {"converted": converted, "refused": refused}


def settle_debt(deposit: Deposit, on: dt.date, actor) -> None:
    """A refund of a converted deposit pays what is still owed on its debt."""
    debt = db.session.get(Debt, deposit.debt_id) if deposit.debt_id else None
    if debt is None or debt.deleted_at is not None or debt.outstanding <= Decimal("0"):
        return
    debts.record_payment(
        debt,
        {
            "amount": debt.outstanding,
            "paid_on": on,
            "method": PaymentMethod.TRANSFER.value,
            "evidence": f"保证金台账登记退还（保证金第{deposit.id}号）",
        },
        actor=actor,
    )


def debt_paid(debt: Debt, payment, actor) -> None:
    """``qingqian_debt_paid``: a deposit debt paid off in the ledger marks its deposit returned."""
    if debt.category != Category.DEPOSIT.value or debt.outstanding > Decimal("0"):
        return
    deposit = db.session.scalar(db.select(Deposit).where(Deposit.debt_id == debt.id))
    if deposit is None or deposit.returned_on is not None:
        return
    deposit.returned_on = payment.paid_on
    deposit.version += 1
    db.session.flush()
    history.record(
        deposit,
        "refunded",
        after={"returned_on": payment.paid_on.isoformat(), "via_debt": debt.id},
        actor=actor,
    )
