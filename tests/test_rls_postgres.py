"""The second wall: PostgreSQL row-level security holds even when the ORM filter is bypassed.

The test database is reached as a superuser, who bypasses RLS; the policies bind only because every
transaction switches to the application role (``PG_APP_ROLE``), which these tests check as well.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core.extensions import db
from core.models import Debt
from core.models.base import JurisdictionOwned
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, scope_context, system_scope
from tests.conftest import debt_payload, registered_models

pytestmark = pytest.mark.postgres

RLS_ERROR = "row-level security"


def _raw_jurisdictions() -> list[int]:
    return sorted(db.session.execute(text("SELECT jurisdiction_id FROM debts")).scalars())


def _orm_unfiltered_jurisdictions() -> list[int]:
    rows = db.session.scalars(select(Debt), execution_options={SKIP_FILTER: True})
    return sorted(d.jurisdiction_id for d in rows)


@pytest.fixture
def two_debts(client, world):
    for user in ("clerk_a1", "clerk_b1"):
        r = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers(user))
        assert r.status_code == 201, r.json
    db.session.rollback()
    with system_scope():
        ids = world.node("a").id, world.node("b").id
        db.session.rollback()
    return ids


def test_transactions_run_as_the_unprivileged_app_role(app):
    role = app.config["PG_APP_ROLE"]
    with system_scope():
        user, superuser, bypass = db.session.execute(
            text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owned = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                "WHERE r.rolname = current_user AND c.relnamespace = 'public'::regnamespace"
            )
        )
        db.session.rollback()
    assert user == role
    assert not superuser and not bypass
    assert owned == 0


def test_scoped_reads_see_one_jurisdiction_even_without_the_orm_filter(app, two_debts):
    a_id, b_id = two_debts

    with scope_context(Scope(jurisdiction_id=a_id)):
        assert _raw_jurisdictions() == [a_id]
        assert _orm_unfiltered_jurisdictions() == [a_id]
        db.session.rollback()

    with scope_context(Scope.nothing()):
        assert _raw_jurisdictions() == []
        assert _orm_unfiltered_jurisdictions() == []
        db.session.rollback()

    with system_scope():
        assert _raw_jurisdictions() == [a_id, b_id]
        assert _orm_unfiltered_jurisdictions() == [a_id, b_id]
        db.session.rollback()


def test_scope_change_inside_an_open_transaction_is_applied(app, two_debts):
    a_id, b_id = two_debts
    with system_scope():
        assert _raw_jurisdictions() == [a_id, b_id]
        with scope_context(Scope(jurisdiction_id=b_id)):
            assert _raw_jurisdictions() == [b_id]
        assert _raw_jurisdictions() == [a_id, b_id]
        db.session.rollback()


def _insert_enterprise(jurisdiction_id: int) -> None:
    db.session.execute(
        text(
            "INSERT INTO enterprises (jurisdiction_id, name, size_class, is_private, version) "
            "VALUES (:j, '越权写入测试企业', 'small', true, 1)"
        ),
        {"j": jurisdiction_id},
    )


def test_writes_outside_the_scope_fail_at_the_database(app, two_debts):
    a_id, b_id = two_debts
    with scope_context(Scope(jurisdiction_id=a_id)):
        _insert_enterprise(a_id)  # the same statement is fine inside the scope
        db.session.rollback()

        with pytest.raises(DBAPIError, match=RLS_ERROR):
            _insert_enterprise(b_id)
        db.session.rollback()

        # Moving one of a's rows into b is refused by WITH CHECK too.
        with pytest.raises(DBAPIError, match=RLS_ERROR):
            db.session.execute(text("UPDATE debts SET jurisdiction_id = :b"), {"b": b_id})
        db.session.rollback()

    with scope_context(Scope.nothing()), pytest.raises(DBAPIError, match=RLS_ERROR):
        _insert_enterprise(a_id)
    db.session.rollback()

    with system_scope():
        assert _raw_jurisdictions() == [a_id, b_id]
        db.session.rollback()


def test_events_are_append_only_at_the_database(app, two_debts):
    with system_scope():
        assert db.session.scalar(text("SELECT count(*) FROM events")) > 0
        with pytest.raises(DBAPIError, match="只能追加"):
            db.session.execute(text("UPDATE events SET note = 'changed'"))
        db.session.rollback()
        with pytest.raises(DBAPIError, match="只能追加"):
            db.session.execute(text("DELETE FROM events"))
        db.session.rollback()


def _tenant_tables() -> set[str]:
    from flask import current_app

    tables = set()
    for cls in registered_models(current_app):
        if issubclass(cls, JurisdictionOwned) or cls is TenantNode:
            tables.update(t.name for t in cls.__mapper__.tables)
    return tables


def test_every_tenant_table_has_forced_row_level_security(app):
    """Guards plugins too: a plugin table of a JurisdictionOwned model must call enable_tenant_rls."""
    tables = _tenant_tables()
    assert {
        "tenant_nodes",
        "enterprises",
        "enterprise_links",
        "debts",
        "payments",
        "events",
        "jobs",
    } <= tables
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname = ANY(:names)"
            ),
            {"names": sorted(tables)},
        ).all()
        policies = set(
            conn.execute(
                text("SELECT tablename FROM pg_policies WHERE policyname = 'qingqian_tenant_isolation'")
            ).scalars()
        )
    found = {name: (enabled, forced) for name, enabled, forced in rows}
    assert set(found) == tables
    missing = sorted(name for name, flags in found.items() if flags != (True, True))
    assert missing == [], f"tables without forced row-level security: {missing}"
    assert tables <= policies, f"tables without the tenant policy: {sorted(tables - policies)}"
