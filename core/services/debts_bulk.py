"""Registering many creditors and creating many debts in one go, with the rules of the one-at-a-time path.

``register_enterprises`` and ``create_debts`` give the same rows, validation, computed fields, history
events and hooks as ``register_enterprise`` / ``create_debt`` in ``core.services.debts``, but look up and
write per batch (``core.services.bulk``) instead of per object. Bulk writers (the ledger import) use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core import clock
from core.extensions import db
from core.models.debt import OPENING_PAYMENT_LABEL, Debt, Payment
from core.models.enterprise import Enterprise, EnterpriseLink
from core.models.event import Event
from core.plugins import get_pm
from core.rules.status import TransitionError, status_after_payment
from core.rules.validation import Issue, ValidationFailed
from core.services import bulk, history
from core.services.debts import (
    UnitRules,
    _jurisdiction_of,
    apply_changes,
    check_debt,
    check_enterprise_data,
    new_debt_fields,
    opening_payment_values,
    recompute,
)
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for


class ItemFailed(ValidationFailed):
    """Item ``index`` of a bulk call failed validation; ``issues`` say which field and why."""

    def __init__(self, index: int, failure: ValidationFailed) -> None:
        super().__init__(failure.issues)
        self.index = index


# --- Creditors --------------------------------------------------------------------------------------


def register_enterprises(
    items: Sequence[tuple[TenantNode, dict[str, Any]]], actor=None
) -> list[Enterprise | ValidationFailed]:
    """``register_enterprise`` for many (unit, data) pairs: one answer per pair, in order.

    An answer is the jurisdiction's creditor with the pair's credit code (created if new, once even when
    several pairs name it) linked to the pair's unit, or the ``ValidationFailed`` that
    ``register_enterprise`` would raise. A pair without a credit code creates a creditor, as there.
    """
    answers: list[Enterprise | ValidationFailed | None] = [None] * len(items)
    checked: list[tuple[int, TenantNode, dict, str, str | None, str | None]] = []
    strict_of: dict[int, bool] = {}
    seen: dict[tuple, tuple[str, str | None, str | None] | ValidationFailed] = {}
    for index, (unit, data) in enumerate(items):
        strict = strict_of.get(unit.id)
        if strict is None:
            strict = strict_of[unit.id] = bool(plan_for(unit).get("rules", {}).get("credit_code_strict"))
        # The same firm recurs across units and rows: check each (name, code) once per strictness.
        key = (strict, data.get("name"), data.get("credit_code"))
        if key not in seen:
            try:
                seen[key] = check_enterprise_data(unit, data, strict=strict)
            except ValidationFailed as exc:
                seen[key] = exc
        result = seen[key]
        if isinstance(result, ValidationFailed):
            answers[index] = result
            continue
        checked.append((index, unit, data, *result))
    by_code = _existing_by_code(checked)
    new_rows: list[dict] = []
    new_keys: list[tuple] = []
    pending: set[tuple] = set()
    placed: list[tuple[int, tuple]] = []
    for index, unit, data, name, code, warning in checked:
        # Creditors are de-duplicated per jurisdiction: the same code elsewhere is another creditor.
        key = (unit.jurisdiction_id, code) if code else (unit.jurisdiction_id, -index - 1)
        if code and key in by_code:
            answers[index] = by_code[key]
            continue
        if key not in pending:
            pending.add(key)
            new_rows.append(
                {
                    "jurisdiction_id": unit.jurisdiction_id,
                    "name": name,
                    "credit_code": code,
                    "credit_code_warning": warning,
                    "size_class": data.get("size_class") or "small",
                    "is_private": data.get("is_private", True),
                    "contacts": data.get("contacts") or [],
                    "address": data.get("address"),
                    "registered_by_unit_id": unit.id,
                }
            )
            new_keys.append(key)
        placed.append((index, key))
    if new_rows:
        ids = bulk.insert_rows(Enterprise, new_rows)
        # Answer persistent objects (loaded by id), so callers may attach them to other objects.
        loaded = _load(Enterprise, ids)
        created = {key: loaded[new_id] for key, new_id in zip(new_keys, ids, strict=True)}
        for index, key in placed:
            answers[index] = created[key]
        bulk.insert_rows(
            Event,
            [
                history.event_values(
                    e, "created", after=history.snapshot(e), actor=actor, unit_id=e.registered_by_unit_id
                )
                for e in created.values()
            ],
        )
    known = [
        (unit, data, answer)
        for (unit, data), answer in zip(items, answers, strict=True)
        if isinstance(answer, Enterprise)
    ]
    link_enterprises(
        [(unit, answer) for unit, _data, answer in known],
        {(answer.id, unit.id): data.get("name") for unit, data, answer in known if data.get("name")},
    )
    return answers  # type: ignore[return-value]


def _existing_by_code(checked) -> dict[tuple[int, str], Enterprise]:
    by_code: dict[tuple[int, str], Enterprise] = {}
    per_jurisdiction: dict[int, set[str]] = {}
    for _index, unit, _data, _name, code, _warning in checked:
        if code:
            per_jurisdiction.setdefault(unit.jurisdiction_id, set()).add(code)
    for jurisdiction_id, codes in per_jurisdiction.items():
        for chunk in bulk.chunks(sorted(codes)):
            for enterprise in db.session.scalars(
                db.select(Enterprise).where(
                    Enterprise.jurisdiction_id == jurisdiction_id, bulk.among(Enterprise.credit_code, chunk)
                ),
                execution_options={SKIP_FILTER: True},
            ):
                by_code[(jurisdiction_id, enterprise.credit_code)] = enterprise
    return by_code


def _load(model, ids: list[int]) -> dict[int, Any]:
    """Rows this call just inserted, as persistent objects (before any link makes them visible to a unit
    user's filter; the database's row-level security still applies)."""
    out: dict[int, Any] = {}
    for chunk in bulk.chunks(ids):
        for obj in db.session.scalars(
            db.select(model).where(bulk.among(model.id, chunk)), execution_options={SKIP_FILTER: True}
        ):
            out[obj.id] = obj
    return out


def link_enterprises(
    pairs: list[tuple[TenantNode, Enterprise]], names: dict[tuple[int, int], str] | None = None
) -> None:
    """Make each creditor visible to its unit (an ``EnterpriseLink``), once: existing links are kept.

    ``names`` ((creditor id, unit id) → name) is the name a unit entered for a creditor another unit
    registered under another name: the new link keeps it as the unit's view (core.services.creditors).
    """
    names = names or {}
    wanted = {(e.id, unit.id): (unit.jurisdiction_id, e.name) for unit, e in pairs}
    bulk.insert_rows(
        EnterpriseLink,
        [
            {
                "jurisdiction_id": jurisdiction_id,
                "unit_id": unit_id,
                "enterprise_id": enterprise_id,
                "name": own if (own := names.get((enterprise_id, unit_id))) and own != shared else None,
            }
            for (enterprise_id, unit_id), (jurisdiction_id, shared) in sorted(wanted.items())
        ],
        skip_existing=True,
    )


# --- Debts ------------------------------------------------------------------------------------------


def draft_debt(unit: TenantNode, data: dict[str, Any], creditor: Enterprise, actor=None) -> Debt:
    """``build_debt``'s new debt, not validated, not added.

    Built straight into the instance's state (no attribute events: the draft is transient and only read
    by the validation and computation hooks until ``create_debts`` writes its columns).
    """
    debt = Debt.__mapper__.class_manager.new_instance()
    debt.__dict__.update(new_debt_fields(unit, data, creditor, actor), creditor=creditor, unit=unit)
    return debt


def _debt_columns() -> list[str]:
    return [c.key for c in Debt.__table__.columns if c.key != "id"]


def create_debts(
    items: Sequence[tuple[TenantNode, dict[str, Any], Enterprise]],
    actor=None,
    rules: dict[int, UnitRules] | None = None,
    openings: Sequence[Opening | None] | None = None,
) -> list[tuple[Debt, list[Issue]]]:
    """``create_debt`` for many (unit, data, creditor): all are validated first, then written together.

    Raises ``ItemFailed`` (with the item's index) for the first item that fails validation, before
    anything is written. Returns (debt, warnings) per item; the debts carry their ids but are not in the
    session (load them by id to change them). ``rules``: a unit id → ``UnitRules`` cache a caller writing
    in several batches passes to every call (plans and enabled plugins do not change in between).
    ``openings``: per item, what was already repaid (``Opening``) or None; see ``create_valid_debts``.
    """
    answers = _create(items, actor, rules, openings, stop_at_failure=True)
    return answers  # type: ignore[return-value]


def create_valid_debts(
    items: Sequence[tuple[TenantNode, dict[str, Any], Enterprise]],
    actor=None,
    rules: dict[int, UnitRules] | None = None,
    openings: Sequence[Opening | None] | None = None,
) -> list[tuple[Debt, list[Issue]] | ItemFailed]:
    """``create_debts`` that writes the items that pass and answers ``ItemFailed`` for the others, in
    order: one item's problem never stops the rest (the ledger import's commit).

    An item's ``Opening`` becomes an opening payment (``Payment.opening``, "导入时已偿还") written with
    the debt, its events included: the debt starts with that amount paid, its status and interest follow.
    An opening larger than the amount owed fails the item.
    """
    return _create(items, actor, rules, openings, stop_at_failure=False)


def _create(items, actor, rules, openings, stop_at_failure: bool) -> list:
    rules = {} if rules is None else rules
    openings = list(openings) if openings is not None else [None] * len(items)
    as_of = clock.today()
    answers: list = [None] * len(items)
    drafts: list[tuple[int, Debt, list[Issue]]] = []
    for index, (unit, data, creditor) in enumerate(items):
        unit_rules = rules.get(unit.id)
        if unit_rules is None:
            unit_rules = rules[unit.id] = UnitRules(unit)
        opening = openings[index]
        debt, issues = check_item(unit, data, creditor, unit_rules, opening, actor)
        errors = [i for i in issues if i.level == "error"]
        if errors:
            failed = ItemFailed(index, ValidationFailed(errors))
            if stop_at_failure:
                raise failed
            answers[index] = failed
            continue
        warnings = [i for i in issues if i.level != "error"]
        if opening is not None:
            debt.paid_amount = opening.amount
            debt.status = status_after_payment(debt.status, debt.outstanding, debt.paid_amount)
        payments = [(opening.paid_on, opening.amount)] if opening is not None else []
        recompute(debt, as_of=as_of, unit=unit, rules=unit_rules, payments=payments)
        drafts.append((index, debt, warnings))
    if not drafts:
        return answers
    columns = _debt_columns()
    rows = []
    for _index, debt, _w in drafts:
        state = debt.__dict__
        rows.append({key: state[key] for key in columns if key in state})
    ids = bulk.insert_rows(Debt, rows)
    events = []
    payment_rows: list[dict] = []
    paid: list[Debt] = []
    for (index, debt, warnings), row, new_id in zip(drafts, rows, ids, strict=True):
        debt.__dict__.update(row, id=new_id)
        full = {"id": new_id, **{key: row.get(key) for key in columns}}
        events.append(history.event_values(debt, "created", after=history.snapshot_values(full), actor=actor))
        answers[index] = (debt, warnings)
        opening = openings[index]
        if opening is not None:
            payment_rows.append(
                opening_payment_values(debt, opening.amount, opening.paid_on, actor, opening.evidence)
            )
            paid.append(debt)
    bulk.insert_rows(Event, events)
    if payment_rows:
        payment_ids = bulk.insert_rows(Payment, payment_rows)
        bulk.insert_rows(
            Event,
            [
                _payment_event(debt, {"id": payment_id, **values}, actor)
                for debt, values, payment_id in zip(paid, payment_rows, payment_ids, strict=True)
            ],
        )
    _announce([(debt, w) for _i, debt, w in drafts], actor)
    return answers


@dataclass(frozen=True)
class Opening:
    """What a debt had already been repaid when it was registered, and on which date."""

    amount: Decimal
    paid_on: dt.date
    evidence: str | None = None


def check_item(
    unit: TenantNode,
    data: dict[str, Any],
    creditor: Enterprise,
    rules: UnitRules | None = None,
    opening: Opening | None = None,
    actor=None,
) -> tuple[Debt, list[Issue]]:
    """The one check of a new debt: its draft and every issue (errors and warnings) core's and the
    enabled plugins' rules raise for it, plus its opening payment's. ``create_debts`` writes an item only
    when this has no error; the ledger import's preview calls it for every row, so both agree."""
    try:
        debt = draft_debt(unit, data, creditor, actor)
    except TransitionError as exc:
        return Debt.__mapper__.class_manager.new_instance(), [Issue("status", str(exc))]
    issues = check_debt(debt, unit, rules)
    if opening is not None:
        issues += opening_issues(debt.amount_owed, Decimal("0"), opening.amount)
    return debt, issues


def draft_update(
    columns: dict[str, Any], creditor: Enterprise, unit: TenantNode, changes: dict[str, Any]
) -> Debt:
    """A transient copy of a stored debt (its column values) with ``changes`` applied as ``update_debt``
    would: what validating the change sees, without touching the stored debt."""
    debt = Debt.__mapper__.class_manager.new_instance()
    debt.__dict__.update(columns, creditor=creditor, unit=unit, unit_id=unit.id)
    apply_changes(debt, dict(changes))
    return debt


def check_update(
    columns: dict[str, Any],
    creditor: Enterprise,
    unit: TenantNode,
    changes: dict[str, Any],
    rules: UnitRules | None = None,
    paid_to: Decimal | None = None,
) -> list[Issue]:
    """``check_item`` for a change to a stored debt (``paid_to``: the repaid total the change brings)."""
    try:
        debt = draft_update(columns, creditor, unit, changes)
    except ValidationFailed as exc:
        return list(exc.issues)
    issues = check_debt(debt, unit, rules)
    if paid_to is not None:
        issues += opening_issues(debt.amount_owed, columns.get("paid_amount") or Decimal("0"), paid_to)
    return issues


def opening_issues(owed: Decimal | None, already_paid: Decimal, repaid: Decimal) -> list[Issue]:
    """Why a debt cannot be recorded as ``repaid`` in total (``already_paid``: payments on record)."""
    owed = owed or Decimal("0")
    if repaid < already_paid:
        return [
            Issue(
                "paid_amount",
                f"已偿还金额（{repaid:.2f}）少于系统中已登记的付款（{already_paid:.2f}），"
                "如有误请先在系统中冲正付款",
            )
        ]
    if repaid > owed:
        return [Issue("paid_amount", f"已偿还金额（{repaid:.2f}）大于欠款金额（{owed:.2f}）")]
    return []


def _payment_event(debt: Debt, values: dict, actor) -> dict:
    payment = Payment.__mapper__.class_manager.new_instance()
    payment.__dict__.update(values)
    snap = history.snapshot_values({key: values.get(key) for key in _payment_columns(values)})
    return history.event_values(
        payment, "created", after=snap, actor=actor, note=f"{OPENING_PAYMENT_LABEL} {values['amount']:.2f} 元"
    )


def _payment_columns(values: dict) -> list[str]:
    return ["id", *(c.key for c in Payment.__table__.columns if c.key != "id" and c.key in values)]


def _announce(drafts: list[tuple[Debt, list[Issue]]], actor) -> None:
    """``qingqian_debt_created`` for each new debt, as persistent objects, where a plugin listens."""
    pm = get_pm()
    by_jurisdiction: dict[int, list[int]] = {}
    units: dict[int, TenantNode] = {}
    for debt, _w in drafts:
        by_jurisdiction.setdefault(debt.jurisdiction_id, []).append(debt.id)
        units.setdefault(debt.jurisdiction_id, debt.unit)
    for jurisdiction_id, ids in by_jurisdiction.items():
        caller = pm.hook_for(_jurisdiction_of(units[jurisdiction_id]), "qingqian_debt_created")
        if not caller.get_hookimpls():
            continue
        for chunk in bulk.chunks(ids):
            for debt in db.session.scalars(
                db.select(Debt).where(bulk.among(Debt.id, chunk)).order_by(Debt.id)
            ):
                caller(debt=debt, actor=actor)
