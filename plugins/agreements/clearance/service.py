"""Classifying debts, dispute tracks, agreements with installments, and paying installments (via core)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core import clock
from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.enterprise import Enterprise
from core.rules.status import DebtStatus
from core.rules.validation import Issue, ValidationFailed
from core.services import debts as core_debts
from core.services import history
from core.services.debts import PaymentRefused
from core.tenancy.models import TenantNode
from core.tenancy.plans import deadline, plan_for
from plugins.agreements.clearance import rules
from plugins.agreements.clearance.models import (
    Agreement,
    AgreementStatus,
    Classification,
    DebtClass,
    DisputeStep,
    Installment,
    InstallmentPayment,
    InstallmentStatus,
)

S = DebtStatus
# "Confirmed" debts: verified, still open, inside the campaign's scope.
CLASSIFIABLE = {S.CONFIRMED, S.DISPUTED, S.UNDER_AGREEMENT, S.PARTLY_REPAID}
ACTIVE_AGREEMENT = {AgreementStatus.DRAFT, AgreementStatus.SIGNED, AgreementStatus.BREACHED}


class Conflict(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([Issue(field, message)])


def _set_debt_status(debt: Debt, status: str, actor, note: str) -> None:
    """Through core's update_debt so the change is in the debt's history and status hooks fire."""
    if debt.status != status:
        core_debts.update_debt(debt, {"status": status}, actor=actor, note=note)


# --- Classification ---------------------------------------------------------------------------------


def classification_of(debt_id: int) -> Classification | None:
    return db.session.scalar(db.select(Classification).where(Classification.debt_id == debt_id))


def classify(debt: Debt, data: dict[str, Any], actor=None) -> Classification:
    if debt.status not in CLASSIFIABLE:
        raise _fail("debt_id", "只有已核实确认、尚未清偿的欠款才能分类")
    debt_class = DebtClass(data["debt_class"])
    confirmed_on = data.get("confirmed_on") or clock.today()
    # The year's plan in force when the debt was confirmed sets its deadlines, not the first year's.
    plan = plan_for(debt.unit, on=confirmed_on)
    reason = (data.get("reason") or "").strip() or None
    issues: list[Issue] = []
    if debt_class == DebtClass.DIFFICULTY and not reason:
        issues.append(Issue("reason", "确有支付困难的，请说明困难原因"))
    if debt_class == DebtClass.DISPUTED and (debt.disputed_amount or 0) <= 0:
        issues.append(Issue("debt_class", "该笔欠款没有争议金额，请先在台账中填写有争议部分"))
    banned = rules.banned_excuse_issue("reason", reason)
    if banned:
        issues.append(banned)
    if issues:
        raise ValidationFailed(issues)
    pay_by = None
    if debt_class != DebtClass.DIFFICULTY and (debt.undisputed_amount or 0) > 0:
        pay_by = rules.undisputed_pay_by(plan, confirmed_on, debt.contract_date)
    elif debt_class == DebtClass.DIFFICULTY:
        pay_by = deadline(plan, "all_cleared")
    agreement_by = deadline(plan, "agreements_signed") if debt_class == DebtClass.DIFFICULTY else None
    row = classification_of(debt.id)
    before = history.snapshot(row) if row else None
    if row is None:
        row = Classification(jurisdiction_id=debt.jurisdiction_id, unit_id=debt.unit_id, debt_id=debt.id)
        row.created_by_id = getattr(actor, "id", None)
        db.session.add(row)
    else:
        row.version += 1
    row.debt_class = debt_class
    row.confirmed_on = confirmed_on
    row.pay_by = pay_by
    row.agreement_by = agreement_by
    row.reason = reason
    db.session.flush()
    if before is None:
        history.record(row, "created", after=history.snapshot(row), actor=actor)
    else:
        old, new = history.diff(before, history.snapshot(row))
        history.record(row, "updated", before=old, after=new, actor=actor)
    if debt_class == DebtClass.DISPUTED and debt.status == S.CONFIRMED:
        _set_debt_status(debt, S.DISPUTED, actor, "分类为有分歧欠款")
    return row


def add_step(row: Classification, data: dict[str, Any], actor=None) -> DisputeStep:
    if row.debt_class != DebtClass.DISPUTED:
        raise _fail("classification_id", "只有有分歧的欠款才有协商、调解或法律途径记录")
    if data.get("ended_on") and data["ended_on"] < data["started_on"]:
        raise _fail("ended_on", "结束日期不能早于开始日期")
    step = DisputeStep(
        jurisdiction_id=row.jurisdiction_id,
        unit_id=row.unit_id,
        classification_id=row.id,
        kind=data["kind"],
        started_on=data["started_on"],
        ended_on=data.get("ended_on"),
        outcome=(data.get("outcome") or "").strip() or None,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(step)
    db.session.flush()
    history.record(step, "created", after=history.snapshot(step), actor=actor)
    return step


def missing_plans(jurisdiction: TenantNode, as_of: dt.date | None = None) -> dict[str, Any]:
    """Units with payment-difficulty debts that have no signed agreement although the deadline has passed."""
    as_of = as_of or clock.today()
    plan = plan_for(jurisdiction, on=as_of)
    due = deadline(plan, "agreements_signed")
    signed = db.select(Agreement.debt_id).where(
        Agreement.status.in_([AgreementStatus.SIGNED, AgreementStatus.FULFILLED, AgreementStatus.BREACHED])
    )
    stmt = (
        db.select(Debt, Classification)
        .join(Classification, Classification.debt_id == Debt.id)
        .where(
            Debt.jurisdiction_id == jurisdiction.id,
            Classification.debt_class == DebtClass.DIFFICULTY,
            Debt.status.in_(CLASSIFIABLE),
            Debt.id.not_in(signed),
            Classification.agreement_by.is_not(None),
            Classification.agreement_by < as_of,
        )
        .order_by(Debt.unit_id, Debt.id)
    )
    units: dict[int, dict[str, Any]] = {}
    for debt, row in db.session.execute(stmt).unique():
        entry = units.setdefault(
            debt.unit_id,
            {
                "unit_id": debt.unit_id,
                "unit_name": debt.unit.name,
                "count": 0,
                "amount": Decimal("0"),
                "debts": [],
            },
        )
        entry["count"] += 1
        entry["amount"] += debt.outstanding
        entry["debts"].append(
            {
                "debt_id": debt.id,
                "project_name": debt.project_name,
                "creditor": debt.creditor.display_name,
                "outstanding": debt.outstanding,
                "agreement_by": row.agreement_by,
                "days_late": (as_of - row.agreement_by).days,
            }
        )
    rows = sorted(units.values(), key=lambda u: (-u["amount"], u["unit_name"]))
    return {"deadline": due, "as_of": as_of, "units": rows}


# --- Agreements -------------------------------------------------------------------------------------


def active_agreement(debt_id: int) -> Agreement | None:
    return db.session.scalar(
        db.select(Agreement).where(Agreement.debt_id == debt_id, Agreement.status.in_(ACTIVE_AGREEMENT))
    )


def create_agreement(debt: Debt, data: dict[str, Any], actor=None) -> tuple[Agreement, list[Issue]]:
    if debt.status not in CLASSIFIABLE:
        raise _fail("debt_id", "只有已核实确认、尚未清偿的欠款才能签订还款协议")
    if active_agreement(debt.id) is not None:
        raise Conflict("该笔欠款已有未履行完毕的还款协议")
    signed_on = data.get("signed_on")
    plan = plan_for(debt.unit, on=signed_on or clock.today())
    agreed = Decimal(data["agreed_amount"])
    if agreed <= 0:
        raise _fail("agreed_amount", "协议金额必须大于0")
    if agreed > debt.outstanding:
        raise _fail("agreed_amount", f"协议金额不能超过未付余额（{debt.outstanding:.2f}元）")
    installments = sorted(data["installments"], key=lambda i: i["due_on"])
    late_reason = (data.get("late_reason") or "").strip() or None
    issues = rules.check_installments(agreed, installments, plan, late_reason, signed_on)
    if signed_on and signed_on > clock.today():
        issues.append(Issue("signed_on", "签订日期不能晚于今天"))
    if issues:
        raise ValidationFailed(issues)
    method = data.get("planned_method") or "transfer"
    warnings: list[Issue] = []
    flagged = method in rules.TERM_EXTENSION_METHODS
    if flagged:
        warnings.append(
            Issue(
                "planned_method",
                "以商业汇票或应收账款电子凭证支付可能变相延长付款期限（条例第十一条），已标记待清欠办核查",
                "warning",
            )
        )
    due = deadline(plan, "agreements_signed")
    if signed_on and due and signed_on > due:
        warnings.append(Issue("signed_on", f"协议签订晚于方案要求的{due:%Y年%-m月%-d日}", "warning"))
    unit = debt.unit
    agreement = Agreement(
        jurisdiction_id=debt.jurisdiction_id,
        unit_id=debt.unit_id,
        debt_id=debt.id,
        debtor_party=(data.get("debtor_party") or unit.name).strip(),
        creditor_party=(data.get("creditor_party") or _creditor_name(debt)).strip(),
        agreed_amount=agreed,
        signed_on=signed_on,
        status=AgreementStatus.SIGNED if signed_on else AgreementStatus.DRAFT,
        planned_method=method,
        term_extension_flag=flagged,
        late_reason=late_reason,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(agreement)
    db.session.flush()
    for seq, item in enumerate(installments, start=1):
        db.session.add(
            Installment(
                jurisdiction_id=debt.jurisdiction_id,
                unit_id=debt.unit_id,
                agreement_id=agreement.id,
                seq=seq,
                due_on=item["due_on"],
                amount=Decimal(item["amount"]),
                paid_amount=Decimal("0"),
                status=InstallmentStatus.PENDING,
            )
        )
    db.session.flush()
    db.session.refresh(agreement)
    history.record(agreement, "created", after=history.snapshot(agreement), actor=actor)
    if signed_on:
        _set_debt_status(debt, S.UNDER_AGREEMENT, actor, "签订还款协议")
    return agreement, warnings


def _creditor_name(debt: Debt) -> str:
    creditor = debt.creditor or db.session.get(Enterprise, debt.creditor_id)
    return creditor.display_name


def sign(agreement: Agreement, signed_on: dt.date, actor=None) -> Agreement:
    if agreement.status != AgreementStatus.DRAFT:
        raise Conflict("该协议已签署")
    if signed_on > clock.today():
        raise _fail("signed_on", "签订日期不能晚于今天")
    if any(i.due_on < signed_on for i in agreement.installments):
        raise _fail("signed_on", "有分期还款日期早于签订日期")
    agreement.signed_on = signed_on
    agreement.status = AgreementStatus.SIGNED
    agreement.version += 1
    db.session.flush()
    history.record(agreement, "signed", after={"signed_on": signed_on.isoformat()}, actor=actor)
    _set_debt_status(agreement.debt, S.UNDER_AGREEMENT, actor, "签订还款协议")
    return agreement


def attach_scan(agreement: Agreement, relative: str, mime: str, name: str, size: int, actor=None) -> None:
    before = {"scan_name": agreement.scan_name}
    agreement.scan_path = relative
    agreement.scan_mime = mime
    agreement.scan_name = name[:200]
    agreement.scan_size = size
    agreement.version += 1
    db.session.flush()
    history.record(
        agreement, "scan_attached", before=before, after={"scan_name": agreement.scan_name}, actor=actor
    )


# --- Installment payments ---------------------------------------------------------------------------


def refresh_installment(inst: Installment, as_of: dt.date | None = None) -> Installment:
    """Paid amount from the live (not reversed) payments linked to it; status from that and the date."""
    as_of = as_of or clock.today()
    paid = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(Payment.amount), 0))
        .join(InstallmentPayment, InstallmentPayment.payment_id == Payment.id)
        .where(InstallmentPayment.installment_id == inst.id, Payment.reversed_at.is_(None))
    )
    inst.paid_amount = Decimal(paid or 0)
    if inst.paid_amount >= inst.amount:
        inst.status = InstallmentStatus.PAID
    elif inst.due_on < as_of:
        inst.status = InstallmentStatus.MISSED
    elif inst.paid_amount > 0:
        inst.status = InstallmentStatus.PARTIAL
    else:
        inst.status = InstallmentStatus.PENDING
    return inst


def refresh_agreement(agreement: Agreement) -> Agreement:
    if agreement.status == AgreementStatus.DRAFT:
        return agreement
    statuses = {i.status for i in agreement.installments}
    if statuses == {InstallmentStatus.PAID}:
        agreement.status = AgreementStatus.FULFILLED
    elif InstallmentStatus.MISSED in statuses:
        agreement.status = AgreementStatus.BREACHED
    else:
        agreement.status = AgreementStatus.SIGNED
    return agreement


def pay_installment(inst: Installment, data: dict[str, Any], actor=None) -> Payment:
    agreement = inst.agreement
    if agreement.status == AgreementStatus.DRAFT:
        raise PaymentRefused("installment_id", "协议尚未签署，不能按分期登记付款")
    amount = Decimal(data["amount"])
    refresh_installment(inst)
    if amount > inst.outstanding:
        raise PaymentRefused("amount", f"付款金额超过本期未付金额（{inst.outstanding:.2f}元）")
    payment = core_debts.record_payment(agreement.debt, data, actor=actor)
    db.session.add(
        InstallmentPayment(
            jurisdiction_id=inst.jurisdiction_id,
            unit_id=inst.unit_id,
            installment_id=inst.id,
            payment_id=payment.id,
        )
    )
    db.session.flush()
    refresh_installment(inst)
    refresh_agreement(agreement)
    db.session.flush()
    return payment


def reverse(payment: Payment, reason: str, actor=None) -> Payment:
    """Core's reversal (never a deletion), then the installment it paid is re-opened."""
    core_debts.reverse_payment(payment, reason, actor=actor)
    link = db.session.scalar(db.select(InstallmentPayment).where(InstallmentPayment.payment_id == payment.id))
    if link is not None:
        refresh_installment(link.installment)
        refresh_agreement(link.installment.agreement)
        db.session.flush()
    return payment


def wages_paid(debt: Debt) -> Decimal:
    if debt.id is None:
        return Decimal("0")
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(Payment.wage_amount), 0)).where(
            Payment.debt_id == debt.id, Payment.reversed_at.is_(None)
        )
    )
    return Decimal(total or 0)


def wage_first(debt: Debt, payment_data: dict[str, Any]) -> list[Issue]:
    """The plugin's payment check (hook ``qingqian_validate_payment``)."""
    wage_total = debt.migrant_wage_amount or Decimal("0") if debt.migrant_wages else Decimal("0")
    paid = wages_paid(debt)
    if debt.migrant_wages and wage_total <= 0:
        # Wage amount pending (工资金额待补充): until a figure is entered, all that is still owed may be
        # wages, so every payment goes to wages first.
        wage_total = paid + max(Decimal("0"), debt.outstanding)
        amount = Decimal(payment_data["amount"])
        wage_part = Decimal(payment_data.get("wage_amount") or 0)
        if Decimal("0") <= wage_part < amount <= debt.outstanding:
            return [
                Issue(
                    "wage_amount",
                    f"该笔欠款涉及农民工工资，工资金额待补充：补充前全部未付余额按农民工工资优先支付，"
                    f"本次付款{amount:.2f}元应全部计入工资部分（当前填报{wage_part:.2f}元）",
                )
            ]
    if wage_total <= 0:
        return []
    return rules.wage_first_issues(
        Decimal(wage_total),
        paid,
        Decimal(payment_data["amount"]),
        Decimal(payment_data.get("wage_amount") or 0),
    )
