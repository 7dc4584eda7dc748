"""Creating, changing, paying and deleting debts, with validation, history and hooks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core import clock
from core.extensions import db
from core.models.base import utcnow
from core.models.debt import FLAGGED_METHODS, OPENING_PAYMENT_LABEL, Debt, Payment
from core.models.enterprise import Enterprise, EnterpriseLink
from core.plugins import flatten, get_pm
from core.rules import credit_code
from core.rules.payment_terms import (
    TermInput,
    compute_due_date,
    daily_rate_for,
    late_interest,
    overdue_days,
)
from core.rules.status import ACCRUING_STATUSES, DebtStatus, check_transition, status_after_payment
from core.rules.validation import Issue, Refused, ValidationFailed
from core.services import history
from core.services.locks import lock_row
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for

# Fields a user may set directly; computed ones (due date, interest, paid amount) are not among them.
EDITABLE_FIELDS = (
    "project_name",
    "contract_no",
    "contract_date",
    "contract_amount",
    "category",
    "amount_owed",
    "undisputed_amount",
    "disputed_amount",
    "origin_date",
    "clock_start",
    "delivery_date",
    "settlement_date",
    "acceptance_date",
    "acceptance_period_days",
    "agreed_term_days",
    "agreed_payment_date",
    "agreed_daily_rate",
    "planned_repayment_date",
    "source",
    "migrant_wages",
    "migrant_wage_amount",
    "judicial",
    "reason",
    "remarks",
    "debtor_type",
    "is_private",
)


class StaleVersion(Exception):
    """The client's If-Match does not match the current version."""


class PaymentRefused(Refused):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def field_errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]}


# --- Enterprises ------------------------------------------------------------------------------------


def find_enterprise_by_code(jurisdiction_id: int, code: str) -> Enterprise | None:
    """Look across the whole jurisdiction: creditors are de-duplicated there, not per unit."""
    return db.session.scalar(
        db.select(Enterprise).where(
            Enterprise.jurisdiction_id == jurisdiction_id, Enterprise.credit_code == code
        ),
        execution_options={SKIP_FILTER: True},
    )


def enterprise_name(text: str | None) -> str:
    """A creditor's name as stored: ideographic spaces as spaces, runs of spaces as one, trimmed."""
    return " ".join(str(text or "").replace("\u3000", " ").split())


def check_enterprise_data(
    unit: TenantNode, data: dict[str, Any], strict: bool | None = None
) -> tuple[str, str | None, str | None]:
    """``register_enterprise``'s validation alone: ``(name, normalised credit code, code warning)``.

    Raises ``ValidationFailed`` for an unusable code or name. Bulk callers (the ledger import) use it to
    validate a creditor they already resolved without the per-call lookups of ``register_enterprise``.
    """
    plan = plan_for(unit)
    strict = plan.get("rules", {}).get("credit_code_strict", False) if strict is None else strict
    issues: list[Issue] = []
    name = enterprise_name(data.get("name"))
    if not name:
        issues.append(Issue("name", "企业名称不能为空"))
    code_value = None
    warning = None
    if data.get("credit_code"):
        result = credit_code.check(data["credit_code"])
        if not result.valid or (strict and not result.checksum_ok):
            issues.append(Issue("credit_code", result.message or "统一社会信用代码无效"))
        else:
            code_value = result.code
            warning = result.message
    if issues:
        raise ValidationFailed(issues)
    return name, code_value, warning


def register_enterprise(
    unit: TenantNode, data: dict[str, Any], actor=None, strict: bool | None = None
) -> tuple[Enterprise, bool]:
    """Find the jurisdiction's creditor with this credit code or create it; link it to ``unit``.

    Returns ``(enterprise, created)``. Raises ``ValidationFailed`` for an unusable code or name.
    """
    enterprise, created, _linked = register_and_link(unit, data, actor=actor, strict=strict)
    return enterprise, created


def register_and_link(
    unit: TenantNode, data: dict[str, Any], actor=None, strict: bool | None = None
) -> tuple[Enterprise, bool, bool]:
    """``register_enterprise`` that also says whether the creditor is new to ``unit`` (a new link).

    A unit new to a known creditor gets its own view (the name, contacts and address it entered): it
    reads nothing another unit recorded (core.services.creditors).
    """
    from core.services.creditors import fill_new_link

    name, code_value, warning = check_enterprise_data(unit, data, strict)
    jurisdiction_id = unit.jurisdiction_id
    existing = find_enterprise_by_code(jurisdiction_id, code_value) if code_value else None
    created = existing is None
    if existing is None:
        existing = Enterprise(
            jurisdiction_id=jurisdiction_id,
            name=name,
            credit_code=code_value,
            credit_code_warning=warning,
            size_class=data.get("size_class") or "small",
            is_private=data.get("is_private", True),
            contacts=data.get("contacts") or [],
            address=data.get("address"),
            registered_by_unit_id=unit.id,
        )
        db.session.add(existing)
        db.session.flush()
        history.record(existing, "created", after=history.snapshot(existing), actor=actor, unit_id=unit.id)
    link = db.session.scalar(
        db.select(EnterpriseLink).where(
            EnterpriseLink.enterprise_id == existing.id, EnterpriseLink.unit_id == unit.id
        ),
        execution_options={SKIP_FILTER: True},
    )
    linked = link is None
    if link is None:
        link = EnterpriseLink(jurisdiction_id=jurisdiction_id, unit_id=unit.id, enterprise_id=existing.id)
        fill_new_link(link, name, data)
        db.session.add(link)
        db.session.flush()
        if not created:
            # The unit's own record of how it came to know the creditor; the registrar's "created" is its own.
            history.record(
                existing,
                "linked",
                after={"name": link.name, "contacts": link.contacts, "address": link.address},
                actor=actor,
                unit_id=unit.id,
            )
    return existing, created, linked


def update_enterprise(
    enterprise: Enterprise, changes: dict[str, Any], actor=None, unit_id: int | None = None
) -> Enterprise:
    """``unit_id``: the unit the change is filed under (the actor's own; default the jurisdiction)."""
    before = history.snapshot(enterprise)
    if "credit_code" in changes and changes["credit_code"]:
        result = credit_code.check(changes["credit_code"])
        if not result.valid:
            raise ValidationFailed([Issue("credit_code", result.message or "统一社会信用代码无效")])
        other = find_enterprise_by_code(enterprise.jurisdiction_id, result.code)
        if other is not None and other.id != enterprise.id:
            raise ValidationFailed(
                [Issue("credit_code", "本辖区已有使用该统一社会信用代码的企业", conflict=True)]
            )
        changes = {**changes, "credit_code": result.code}
        enterprise.credit_code_warning = result.message
    for key, value in changes.items():
        setattr(enterprise, key, value)
    enterprise.version += 1
    db.session.flush()
    old, new = history.diff(before, history.snapshot(enterprise))
    history.record(
        enterprise,
        "updated",
        before=old,
        after=new,
        actor=actor,
        unit_id=unit_id if unit_id is not None else enterprise.jurisdiction_id,
    )
    return enterprise


# --- Debts ------------------------------------------------------------------------------------------


class UnitRules:
    """What validating and computing a unit's debts needs: its plan and the enabled plugins' hooks.

    Looked up once per unit; bulk writers keep one per unit instead of asking for every debt.
    """

    def __init__(self, unit: TenantNode) -> None:
        pm = get_pm()
        tenant = _jurisdiction_of(unit)
        self.unit = unit
        self.plan = plan_for(unit)
        self.validate_hook = pm.hook_for(tenant, "qingqian_validate_debt")
        self.due_date_hook = pm.hook_for(tenant, "qingqian_compute_due_date")
        self.interest_hook = pm.hook_for(tenant, "qingqian_compute_late_interest")


def check_debt(debt: Debt, unit: TenantNode, rules: UnitRules | None = None) -> list[Issue]:
    """Every issue core and the jurisdiction's enabled plugins raise for ``debt`` (errors and warnings).

    The one validation: saving a debt (form, API, bulk create, update) and the ledger import's preview
    all ask this, so a row the preview accepts is a row the commit writes.
    """
    rules = rules or UnitRules(unit)
    return list(flatten(rules.validate_hook(debt=debt, plan=rules.plan, tenant=unit)))


def validate(debt: Debt, unit: TenantNode, rules: UnitRules | None = None) -> list[Issue]:
    """``check_debt``, raising ``ValidationFailed`` with the errors; returns the warnings."""
    issues = check_debt(debt, unit, rules)
    errors = [i for i in issues if i.level == "error"]
    if errors:
        raise ValidationFailed(errors)
    return [i for i in issues if i.level != "error"]


def _jurisdiction_of(unit: TenantNode) -> TenantNode:
    if unit.is_jurisdiction:
        return unit
    return db.session.get(TenantNode, unit.jurisdiction_id, execution_options={SKIP_FILTER: True})


def wage_amount_pending(debt: Debt) -> bool:
    """Migrant wages are involved but their amount is not known yet (工资金额待补充)."""
    return bool(debt.migrant_wages) and not (debt.migrant_wage_amount or Decimal("0")) > 0


def recompute(
    debt: Debt,
    as_of: dt.date | None = None,
    unit: TenantNode | None = None,
    rules: UnitRules | None = None,
    payments: list[tuple[dt.date, Decimal]] | None = None,
) -> Debt:
    """Due date, overdue days and late interest from the debt's dates, payments and the plan's rules.

    ``payments``: the live (date, amount) payments when the caller has them (a debt not written yet);
    by default they are read from the database.
    """
    as_of = as_of or clock.today()
    debt.wage_amount_pending = wage_amount_pending(debt)
    unit = unit or debt.unit or db.session.get(TenantNode, debt.unit_id)
    as_of = as_of or clock.today(unit)
    rules = rules or UnitRules(unit)
    plan = rules.plan
    terms = TermInput(
        debtor_class=unit.debtor_class,
        contract_date=debt.contract_date,
        clock_start=debt.clock_start or "delivery",
        delivery_date=debt.delivery_date,
        settlement_date=debt.settlement_date,
        acceptance_date=debt.acceptance_date,
        acceptance_period_days=debt.acceptance_period_days,
        agreed_term_days=debt.agreed_term_days,
        agreed_payment_date=debt.agreed_payment_date,
    )
    due = rules.due_date_hook(debt=debt, plan=plan, tenant=unit)
    debt.due_date = due if due is not None else compute_due_date(terms, plan).due_date
    if payments is None:
        payments = [(p.paid_on, p.amount) for p in _payments_of(debt) if p.reversed_at is None]
    live_payments = payments
    accruing = debt.status in ACCRUING_STATUSES
    debt.overdue_days = overdue_days(debt.due_date, as_of, debt.outstanding) if accruing else 0
    interest = rules.interest_hook(debt=debt, payments=live_payments, as_of=as_of, plan=plan, tenant=unit)
    if interest is None:
        rate = daily_rate_for(plan, debt.contract_date, debt.agreed_daily_rate)
        end = as_of if debt.outstanding > 0 else max((d for d, _ in live_payments), default=as_of)
        interest = late_interest(debt.amount_owed, debt.due_date, live_payments, end, rate)
    debt.late_interest = interest
    debt.computed_on = as_of
    return debt


def _payments_of(debt: Debt) -> list[Payment]:
    if debt.id is None:
        return []
    return list(
        db.session.scalars(db.select(Payment).where(Payment.debt_id == debt.id).order_by(Payment.paid_on))
    )


def new_debt_fields(
    unit: TenantNode, data: dict[str, Any], creditor: Enterprise, actor=None
) -> dict[str, Any]:
    """The column values of a new debt: the caller's editable fields and what every new debt starts with
    (to verify, nothing paid, the whole amount undisputed unless split, judicial ones as such)."""
    fields: dict[str, Any] = {key: data[key] for key in EDITABLE_FIELDS if key in data}
    fields.update(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        creditor_id=creditor.id,
        status=DebtStatus.TO_VERIFY,
        created_by_id=getattr(actor, "id", None),
        paid_amount=Decimal("0"),
    )
    if not fields.get("undisputed_amount") and not fields.get("disputed_amount"):
        fields["undisputed_amount"] = fields.get("amount_owed")
        fields["disputed_amount"] = Decimal("0")
    if data.get("status"):
        check_transition(DebtStatus.TO_VERIFY, data["status"])
        fields["status"] = data["status"]
    if fields.get("judicial"):
        fields["status"] = DebtStatus.JUDICIAL
    return fields


def build_debt(
    unit: TenantNode, data: dict[str, Any], creditor: Enterprise, actor=None
) -> tuple[Debt, list[Issue]]:
    """A new, validated and computed debt added to the session but not yet flushed.

    ``create_debt`` flushes it and calls ``announce_created``; ``core.services.debts_bulk.create_debts``
    is the same for many debts at once.
    """
    debt = Debt(**new_debt_fields(unit, data, creditor, actor))
    debt.creditor = creditor
    debt.unit = unit
    warnings = validate(debt, unit)
    recompute(debt, unit=unit)
    db.session.add(debt)
    return debt, warnings


def announce_created(debt: Debt, actor=None) -> None:
    """After the flush that gave the debt its id: the history event and the plugins' created hook."""
    history.record(debt, "created", after=history.snapshot(debt), actor=actor)
    get_pm().hook_for(_jurisdiction_of(debt.unit), "qingqian_debt_created")(debt=debt, actor=actor)


def create_debt(
    unit: TenantNode, data: dict[str, Any], creditor: Enterprise, actor=None
) -> tuple[Debt, list[Issue]]:
    debt, warnings = build_debt(unit, data, creditor, actor)
    db.session.flush()
    announce_created(debt, actor)
    return debt, warnings


def check_version(obj, if_match: str | None) -> None:
    if if_match is not None and if_match.strip() not in (obj.etag, "*", obj.etag.replace('"', "")):
        raise StaleVersion(obj.etag)


def apply_changes(debt: Debt, changes: dict[str, Any]) -> None:
    """Set the editable ``changes`` on ``debt`` as ``update_debt`` does (a new amount owed moves the
    undisputed part unless the split is given). The import's preview applies them to a draft copy."""
    for key, value in changes.items():
        if key not in EDITABLE_FIELDS:
            raise ValidationFailed([Issue(key, "该字段不能直接修改")])
        setattr(debt, key, value)
    if ("amount_owed" in changes) and not ({"undisputed_amount", "disputed_amount"} & changes.keys()):
        debt.undisputed_amount = debt.amount_owed - (debt.disputed_amount or Decimal("0"))


def update_debt(
    debt: Debt, changes: dict[str, Any], actor=None, note: str | None = None
) -> tuple[Debt, list[Issue]]:
    before = history.snapshot(debt)
    new_status = changes.pop("status", None)
    new_unit_id = changes.pop("unit_id", None)
    apply_changes(debt, changes)
    unit = debt.unit
    if new_unit_id is not None and new_unit_id != debt.unit_id:
        unit = db.session.get(TenantNode, new_unit_id)
        if unit is None:
            raise ValidationFailed([Issue("unit_id", "债务单位不存在或不在您的权限范围内")])
        debt.unit_id = unit.id
        debt.unit = unit
    old_status = debt.status
    if debt.judicial and old_status != DebtStatus.JUDICIAL and new_status is None:
        new_status = DebtStatus.JUDICIAL
    if new_status and new_status != old_status:
        check_transition(old_status, new_status)
        debt.status = new_status
    warnings = validate(debt, unit)
    recompute(debt, unit=unit)
    debt.version += 1
    db.session.flush()
    old, new = history.diff(before, history.snapshot(debt))
    old.pop("version", None)
    new.pop("version", None)
    if not new:
        return debt, warnings
    history.record(debt, "updated", before=old, after=new, actor=actor, note=note)
    tenant = _jurisdiction_of(unit)
    get_pm().hook_for(tenant, "qingqian_debt_changed")(debt=debt, before=old, after=new, actor=actor)
    if debt.status != old_status:
        get_pm().hook_for(tenant, "qingqian_debt_status_changed")(
            debt=debt, old_status=old_status, new_status=debt.status, actor=actor
        )
    return debt, warnings


def delete_debt(debt: Debt, actor=None, reason: str | None = None) -> None:
    debt.deleted_at = utcnow()
    debt.version += 1
    db.session.flush()
    history.record(
        debt,
        "deleted",
        before={"deleted_at": None},
        after={"deleted_at": str(debt.deleted_at)},
        actor=actor,
        note=reason,
    )


def record_payment(debt: Debt, data: dict[str, Any], actor=None) -> Payment:
    lock_row(debt)  # the balance checked and added to is the current one (concurrent payments)
    amount = Decimal(data["amount"])
    if amount <= 0:
        raise PaymentRefused("amount", "付款金额必须大于0")
    if amount > debt.outstanding:
        raise PaymentRefused("amount", f"付款金额超过未付余额（{debt.outstanding:.2f}元）")
    if data["paid_on"] > clock.today(debt.unit):
        raise PaymentRefused("paid_on", "付款日期不能晚于今天")
    if debt.status in (DebtStatus.OUT_OF_SCOPE,):
        raise PaymentRefused("debt_id", "该债务不属于清欠范围，不能登记付款")
    unit = debt.unit or db.session.get(TenantNode, debt.unit_id)
    checked = {**data, "amount": amount, "wage_amount": Decimal(data.get("wage_amount") or 0)}
    for issue in flatten(
        get_pm().hook_for(_jurisdiction_of(unit), "qingqian_validate_payment")(
            debt=debt, payment_data=checked, plan=plan_for(unit), tenant=unit
        )
    ):
        if issue.level == "error":
            raise PaymentRefused(issue.field, issue.message)
    payment = Payment(
        jurisdiction_id=debt.jurisdiction_id,
        unit_id=debt.unit_id,
        debt_id=debt.id,
        paid_on=data["paid_on"],
        amount=amount,
        method=data.get("method") or "transfer",
        evidence=data.get("evidence"),
        wage_amount=Decimal(data.get("wage_amount") or 0),
        created_by_id=getattr(actor, "id", None),
    )
    payment.flagged = payment.method in FLAGGED_METHODS
    db.session.add(payment)
    before = history.snapshot(debt)
    debt.paid_amount = (debt.paid_amount or Decimal("0")) + amount
    old_status = debt.status
    debt.status = status_after_payment(debt.status, debt.outstanding, debt.paid_amount)
    db.session.flush()
    recompute(debt)
    debt.version += 1
    db.session.flush()
    history.record(payment, "created", after=history.snapshot(payment), actor=actor)
    old, new = history.diff(before, history.snapshot(debt))
    history.record(debt, "paid", before=old, after=new, actor=actor, note=f"付款 {amount:.2f} 元")
    tenant = _jurisdiction_of(debt.unit)
    get_pm().hook_for(tenant, "qingqian_debt_paid")(debt=debt, payment=payment, actor=actor)
    if debt.status != old_status:
        get_pm().hook_for(tenant, "qingqian_debt_status_changed")(
            debt=debt, old_status=old_status, new_status=debt.status, actor=actor
        )
    return payment


def opening_payment_values(
    debt: Debt, amount: Decimal, paid_on: dt.date, actor=None, evidence: str | None = None
) -> dict[str, Any]:
    """The columns of an opening payment (``Payment.opening``): money paid before the debt was registered.

    Its wage part assumes wages were paid first (the rule the payment followed), up to the known wage
    amount; a pending wage amount leaves it 0.
    """
    wages = debt.migrant_wage_amount if debt.migrant_wages else Decimal("0")
    return {
        "jurisdiction_id": debt.jurisdiction_id,
        "unit_id": debt.unit_id,
        "debt_id": debt.id,
        "paid_on": paid_on,
        "amount": amount,
        "method": "transfer",
        "flagged": False,
        "opening": True,
        "evidence": evidence or OPENING_PAYMENT_LABEL,
        "wage_amount": min(amount, wages or Decimal("0")),
        "created_by_id": getattr(actor, "id", None),
    }


def record_opening_payment(
    debt: Debt, amount: Decimal, paid_on: dt.date, actor=None, note: str | None = None
) -> Payment:
    """Record what was already repaid when the debt was registered (导入时已偿还).

    It records history, so the rules for new payments (wage-first, no future dates, the plugins'
    ``qingqian_validate_payment``) do not apply; it may not exceed what is outstanding.
    """
    lock_row(debt)
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount <= 0:
        raise PaymentRefused("amount", "已偿还金额必须大于0")
    if amount > debt.outstanding:
        raise PaymentRefused("amount", f"已偿还金额超过未付余额（{debt.outstanding:.2f}元）")
    payment = Payment(**opening_payment_values(debt, amount, paid_on, actor))
    db.session.add(payment)
    before = history.snapshot(debt)
    debt.paid_amount = (debt.paid_amount or Decimal("0")) + amount
    old_status = debt.status
    debt.status = status_after_payment(debt.status, debt.outstanding, debt.paid_amount)
    db.session.flush()
    recompute(debt)
    debt.version += 1
    db.session.flush()
    history.record(payment, "created", after=history.snapshot(payment), actor=actor, note=note)
    old, new = history.diff(before, history.snapshot(debt))
    label = f"{OPENING_PAYMENT_LABEL} {amount:.2f} 元"
    history.record(
        debt, "paid", before=old, after=new, actor=actor, note=f"{label}；{note}" if note else label
    )
    tenant = _jurisdiction_of(debt.unit)
    if debt.status != old_status:
        get_pm().hook_for(tenant, "qingqian_debt_status_changed")(
            debt=debt, old_status=old_status, new_status=debt.status, actor=actor
        )
    return payment


def reverse_payment(payment: Payment, reason: str, actor=None) -> Payment:
    if payment.reversed_at is not None:
        raise PaymentRefused("payment_id", "该笔付款已冲正")
    if not (reason or "").strip():
        raise PaymentRefused("reason", "冲正必须填写原因")
    debt = payment.debt
    lock_row(debt)
    lock_row(payment)
    if payment.reversed_at is not None:  # reversed by a concurrent request meanwhile
        raise PaymentRefused("payment_id", "该笔付款已冲正")
    payment.reversed_at = utcnow()
    payment.reversal_reason = reason.strip()
    before = history.snapshot(debt)
    debt.paid_amount -= payment.amount
    debt.status = status_after_payment(debt.status, debt.outstanding, debt.paid_amount)
    db.session.flush()
    recompute(debt)
    debt.version += 1
    db.session.flush()
    history.record(payment, "reversed", after={"reversal_reason": payment.reversal_reason}, actor=actor)
    old, new = history.diff(before, history.snapshot(debt))
    history.record(debt, "payment_reversed", before=old, after=new, actor=actor, note=reason)
    return payment
