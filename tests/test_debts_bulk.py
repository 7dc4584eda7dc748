"""Bulk creditors and debts (``core.services.debts_bulk`` over ``core.services.bulk``).

The ledger import writes through these instead of ``register_enterprise`` / ``create_debt``; they must
leave the same rows, computed fields and history, and refuse writes outside the scope as a flush does.
Each test works inside one open transaction: counts taken before and after see the uncommitted rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from core import clock, create_app, hookimpl
from core.auth.context import resolve
from core.auth.models import User
from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise, EnterpriseLink
from core.models.event import Event
from core.rules.credit_code import make
from core.rules.validation import ValidationFailed
from core.services import bulk, debts_bulk
from core.services.debts import create_debt, register_enterprise
from core.tenancy.isolation import IsolationError
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, scope_context, system_scope

RLS_ERROR = "row-level security"
# Columns the database or the sequence decides; everything else must match between the two paths.
UNCOMPARED = {"id", "created_at", "updated_at"}

CODE_X = make("91140922MA0K10001")
CODE_EXISTING = make("91140922MA0K10002")
CODE_ONE = make("91140922MA0K10003")
CODE_BULK = make("91140922MA0K10004")


def base_debt(**overrides) -> dict:
    data = {
        "project_name": "景区道路维修工程",
        "contract_no": "HT-2022-001",
        "contract_date": dt.date(2022, 5, 10),
        "category": "goods",
        "amount_owed": Decimal("100000.00"),
        "delivery_date": dt.date(2023, 1, 1),
    }
    data.update(overrides)
    return data


# (unit code, debt data): two debtor classes (township = agency, office = institution) and the branches
# of draft_debt / build_debt that set fields themselves (amount split, status, judicial).
VARIANTS = [
    ("a.town1", base_debt()),
    (
        "a.town1",
        base_debt(category="works", migrant_wages=True, migrant_wage_amount=Decimal("20000.00")),
    ),
    (
        "a.town1.office",
        base_debt(undisputed_amount=Decimal("70000.00"), disputed_amount=Decimal("30000.00")),
    ),
    ("a.town1", base_debt(judicial=True, reason="已向法院起诉")),
    (
        "a.town1.office",
        base_debt(
            category="services",
            contract_amount=Decimal("150000.00"),
            agreed_term_days=90,  # beyond the plan's maximum: a warning, not an error
            agreed_daily_rate=Decimal("0.0003"),
            source="audit",
            remarks="审计发现",
        ),
    ),
    (
        "a.town1",
        base_debt(
            status="confirmed",
            clock_start="acceptance",
            acceptance_date=dt.date(2023, 2, 1),
            acceptance_period_days=15,
            settlement_date=dt.date(2023, 2, 20),
        ),
    ),
]


def scope_of(world, username: str) -> Scope:
    return resolve(world.users[username]).scope


def node_ids(world, *codes: str) -> list[int]:
    # On PostgreSQL an expired node reloads under row-level security: read ids with the system's eyes.
    with system_scope():
        return [world.node(code).id for code in codes]


def count(model) -> int:
    with system_scope():
        return db.session.scalar(select(func.count()).select_from(model))


def stored_rows(ids: list[int]) -> list[dict]:
    """The debts as the database has them (a Core select: nothing from the identity map)."""
    table = Debt.__table__
    by_id = {
        row["id"]: dict(row)
        for row in db.session.execute(select(table).where(table.c.id.in_(ids))).mappings()
    }
    return [{k: v for k, v in by_id[i].items() if k not in UNCOMPARED} for i in ids]


def created_events(entity_type: str, ids: list[int]) -> list[Event]:
    events = db.session.scalars(
        select(Event).where(
            Event.entity_type == entity_type, Event.entity_id.in_(ids), Event.action == "created"
        )
    ).all()
    by_entity = {e.entity_id: e for e in events}
    assert len(by_entity) == len(events) == len(ids), "exactly one created event per entity"
    return [by_entity[i] for i in ids]


def _differences(want: dict, got: dict) -> dict:
    return {k: (want.get(k), got.get(k)) for k in want.keys() | got.keys() if want.get(k) != got.get(k)}


def event_header(event: Event) -> dict:
    return {
        key: getattr(event, key)
        for key in ("jurisdiction_id", "unit_id", "entity_type", "action", "actor_id", "actor_name")
    } | {"before": event.before, "note": event.note}


def payload(event: Event, drop=("id",)) -> dict:
    return {k: v for k, v in event.after.items() if k not in drop}


@pytest.fixture
def as_clerk(world):
    """Runs the test body as clerk_a1 (town1's subtree of jurisdiction a) with a registered creditor."""
    user = world.users["clerk_a1"]
    with scope_context(scope_of(world, "clerk_a1")):
        creditor, _ = register_enterprise(
            world.nodes["a.town1"], {"name": "五台山宏达建筑工程有限公司", "credit_code": CODE_X}, user
        )
        yield user, creditor


def create_both_ways(world, user, creditor) -> tuple[list, list]:
    one = [create_debt(world.nodes[code], dict(data), creditor, user) for code, data in VARIANTS]
    db.session.flush()
    many = debts_bulk.create_debts(
        [(world.nodes[code], dict(data), creditor) for code, data in VARIANTS], actor=user
    )
    return one, many


# --- create_debts against create_debt ----------------------------------------------------------------


def test_create_debts_stores_the_same_rows_as_create_debt(world, as_clerk):
    user, creditor = as_clerk
    one, many = create_both_ways(world, user, creditor)
    one_ids = [debt.id for debt, _w in one]
    many_ids = [debt.id for debt, _w in many]
    assert len(set(one_ids + many_ids)) == 2 * len(VARIANTS)

    expected, actual = stored_rows(one_ids), stored_rows(many_ids)
    for (code, _data), want, got in zip(VARIANTS, expected, actual, strict=True):
        assert got == want, f"variant at {code}: {_differences(want, got)}"
    # The comparison is only worth something if the variants exercise the computed fields.
    plain, wages, split, judicial, _agreed, confirmed = actual
    assert plain["due_date"] == dt.date(2023, 1, 31)
    assert plain["late_interest"] > 0 and plain["overdue_days"] > 0
    assert plain["computed_on"] == clock.today()
    assert (plain["undisputed_amount"], plain["disputed_amount"]) == (Decimal("100000.00"), 0)
    assert (split["undisputed_amount"], split["disputed_amount"]) == (
        Decimal("70000.00"),
        Decimal("30000.00"),
    )
    assert wages["migrant_wages"] and wages["migrant_wage_amount"] == Decimal("20000.00")
    assert judicial["status"] == "judicial" and judicial["overdue_days"] == 0
    assert confirmed["status"] == "confirmed" and confirmed["due_date"] != plain["due_date"]
    assert {row["created_by_id"] for row in actual} == {user.id}


def test_create_debts_returns_the_same_warnings_and_debts_that_carry_their_ids(world, as_clerk):
    user, creditor = as_clerk
    one, many = create_both_ways(world, user, creditor)
    assert [[i.as_dict() for i in w] for _d, w in many] == [[i.as_dict() for i in w] for _d, w in one]
    assert any(i.field == "agreed_term_days" for _d, w in many for i in w)
    # Callers (the ledger import) read the returned debts without loading them again.
    for debt, _w in many:
        assert inspect(debt).transient
        stored = db.session.get(Debt, debt.id)
        assert (debt.unit_id, debt.amount_owed, debt.due_date) == (
            stored.unit_id,
            stored.amount_owed,
            stored.due_date,
        )


def test_create_debts_records_the_same_created_events(world, as_clerk):
    user, creditor = as_clerk
    one, many = create_both_ways(world, user, creditor)
    one_events = created_events("debts", [debt.id for debt, _w in one])
    many_events = created_events("debts", [debt.id for debt, _w in many])
    for debt_one, debt_many, want, got in zip(one, many, one_events, many_events, strict=True):
        assert event_header(got) == event_header(want)
        assert got.after["id"] == debt_many[0].id and want.after["id"] == debt_one[0].id
        # The values both paths name agree (null-valued columns are compared by the next test).
        assert {k: v for k, v in payload(got).items() if v is not None} == {
            k: v for k, v in payload(want).items() if v is not None
        }
    assert many_events[0].actor_name == user.label
    assert many_events[0].after["late_interest"] == one_events[0].after["late_interest"] != "0.00"


def test_create_debts_event_payload_has_every_column_like_create_debt(world, as_clerk):
    user, creditor = as_clerk
    one, many = create_both_ways(world, user, creditor)
    want = created_events("debts", [one[0][0].id])[0]
    got = created_events("debts", [many[0][0].id])[0]
    assert payload(got) == payload(want)


class DebtCreatedRecorder:
    """Records qingqian_debt_created calls; named like a plugin jurisdiction a enables."""

    PLUGIN_NAME = "sample"

    def __init__(self) -> None:
        self.calls: list[tuple[int, bool, int | None]] = []

    @hookimpl
    def qingqian_debt_created(self, debt, actor):
        self.calls.append((debt.id, inspect(debt).persistent, getattr(actor, "id", None)))


def test_create_debts_calls_the_created_hook_like_create_debt(_app, world):
    user_id = world.users["clerk_a1"].id
    codes = [code for code, _data in VARIANTS]
    ids = dict(zip(codes, node_ids(world, *codes), strict=True))
    recorder = DebtCreatedRecorder()
    config = {**_app.config, "QINGQIAN_LOAD_ENTRY_POINTS": False}
    other = create_app(config, plugins=[recorder])
    with other.app_context():
        try:
            with system_scope():
                user = db.session.get(User, user_id)
                units = {code: db.session.get(TenantNode, ids[code]) for code in codes}
                scope = resolve(user).scope
            with scope_context(scope):
                creditor, _ = register_enterprise(units["a.town1"], {"name": "甲公司"}, user)
                one = [create_debt(units[code], dict(data), creditor, user)[0].id for code, data in VARIANTS]
                after_one = list(recorder.calls)
                many = debts_bulk.create_debts(
                    [(units[code], dict(data), creditor) for code, data in VARIANTS], actor=user
                )
        finally:
            db.session.remove()
    assert after_one == [(i, True, user_id) for i in one]
    # The plugin sees persistent debts in order, as it does from create_debt, and once each.
    assert recorder.calls[len(one) :] == [(debt.id, True, user_id) for debt, _w in many]


@pytest.mark.postgres
def test_create_debts_rounds_amounts_like_create_debt_on_postgresql(world, as_clerk):
    user, creditor = as_clerk
    unit = world.nodes["a.town1"]
    data = base_debt(amount_owed=Decimal("100000.005"))
    one, _w = create_debt(unit, dict(data), creditor, user)
    [(many, _w)] = debts_bulk.create_debts([(unit, dict(data), creditor)], actor=user)
    assert stored_rows([many.id]) == stored_rows([one.id])


# --- create_debts validation -------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00")])
def test_create_debts_refuses_the_whole_batch_and_names_the_failing_item(world, as_clerk, amount):
    user, creditor = as_clerk
    unit = world.nodes["a.town1"]
    before = count(Debt), count(Event)
    items = [
        (unit, base_debt(contract_no="HT-1"), creditor),
        (unit, base_debt(contract_no="HT-2", amount_owed=amount), creditor),
        (unit, base_debt(contract_no="HT-3"), creditor),
    ]
    with pytest.raises(debts_bulk.ItemFailed) as failed:
        debts_bulk.create_debts(items, actor=user)
    assert failed.value.index == 1
    assert "amount_owed" in failed.value.errors()
    assert isinstance(failed.value, ValidationFailed)  # callers that catch create_debt's error still do
    # Item 0 passed validation, yet nothing of the batch reached the database.
    assert (count(Debt), count(Event)) == before
    # The same item alone fails the same way through create_debt.
    with pytest.raises(ValidationFailed) as single:
        create_debt(unit, items[1][1], creditor, user)
    assert [i.as_dict() for i in single.value.issues] == [i.as_dict() for i in failed.value.issues]


def test_create_debts_with_nothing_to_do_writes_nothing(world, as_clerk):
    before = count(Debt), count(Event)
    assert debts_bulk.create_debts([], actor=as_clerk[0]) == []
    assert (count(Debt), count(Event)) == before


# --- register_enterprises ----------------------------------------------------------------------------


def test_register_enterprises_dedupes_links_and_reports_bad_codes(world):
    user = world.users["office_a"]
    town1, town2 = world.nodes["a.town1"], world.nodes["a.town2"]
    with scope_context(scope_of(world, "office_a")):
        existing, created = register_enterprise(
            town1, {"name": "已登记公司", "credit_code": CODE_EXISTING}, user
        )
        assert created
        enterprises_before, events_before = count(Enterprise), count(Event)
        answers = debts_bulk.register_enterprises(
            [
                (town1, {"name": "新公司", "credit_code": CODE_X}),
                (town2, {"name": "新公司", "credit_code": CODE_X}),
                (town2, {"name": "已登记公司", "credit_code": CODE_EXISTING}),
                (town1, {"name": "代码有误公司", "credit_code": CODE_X[:-2]}),
                (town1, {"name": "无代码公司"}),
                (town1, {"name": "已登记公司", "credit_code": CODE_EXISTING}),
            ],
            actor=user,
        )
        new_x, new_x_again, found, bad, no_code, found_again = answers

        assert isinstance(bad, ValidationFailed)
        assert [i.field for i in bad.issues] == ["credit_code"]
        assert all(isinstance(a, Enterprise) for i, a in enumerate(answers) if i != 3)
        assert new_x.id == new_x_again.id and new_x.credit_code == CODE_X
        assert found.id == found_again.id == existing.id
        assert no_code.id not in (new_x.id, existing.id) and no_code.credit_code is None

        assert count(Enterprise) == enterprises_before + 2
        links = db.session.execute(select(EnterpriseLink.enterprise_id, EnterpriseLink.unit_id)).all()
        assert sorted(links) == sorted(
            [
                (existing.id, town1.id),
                (existing.id, town2.id),
                (new_x.id, town1.id),
                (new_x.id, town2.id),
                (no_code.id, town1.id),
            ]
        )
        events = created_events("enterprises", [new_x.id, no_code.id])
        assert count(Event) == events_before + 2
        assert [(e.unit_id, e.actor_id, e.after["name"]) for e in events] == [
            (town1.id, user.id, "新公司"),
            (town1.id, user.id, "无代码公司"),
        ]

        # Registering again finds everything: no creditor, link or event is added twice.
        debts_bulk.register_enterprises([(town2, {"name": "无代码公司x", "credit_code": CODE_X})], user)
        assert (count(Enterprise), count(Event)) == (enterprises_before + 2, events_before + 2)
        assert len(db.session.execute(select(EnterpriseLink.id)).all()) == len(links)


def test_register_enterprises_stores_and_records_like_register_enterprise(world):
    user = world.users["clerk_a1"]
    town1 = world.nodes["a.town1"]
    # A wrong check digit is accepted with a warning: the warning column must be written as well.
    data = {
        "name": "五台山　宏达  建筑有限公司",
        "size_class": "micro",
        "is_private": False,
        "contacts": [{"name": "王经理", "phone": "13800000000"}],
        "address": "五台县台城镇",
    }
    with_bad_digit = {code: code[:-1] + ("0" if code[-1] != "0" else "1") for code in (CODE_ONE, CODE_BULK)}
    with scope_context(scope_of(world, "clerk_a1")):
        one, _ = register_enterprise(town1, {**data, "credit_code": with_bad_digit[CODE_ONE]}, user)
        [many] = debts_bulk.register_enterprises(
            [(town1, {**data, "credit_code": with_bad_digit[CODE_BULK]})], user
        )
        db.session.flush()
        table = Enterprise.__table__
        rows = {
            row["id"]: {k: v for k, v in row.items() if k not in UNCOMPARED | {"credit_code"}}
            for row in db.session.execute(select(table).where(table.c.id.in_([one.id, many.id]))).mappings()
        }
        assert rows[many.id] == rows[one.id]
        assert rows[many.id]["credit_code_warning"] and rows[many.id]["name"] == "五台山 宏达 建筑有限公司"
        want, got = created_events("enterprises", [one.id, many.id])
        assert event_header(got) == event_header(want)
        assert payload(got, drop=("id", "credit_code")) == payload(want, drop=("id", "credit_code"))


def test_register_enterprises_keeps_jurisdictions_apart(world):
    a_town1, b_town1 = world.nodes["a.town1"], world.nodes["b.town1"]
    with system_scope():
        in_a, in_b = debts_bulk.register_enterprises(
            [
                (a_town1, {"name": "甲乙两地公司", "credit_code": CODE_X}),
                (b_town1, {"name": "甲乙两地公司", "credit_code": CODE_X}),
            ]
        )
        assert (in_a.jurisdiction_id, in_b.jurisdiction_id) == (
            a_town1.jurisdiction_id,
            b_town1.jurisdiction_id,
        )


def test_new_creditors_from_register_enterprises_work_with_create_debt(world):
    user = world.users["clerk_a1"]
    town1 = world.nodes["a.town1"]
    with scope_context(scope_of(world, "clerk_a1")):
        [creditor] = debts_bulk.register_enterprises(
            [(town1, {"name": "新公司", "credit_code": CODE_X})], user
        )
        try:
            debt, _w = create_debt(town1, base_debt(), creditor, user)
        except IntegrityError:
            # Leaving the scope touches the session: roll back first, or that masks the real error.
            db.session.rollback()
            raise
        assert debt.creditor_id == creditor.id


# --- isolation -----------------------------------------------------------------------------------------


def debt_row(unit_id: int, jurisdiction_id: int, creditor_id: int, **extra) -> dict:
    return {
        "jurisdiction_id": jurisdiction_id,
        "unit_id": unit_id,
        "creditor_id": creditor_id,
        "category": "goods",
        "amount_owed": Decimal("1000.00"),
        "status": "to_verify",
        **extra,
    }


def test_insert_rows_refuses_rows_outside_a_unit_users_scope(world, as_clerk):
    _user, creditor = as_clerk
    a, b, town1, office, town2, b_town1 = (
        world.nodes[code].id for code in ("a", "b", "a.town1", "a.town1.office", "a.town2", "b.town1")
    )
    before = count(Debt)
    outside = {
        "sibling unit": [debt_row(town2, a, creditor.id)],
        "the jurisdiction itself": [debt_row(a, a, creditor.id)],
        "other jurisdiction": [debt_row(b_town1, b, creditor.id)],
        "own unit, other jurisdiction": [debt_row(town1, b, creditor.id)],
        # One bad row anywhere refuses the batch before any row is written.
        "mixed batch": [debt_row(town1, a, creditor.id), debt_row(office, a, creditor.id)]
        + [debt_row(town2, a, creditor.id)],
    }
    for name, rows in outside.items():
        with pytest.raises(IsolationError):
            bulk.insert_rows(Debt, rows)
        assert count(Debt) == before, name
    ids = bulk.insert_rows(Debt, [debt_row(town1, a, creditor.id), debt_row(office, a, creditor.id)])
    assert len(ids) == 2 and count(Debt) == before + 2
    assert sorted(db.session.execute(select(Debt.unit_id).where(Debt.id.in_(ids))).scalars()) == sorted(
        [town1, office]
    )


def test_insert_rows_lets_a_jurisdiction_user_write_any_of_its_units_only(world):
    a, b, town2, b_town1 = (world.nodes[code].id for code in ("a", "b", "a.town2", "b.town1"))
    with scope_context(scope_of(world, "office_a")):
        creditor, _ = register_enterprise(world.nodes["a.town2"], {"name": "甲公司"})
        with pytest.raises(IsolationError):
            bulk.insert_rows(Debt, [debt_row(b_town1, b, creditor.id)])
        with pytest.raises(IsolationError):  # a creditor row is checked on its jurisdiction alone
            bulk.insert_rows(Enterprise, [{"jurisdiction_id": b, "name": "越权企业"}])
        assert len(bulk.insert_rows(Debt, [debt_row(town2, a, creditor.id)])) == 1
    with scope_context(Scope.nothing()), pytest.raises(IsolationError):
        bulk.insert_rows(Enterprise, [{"jurisdiction_id": a, "name": "无权限企业"}])


def test_bulk_services_refuse_another_jurisdictions_units(world, as_clerk):
    user, creditor = as_clerk
    town1, b_town1 = world.nodes["a.town1"], world.nodes["b.town1"]
    before = count(Debt), count(Event), count(Enterprise), count(EnterpriseLink)
    with pytest.raises(IsolationError):
        debts_bulk.create_debts([(town1, base_debt(), creditor), (b_town1, base_debt(), creditor)], user)
    with pytest.raises(IsolationError):
        debts_bulk.create_debts([(world.nodes["a.town2"], base_debt(), creditor)], user)
    with pytest.raises(IsolationError):
        debts_bulk.register_enterprises([(b_town1, {"name": "乙地公司", "credit_code": CODE_BULK})], user)
    assert (count(Debt), count(Event), count(Enterprise), count(EnterpriseLink)) == before


@pytest.mark.postgres
def test_row_level_security_still_checks_the_copy_path(world):
    """Bypass the Python scope check: the INSERT … SELECT from the COPY staging table meets the policy."""
    import psycopg

    a_id, b_id = node_ids(world, "a", "b")
    table = Enterprise.__table__

    def copy_in(jurisdiction_id: int) -> list[int]:
        rows = [{"jurisdiction_id": jurisdiction_id, "name": "越权写入测试企业"}]
        return bulk._insert_postgresql(table, bulk._fill(rows, table), rows)

    def jurisdictions() -> list[int]:
        return sorted(db.session.execute(select(table.c.jurisdiction_id)).scalars())

    with scope_context(Scope(jurisdiction_id=a_id)):
        [new_id] = copy_in(a_id)  # the same call inside the scope is fine
        assert db.session.scalar(select(table.c.jurisdiction_id).where(table.c.id == new_id)) == a_id
        db.session.rollback()

        with pytest.raises((psycopg.Error, DBAPIError), match=RLS_ERROR):
            copy_in(b_id)
        db.session.rollback()

    with scope_context(Scope.nothing()), pytest.raises((psycopg.Error, DBAPIError), match=RLS_ERROR):
        copy_in(a_id)
    db.session.rollback()

    with system_scope():
        assert jurisdictions() == []
        copy_in(a_id)
        copy_in(b_id)
        assert jurisdictions() == [a_id, b_id]
        db.session.rollback()
