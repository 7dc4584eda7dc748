"""PostgreSQL row-level security and the application role, as reusable migration steps.

Core's first revision and every plugin revision that creates a tenant-owned table call these helpers,
so all tenant tables carry the same policy. Each helper is a no-op on other databases (SQLite has no
RLS; the ORM filter in ``core.tenancy.isolation`` is the only wall there).

The policies compare ``jurisdiction_id`` with two settings that ``core.tenancy.isolation`` sets at the
start of every transaction: ``qingqian.all`` (``on`` for system work) and ``qingqian.jurisdiction_ids``
(a comma-separated list, empty for "nothing"). They only bind a role that is neither superuser nor
table owner (or an owner, because of FORCE), which is why each transaction switches to the app role.
"""

from __future__ import annotations

import os

DEFAULT_APP_ROLE = "qingqian_app"
POLICY_NAME = "qingqian_tenant_isolation"

# Each setting is read in a scalar sub-select, which PostgreSQL evaluates once per query (an InitPlan)
# instead of once per row: parsing the id list for every row doubled the cost of a jurisdiction-wide
# aggregate (benchmarks/RESULTS.md, isolation scenario). The trailing cast keeps it an array expression.
INITPLAN_TENANT_PREDICATE = (
    "(SELECT current_setting('qingqian.all', true)) = 'on' OR {column} = ANY ((SELECT string_to_array("
    "coalesce(current_setting('qingqian.jurisdiction_ids', true), ''), ',')::bigint[])::bigint[])"
)
# The same test inside COALESCE(…, false) (a null answer already denied the row). The planner estimates
# "= ANY(array known only at run time)" as about ten values out of all jurisdictions, so the more tenants
# the database held, the fewer rows it expected of the big one (1% at 1,000 tenants) and it switched a
# unit user's debt count to a nested loop (2× slower; benchmarks, tenant scaling). Wrapped, the clause is
# opaque and gets a fixed estimate (0.5) that does not shrink as tenants are added; the ORM's own
# ``jurisdiction_id = …`` criterion still gives the real one.
TENANT_PREDICATE = "COALESCE(" + INITPLAN_TENANT_PREDICATE + ", false)"
# The first revision's predicate, evaluated per row; kept for the downgrade of the revision that replaced it.
PER_ROW_TENANT_PREDICATE = (
    "current_setting('qingqian.all', true) = 'on' OR {column} = ANY ("
    "string_to_array(coalesce(current_setting('qingqian.jurisdiction_ids', true), ''), ',')::bigint[])"
)


def app_role() -> str:
    """The role each application transaction switches to (``PG_APP_ROLE``), validated as an identifier."""
    role = None
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            role = current_app.config.get("PG_APP_ROLE")
    except ImportError:  # pragma: no cover - flask is a hard dependency
        pass
    role = role or os.environ.get("QINGQIAN_PG_APP_ROLE") or DEFAULT_APP_ROLE
    if not role.replace("_", "").isalnum():
        raise ValueError(f"bad PostgreSQL role name {role!r}")
    return role


def is_postgresql(op) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_app_role(op, role: str | None = None) -> None:
    """Create the NOLOGIN app role if missing and let the migrating user switch to it.

    Roles are cluster-wide: several databases (and concurrent test runs) share one, so a concurrent
    creation is tolerated. Without CREATEROLE the migration still succeeds and says what an
    administrator must do; the application then fails loudly at SET ROLE rather than running unguarded.
    """
    if not is_postgresql(op):
        return
    role = role or app_role()
    op.execute(
        f"""
DO $qq$
DECLARE
    app_role text := {_literal(role)};
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app_role) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS', app_role);
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE '用户 % 无 CREATEROLE 权限，未能创建应用角色 %', current_user, app_role
                    USING HINT = format('请管理员执行：CREATE ROLE %I NOLOGIN; GRANT %I TO %I;',
                                        app_role, app_role, current_user);
                RETURN;
        END;
    END IF;
    IF NOT pg_has_role(current_user, app_role, 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT %I TO %I', app_role, current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE '用户 % 不能切换到应用角色 %', current_user, app_role
                USING HINT = format('请管理员执行：GRANT %I TO %I;', app_role, current_user);
        END;
    END IF;
END
$qq$;
"""
    )


def grant_app_role(op, table_name: str | None = None, role: str | None = None) -> None:
    """Grant the app role DML on one table, or on every table and sequence of the current schema.

    The schema-wide form also sets default privileges, so tables the same user creates later (plugin
    branches) are covered; plugins migrated by another user get the per-table grant from the helpers.
    """
    if not is_postgresql(op):
        return
    role = role or app_role()
    if table_name is not None:
        statements = [
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I.{_quote_ident(table_name)} TO %I",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I",
        ]
    else:
        statements = [
            "GRANT USAGE ON SCHEMA %I TO %I",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I",
        ]
    _execute_for_role(op, role, statements)


def revoke_app_role_defaults(op, role: str | None = None) -> None:
    """Undo the default privileges set by ``grant_app_role`` (the role itself is shared and kept)."""
    if not is_postgresql(op):
        return
    _execute_for_role(
        op,
        role or app_role(),
        [
            "ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM %I",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE USAGE, SELECT ON SEQUENCES FROM %I",
        ],
    )


def _quote_ident(name: str) -> str:
    # Percent signs would be read by format(); identifiers in migrations never contain them.
    if "%" in name:
        raise ValueError(f"bad table name {name!r}")
    return '"' + name.replace('"', '""') + '"'


def _execute_for_role(op, role: str, statements: list[str]) -> None:
    body = "\n".join(
        f"        EXECUTE format({_literal(stmt)}, current_schema(), app_role);" for stmt in statements
    )
    op.execute(
        f"""
DO $qq$
DECLARE
    app_role text := {_literal(role)};
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app_role) THEN
        RAISE NOTICE '应用角色 % 不存在，跳过授权；行级安全只有在应用切换到该角色后才生效。', app_role;
        RETURN;
    END IF;
{body}
END
$qq$;
"""
    )


def enable_tenant_rls(op, table_name: str, column: str = "jurisdiction_id") -> None:
    """Turn on (and force) row-level security on a tenant-owned table, with the jurisdiction policy."""
    if not is_postgresql(op):
        return
    table = _quote_ident(table_name)
    predicate = TENANT_PREDICATE.format(column=_quote_ident(column))
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    # FORCE makes the policy bind the table owner too, in case the app ever connects as the owner.
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"CREATE POLICY {POLICY_NAME} ON {table} USING ({predicate}) WITH CHECK ({predicate})")
    grant_app_role(op, table_name)


def replace_tenant_predicate(op, predicate: str = TENANT_PREDICATE) -> None:
    """Re-create the isolation policy of every table that has one (core's and plugins') with ``predicate``.

    Tables are found in the catalogue, so plugin tables created before this runs are covered too.
    """
    if not is_postgresql(op):
        return
    rows = op.get_bind().exec_driver_sql(
        "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = %(name)s",
        {"name": POLICY_NAME},
    )
    for (table_name,) in rows.fetchall():
        table = _quote_ident(table_name)
        # Every policy the helpers create compares the jurisdiction column.
        check = predicate.format(column=_quote_ident("jurisdiction_id"))
        op.execute(f"ALTER POLICY {POLICY_NAME} ON {table} USING ({check}) WITH CHECK ({check})")


def disable_tenant_rls(op, table_name: str) -> None:
    if not is_postgresql(op):
        return
    table = _quote_ident(table_name)
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def make_append_only(op, table_name: str) -> None:
    """Refuse UPDATE and DELETE on a history table at the database, for every role."""
    if not is_postgresql(op):
        return
    table = _quote_ident(table_name)
    op.execute(
        """
CREATE OR REPLACE FUNCTION qingqian_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $qq$
BEGIN
    RAISE EXCEPTION '表 % 只能追加记录，不能修改或删除', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$qq$;
"""
    )
    trigger = _quote_ident(f"{table_name}_append_only")
    op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    op.execute(
        f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION qingqian_refuse_change()"
    )


def drop_append_only(op, table_name: str) -> None:
    if not is_postgresql(op):
        return
    trigger = _quote_ident(f"{table_name}_append_only")
    op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {_quote_ident(table_name)}")
