"""A confirmation and the ledger: the debt it is, what financing does to it, and bills it is paid with.

Financing does not clear a debt. A confirmed receivable is linked to the unit's debt for the same creditor
and contract, or the debt is created from the confirmation (the debtor has just said it owes it). A
receivable sold by factoring names its assignee as the creditor of record in the debt's history and
remarks; the debt stays the SME's arrears for the campaign, so wage-first and every other payment rule still
apply to it. A payment by commercial bill (incl. supply-chain bills) or receivable e-voucher against a
contract that does not provide for it is flagged (条例第十一条).
"""

from __future__ import annotations

import datetime as dt
import logging

from core.extensions import db
from core.models.debt import Debt, PaymentMethod
from core.models.enterprise import Enterprise
from core.rules.status import DebtStatus
from core.rules.validation import Refused as CoreRefused
from core.services import debts, history
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.finance.confirmations.models import Confirmation

log = logging.getLogger("qingqian.finance")
CATEGORIES = {"goods": "货物", "works": "工程", "services": "服务"}
BILL_METHODS = {PaymentMethod.COMMERCIAL_BILL.value, PaymentMethod.E_VOUCHER.value}
ARTICLE_11 = "《保障中小企业款项支付条例》第十一条"


def matching_debt(item: Confirmation) -> Debt | None:
    """The open debt of the debtor unit owed to this creditor under this contract, if the ledger has it."""
    return db.session.scalar(
        db.select(Debt)
        .join(Enterprise, Enterprise.id == Debt.creditor_id)
        .where(
            Debt.unit_id == item.unit_id,
            Debt.contract_no == item.contract_no,
            Enterprise.credit_code == item.creditor_code,
            Debt.deleted_at.is_(None),
        )
        .order_by(Debt.id)
        .limit(1)
    )


def link(item: Confirmation) -> Debt | None:
    """Link the request to its debt when the ledger has one (at filing, and again on the answer)."""
    if item.debt_id is not None:
        return db.session.get(Debt, item.debt_id)
    debt = matching_debt(item)
    if debt is not None:
        item.debt_id = debt.id
        history.record(
            debt,
            "receivable_confirmation",
            after={"confirmation_id": item.id, "tracking_code": item.tracking_code},
            note=f"{item.creditor_name}申请应收账款确权（查询码 {item.tracking_code}）",
        )
    return debt


def link_or_create(item: Confirmation, actor) -> Debt | None:
    """On a confirmation: the linked debt, or a new one of the confirmed amount and due date.

    A debt the ledger refuses (a deactivated unit, say) is not created; the request says why in its
    timeline and the confirmation stands.
    """
    from plugins.finance.confirmations.service import record_step

    debt = link(item)
    if debt is not None:
        history.record(
            debt,
            "receivable_confirmed",
            after={"confirmation_no": item.confirmation_no, "confirmed_amount": str(item.confirmed_amount)},
            actor=actor,
            note=f"欠款单位确认应收账款 {item.confirmed_amount} 元（确权编号 {item.confirmation_no}）",
        )
        return debt
    unit = db.session.get(TenantNode, item.unit_id)
    data = {
        "project_name": item.contract_name or f"合同 {item.contract_no}",
        "contract_no": item.contract_no,
        "category": item.category or "goods",
        "amount_owed": item.confirmed_amount,
        "agreed_payment_date": item.payment_due_date,
        "source": "other",
        "status": DebtStatus.CONFIRMED.value,
        "remarks": (
            f"由应收账款确权登记：{cn_date(item.answered_on)}确认，确权编号 {item.confirmation_no}"
            + (f"，发票号码 {item.invoice_numbers}" if item.invoice_numbers else "")
        ),
    }
    try:
        with db.session.begin_nested():
            creditor, _created, _linked = debts.register_and_link(
                unit, {"name": item.creditor_name, "credit_code": item.creditor_code, "size_class": "small"}
            )
            debt, _warnings = debts.create_debt(unit, data, creditor, actor=actor)
    except CoreRefused as exc:
        log.warning("confirmation %s: debt not created: %s", item.id, exc)
        record_step(
            item, "debt_not_created", "未能登记欠款台账，请清欠办核实", actor=actor, note=str(exc)[:500]
        )
        return None
    item.debt_id = debt.id
    record_step(item, "debt_created", f"已登记欠款台账（欠款第{debt.id}号）", actor=actor)
    return debt


def assign(item: Confirmation, assignee: str, on: dt.date, actor) -> None:
    """Factoring sold the receivable: the assignee becomes the creditor of record, in the debt's history."""
    from plugins.finance.confirmations.service import record_step

    item.assignee_name, item.assigned_on = assignee, on
    record_step(item, "assigned", f"应收账款已转让给{assignee}（保理），受让人为债权人", actor=actor)
    debt = db.session.get(Debt, item.debt_id) if item.debt_id else None
    if debt is None or debt.deleted_at is not None:
        return
    note = f"应收账款已于{cn_date(on)}转让给{assignee}（保理），付款应向受让人支付"
    remarks = f"{debt.remarks}；{note}" if debt.remarks else note
    debts.update_debt(debt, {"remarks": remarks[:2000]}, actor=actor, note="保理：债权转让")
    history.record(
        debt,
        "creditor_assigned",
        before={"creditor_of_record": item.creditor_name},
        after={"creditor_of_record": assignee, "assigned_on": on.isoformat()},
        actor=actor,
        note=note,
    )


def debt_paid(debt: Debt, payment, actor) -> None:
    """``qingqian_debt_paid``: a bill or e-voucher the confirmed contract does not provide for is flagged."""
    from plugins.finance.confirmations.service import notify, record_step

    if payment.method not in BILL_METHODS:
        return
    item = db.session.scalar(db.select(Confirmation).where(Confirmation.debt_id == debt.id).limit(1))
    if item is None or item.bills_agreed:
        return
    label = payment.method_label
    history.record(
        debt,
        "payment_flagged",
        after={"payment_id": payment.id, "method": payment.method, "amount": str(payment.amount)},
        actor=actor,
        note=f"以{label}支付，合同未约定此付款方式（{ARTICLE_11}）",
    )
    record_step(
        item, "payment_flagged", f"欠款单位以{label}支付 {payment.amount} 元，合同未约定（{ARTICLE_11}）"
    )
    notify(
        item.jurisdiction_id,
        item.jurisdiction_id,
        key=f"finance:payment:{payment.id}:flagged",
        title=f"以{label}支付未经合同约定",
        body=f"{debt.unit.name}向{item.creditor_name}以{label}支付 {payment.amount} 元，合同未约定该付款方式"
        f"（{ARTICLE_11}），请核查是否强制使用或变相延长付款期限。",
        link=f"/finance/confirmations/{item.id}",
    )
