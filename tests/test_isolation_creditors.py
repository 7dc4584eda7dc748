"""A unit user's creditor rule is skipped only where it repeats the debt rule, never where it protects.

``Enterprise.__visible_through__ = ("Debt.creditor",)``: a query that reaches enterprises only as the
creditors of the debts it selects needs no second creditor check (a debt the unit sees makes its creditor
visible). Every other shape keeps the check, so a creditor known only to a sibling unit stays hidden.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload

from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise
from core.rules.credit_code import make
from core.tenancy.isolation import reached_only_through_visible_rows
from core.tenancy.scope import Scope, scope_context, system_scope
from tests.conftest import debt_payload


@pytest.fixture
def setting(client, world):
    """clerk_a1's debt with its creditor, and a creditor only the sibling unit (clerk_a2) knows."""
    own = client.post(
        "/api/v1/debts",
        json=debt_payload(creditor={"name": "本单位债权企业", "credit_code": make("91140922MA0K1111A")}),
        headers=world.headers("clerk_a1"),
    )
    sibling = client.post(
        "/api/v1/debts",
        json=debt_payload(creditor={"name": "兄弟单位债权企业", "credit_code": make("91140922MA0K2222B")}),
        headers=world.headers("clerk_a2"),
    )
    assert own.status_code == 201 and sibling.status_code == 201
    with system_scope():
        a, town1, office = (world.node(c).id for c in ("a", "a.town1", "a.town1.office"))
        hidden = db.session.scalar(select(Enterprise.id).where(Enterprise.name == "兄弟单位债权企业"))
    return {
        "scope": Scope(jurisdiction_id=a, unit_ids=frozenset({town1, office})),
        "own_debt": own.json["id"],
        "own_creditor": own.json["creditor"]["id"],
        "hidden": hidden,
    }


class _Statements:
    def __init__(self) -> None:
        self.sql: list[str] = []

    def __call__(self, conn, cursor, statement, params, context, executemany) -> None:
        self.sql.append(statement)


@pytest.fixture
def statements(app):
    seen = _Statements()
    event.listen(db.engine, "before_cursor_execute", seen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", seen)


def _debt_list():
    return (
        select(Debt)
        .join(Debt.creditor)
        .options(contains_eager(Debt.creditor), lazyload(Debt.payments))
        .where(Enterprise.name.like("%债权企业%"))
    )


def test_debt_list_and_its_count_skip_the_repeated_check(setting, statements):
    with scope_context(setting["scope"]):
        debts = db.session.scalars(_debt_list()).unique().all()
        count = db.session.scalar(select(func.count()).select_from(_debt_list().subquery()))
    assert [d.id for d in debts] == [setting["own_debt"]]
    assert debts[0].creditor.id == setting["own_creditor"]
    assert count == 1
    assert statements.sql and not any("enterprise_links" in s for s in statements.sql)


def test_default_eager_creditor_load_skips_it_too(setting, statements):
    with scope_context(setting["scope"]):
        debt = db.session.scalars(select(Debt).options(lazyload(Debt.payments))).unique().one()
    assert debt.creditor.id == setting["own_creditor"]
    assert not any("enterprise_links" in s for s in statements.sql)


def test_enterprise_queries_keep_the_check(setting, statements):
    with scope_context(setting["scope"]):
        seen = set(db.session.scalars(select(Enterprise.id)))
    assert setting["own_creditor"] in seen and setting["hidden"] not in seen
    assert any("enterprise_links" in s for s in statements.sql)


@pytest.mark.filterwarnings("ignore:SELECT statement has a cartesian product")
@pytest.mark.parametrize(
    "shape",
    [
        "join_on_other_condition",
        "subquery_without_join",
        "exists_without_join",
        "aliased_creditor",
        "selected_without_join",
    ],
)
def test_other_shapes_keep_the_check_and_hide_the_sibling_creditor(setting, shape):
    hidden = setting["hidden"]
    other = aliased(Enterprise)
    stmt = {
        # Every enterprise paired with the unit's debt: only the check keeps the sibling's out.
        "join_on_other_condition": select(Enterprise.id)
        .select_from(Debt)
        .join(Enterprise, Enterprise.id > 0),
        "subquery_without_join": select(Debt.id).where(Debt.creditor_id.in_(select(Enterprise.id))),
        "exists_without_join": select(Debt.id).where(
            exists(select(Enterprise.id).where(Enterprise.id == hidden))
        ),
        "aliased_creditor": select(other.id).select_from(Debt).join(other, Debt.creditor),
        "selected_without_join": select(Debt.id, Enterprise.id),
    }[shape]
    assert not reached_only_through_visible_rows(stmt, Enterprise)
    with scope_context(setting["scope"]):
        rows = db.session.execute(stmt).all()
    values = {v for row in rows for v in row}
    assert hidden not in values
    if shape == "exists_without_join":
        assert rows == []  # the sibling's creditor does not exist for this unit


def test_joined_load_of_creditor_keeps_working_and_other_entities_are_judged_alone(setting):
    stmt = select(Debt).options(joinedload(Debt.creditor))
    assert reached_only_through_visible_rows(stmt, Enterprise)
    assert reached_only_through_visible_rows(_debt_list(), Enterprise)
    assert not reached_only_through_visible_rows(select(Enterprise), Enterprise)
