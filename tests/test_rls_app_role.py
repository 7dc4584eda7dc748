"""Row-level security the application cannot switch off (issue 13, point 2).

These tests log in to PostgreSQL the way the web app does in production: as a LOGIN role holding the app
role's privileges and nothing else (not the owner, not a superuser). From there they try every way an SQL
injection would widen its scope: the old settings (``set_config('qingqian.all', 'on')`` used to show every
jurisdiction), ``SET``, ``SET ROLE``, the scope function with another jurisdiction or "all", writing the
scope table, and switching the policies off.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core import create_app
from core.config import TestConfig
from core.extensions import db
from core.tenancy.rls import DIRECTORY_POLICY, POLICY_NAME
from core.tenancy.scope import system_scope
from tests.conftest import PG_URL, debt_payload, vars_of
from tests.test_web import csrf_token, login

pytestmark = pytest.mark.postgres

DENIED = "42501"  # insufficient_privilege


def _login_role(app, name: str, member_of: str) -> str:
    """A LOGIN role that is only a member of ``member_of`` (created once per cluster; roles are shared)."""
    password = "qq-test-" + name
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            text(
                f"""
DO $qq$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN
        CREATE ROLE {name} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD '{password}';
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $qq$"""
            )
        )
        conn.execute(text(f"GRANT {member_of} TO {name}"))
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", username=name, password=password)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def app_login_url(app) -> str:
    return _login_role(app, "qingqian_app_login_probe", app.config["PG_APP_ROLE"])


@pytest.fixture
def maintenance_login_url(app) -> str:
    return _login_role(app, "qingqian_maint_login_probe", app.config["PG_MAINTENANCE_ROLE"])


@pytest.fixture
def debts_in_both(client, world):
    for user in ("clerk_a1", "clerk_b1"):
        r = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers(user))
        assert r.status_code == 201, r.json
    with system_scope():
        ids = world.node("a").id, world.node("b").id
        db.session.rollback()
    return ids


@contextlib.contextmanager
def connected(url: str):
    engine = create_engine(url, poolclass=None)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _debt_jurisdictions(conn) -> list[int]:
    return sorted(conn.execute(text("SELECT jurisdiction_id FROM debts")).scalars())


def _refused(conn, sql: str, params: dict | None = None) -> str:
    """Run ``sql`` expecting PostgreSQL to refuse it; return the SQLSTATE and roll the transaction back."""
    with pytest.raises(DBAPIError) as caught:
        conn.execute(text(sql), params or {})
    conn.rollback()
    return caught.value.orig.sqlstate


def test_the_app_login_role_owns_nothing_and_bypasses_nothing(app, app_login_url):
    with connected(app_login_url) as conn:
        row = conn.execute(
            text(
                "SELECT session_user, rolsuper, rolbypassrls, "
                "(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid), "
                "pg_has_role(session_user, "
                "(SELECT relowner FROM pg_class WHERE relname = 'debts'), 'MEMBER') "
                "FROM pg_roles r WHERE r.rolname = session_user"
            )
        ).one()
    assert row[0] == "qingqian_app_login_probe"
    assert row[1:] == (False, False, 0, False)


def test_settings_and_set_cannot_widen_the_scope(app, debts_in_both, app_login_url):
    a_id, b_id = debts_in_both
    with connected(app_login_url) as conn:
        # What used to open every jurisdiction: now the policies do not read settings at all.
        conn.execute(
            text(
                "SELECT set_config('qingqian.all', 'on', false), "
                "set_config('qingqian.jurisdiction_ids', :ids, false)"
            ),
            {"ids": f"{a_id},{b_id}"},
        )
        assert _debt_jurisdictions(conn) == []
        conn.execute(text("SET qingqian.\"all\" = 'on'"))
        conn.execute(text("SET LOCAL qingqian.jurisdiction = '1'"))
        assert _debt_jurisdictions(conn) == []
        conn.rollback()

        # Inside a jurisdiction the settings do not add another one either.
        conn.execute(text("SELECT qingqian_set_scope(false, :a)"), {"a": a_id})
        conn.execute(text("SELECT set_config('qingqian.all', 'on', true)"))
        assert _debt_jurisdictions(conn) == [a_id]
        conn.rollback()


def test_the_scope_function_cannot_widen_the_scope(app, debts_in_both, app_login_url):
    a_id, b_id = debts_in_both
    with connected(app_login_url) as conn:
        assert _refused(conn, "SELECT qingqian_set_scope(true, NULL)") == DENIED

        conn.execute(text("SELECT qingqian_set_scope(false, :a)"), {"a": a_id})
        assert _debt_jurisdictions(conn) == [a_id]
        # A transaction given jurisdiction a cannot be moved to b, nor to "all"...
        assert _refused(conn, "SELECT qingqian_set_scope(false, :b)", {"b": b_id}) == DENIED
        conn.execute(text("SELECT qingqian_set_scope(false, :a)"), {"a": a_id})
        assert _refused(conn, "SELECT qingqian_set_scope(true, :a)", {"a": a_id}) == DENIED
        # ...not even by narrowing to nothing first.
        conn.execute(text("SELECT qingqian_set_scope(false, :a)"), {"a": a_id})
        conn.execute(text("SELECT qingqian_set_scope(false, NULL)"))
        assert _debt_jurisdictions(conn) == []
        assert _refused(conn, "SELECT qingqian_set_scope(false, :b)", {"b": b_id}) == DENIED

        # A scope ends with its transaction: the next one on the same connection starts with none.
        conn.execute(text("SELECT qingqian_set_scope(false, :b)"), {"b": b_id})
        assert _debt_jurisdictions(conn) == [b_id]
        conn.commit()
        assert _debt_jurisdictions(conn) == []
        conn.rollback()


def test_the_scope_table_roles_and_policies_are_out_of_reach(app, debts_in_both, app_login_url):
    a_id, b_id = debts_in_both
    with connected(app_login_url) as conn:
        owner = conn.execute(
            text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'debts'")
        ).scalar()
        attempts = [
            "SELECT * FROM qingqian_rls_scope",
            "INSERT INTO qingqian_rls_scope (pid, xact_start, all_jurisdictions) "
            "VALUES (pg_backend_pid(), transaction_timestamp(), true)",
            "UPDATE qingqian_rls_scope SET all_jurisdictions = true",
            f'SET ROLE "{owner}"',
            "SET ROLE qingqian_maintenance",
            "SET SESSION AUTHORIZATION qingqian_maintenance",
            "ALTER TABLE debts NO FORCE ROW LEVEL SECURITY",
            "ALTER TABLE debts DISABLE ROW LEVEL SECURITY",
            f"DROP POLICY {POLICY_NAME} ON debts",
            "CREATE POLICY qq_open ON debts USING (true)",
            "CREATE OR REPLACE FUNCTION qingqian_scope_all() RETURNS boolean LANGUAGE sql AS 'SELECT true'",
            "ALTER FUNCTION qingqian_scope_all() OWNER TO CURRENT_USER",
        ]
        for sql in attempts:
            assert _refused(conn, sql) == DENIED, sql
            conn.execute(text("SELECT qingqian_set_scope(false, :a)"), {"a": a_id})
            assert _debt_jurisdictions(conn) == [a_id], sql
            conn.rollback()


def test_the_maintenance_role_may_see_every_jurisdiction(app, debts_in_both, maintenance_login_url):
    a_id, b_id = debts_in_both
    with connected(maintenance_login_url) as conn:
        conn.execute(text("SELECT set_config('role', :r, true)"), {"r": app.config["PG_APP_ROLE"]})
        assert _debt_jurisdictions(conn) == []
        conn.execute(text("SELECT qingqian_set_scope(true, NULL)"))
        assert _debt_jurisdictions(conn) == [a_id, b_id]
        conn.execute(text("SELECT qingqian_set_scope(false, :b)"), {"b": b_id})
        assert _debt_jurisdictions(conn) == [b_id]
        conn.rollback()


@pytest.fixture
def app_as_app_role(app, app_login_url, session_tmp):
    """The whole application connected as the app login role, on the same (already migrated) database."""
    other = create_app({**vars_of(TestConfig), "SQLALCHEMY_DATABASE_URI": app_login_url, "SECRET_KEY": "t"})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_web_app_works_as_the_app_role_and_cannot_see_all(app, world, debts_in_both, app_as_app_role):
    """Each request gets its own app context (and transaction), as under gunicorn."""
    db.session.remove()
    client = app_as_app_role.test_client()
    assert login(client, "office_a").status_code == 302
    r = client.get("/debts")
    assert r.status_code == 200
    assert "景区道路维修工程" in r.get_data(as_text=True)
    r = client.get("/api/v1/debts")
    assert r.status_code == 200 and len(r.json) == 1  # a's debt, not b's
    a_debt = r.json[0]["id"]
    # A platform admin still gets every jurisdiction in the switcher (the directory policy) and can
    # switch to b, where a's debt is no longer visible.
    admin = app_as_app_role.test_client()
    assert login(admin, "admin").status_code == 302
    shell = admin.get("/").get_data(as_text=True)
    assert "甲风景区" in shell and "乙新区" in shell
    r = admin.post("/switch-tenant", data={"tenant_code": "b", "csrf_token": csrf_token(admin, "/")})
    assert r.status_code == 302
    r = admin.get("/api/v1/debts")
    assert r.status_code == 200 and [d["id"] for d in r.json] != [a_debt] and len(r.json) == 1
    # Public pages find their jurisdiction without seeing every one.
    assert app_as_app_role.test_client().get("/public/a/complaints/new").status_code == 200

    # A new jurisdiction is a maintenance task: a clear refusal, not a failed request.
    r = app_as_app_role.test_client().post(
        "/api/v1/tenants",
        json={"code": "c", "name": "丙新区", "kind": "jurisdiction"},
        headers=world.headers("admin"),
    )
    assert r.status_code == 403 and "qingqian tenant" in r.json["message"], r.json

    # "Every jurisdiction" is refused to the app role at the database, whatever the code asks for.
    with app_as_app_role.app_context():
        with pytest.raises(DBAPIError) as caught, system_scope():
            db.session.execute(text("SELECT count(*) FROM debts")).scalar()
        assert caught.value.orig.sqlstate == DENIED
        db.session.rollback()


def test_every_tenant_table_reads_the_scope_functions_not_settings(app):
    """Core and plugins: each tenant-owned table has forced RLS with the policy that reads
    qingqian_scope_*(), and no policy anywhere in the schema reads a setting."""
    from tests.test_rls_postgres import _tenant_tables

    tables = _tenant_tables()
    # The enumeration reaches every plugin's models, not just core's.
    plugin_tables = {"agreements_agreements", "ledger_imports", "ledger_rounds", "complaints"}
    assert plugin_tables | {"disclosure_reports", "sample_site_visits", "debts", "jobs"} <= tables
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT tablename, policyname, qual, with_check FROM pg_policies "
                "WHERE schemaname = current_schema()"
            )
        ).all()
        flags = conn.execute(
            text(
                "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
                "WHERE relnamespace = current_schema()::regnamespace AND relname = ANY(:names)"
            ),
            {"names": sorted(tables)},
        ).all()
    assert {name for name, _ in flags} == tables
    assert sorted(name for name, forced in flags if not forced) == []
    tenant = {r.tablename: r for r in rows if r.policyname == POLICY_NAME}
    assert tables <= set(tenant), sorted(tables - set(tenant))
    for name in tables:
        assert "qingqian_scope_jurisdiction()" in tenant[name].qual, name
        assert "qingqian_scope_jurisdiction()" in tenant[name].with_check, name
    assert [r.policyname for r in rows if "current_setting" in (r.qual or "") + (r.with_check or "")] == []
    assert {r.policyname for r in rows} == {POLICY_NAME, DIRECTORY_POLICY}


def test_a_node_code_taken_in_a_hidden_jurisdiction_is_a_field_error(app, client, world):
    """The code check cannot see b's nodes through row-level security; the unique index still refuses the
    code, and the office gets a field error rather than a failed request."""
    with system_scope():
        parent = world.node("a").id
        db.session.rollback()
    r = client.post(
        "/api/v1/tenants",
        json={"code": "b.town1", "name": "重复编码", "kind": "township", "parent_id": parent},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 422, r.json
    assert "code" in r.json["errors"]
    r = client.post(
        "/api/v1/tenants",
        json={"code": "a.town9", "name": "新设镇", "kind": "township", "parent_id": parent},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 201, r.json
