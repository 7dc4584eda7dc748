"""PostgreSQL row-level security and the application roles, as reusable migration steps.

Core's revisions and every plugin revision that creates a tenant-owned table call these helpers, so all
tenant tables carry the same policy. Each helper is a no-op on other databases (SQLite has no RLS; the
ORM filter in ``core.tenancy.isolation`` is the only wall there).

Three roles (docs: README, "PostgreSQL roles"):

* the owner, who runs the migrations and owns every table and function;
* the app role (``PG_APP_ROLE``, ``qingqian_app``): DML on the tables, owns nothing. The web app logs in
  as it; an owner or maintenance connection switches to it in every transaction (``SET LOCAL ROLE``), so
  the policies bind them too;
* the maintenance role (``PG_MAINTENANCE_ROLE``, ``qingqian_maintenance``): a member of the app role that
  CLI commands, workers and the scheduler log in as; the only role besides the owner that may see every
  jurisdiction.

The policies compare ``jurisdiction_id`` with the transaction's scope, which only the ``SECURITY
DEFINER`` function ``qingqian_set_scope`` can write (into ``qingqian_rls_scope``, a table the app role
has no privilege on) and ``qingqian_scope_*`` read. ``set_config``/``SET`` of any setting changes
nothing; "every jurisdiction" is refused unless the session logged in as the owner or maintenance role;
and once a transaction has been given a jurisdiction it cannot be moved to another, so an SQL injection
runs inside the scope its request had. (Before revision ``rls_0002_scope_function`` the policies read
``qingqian.*`` settings, which any role may set: ``TENANT_PREDICATE`` and its two predecessors below
are those, kept for the revisions that installed them and for the downgrade.)
"""

from __future__ import annotations

import os

DEFAULT_APP_ROLE = "qingqian_app"
DEFAULT_MAINTENANCE_ROLE = "qingqian_maintenance"
SCOPE_TABLE = "qingqian_rls_scope"
DIRECTORY_POLICY = "qingqian_jurisdiction_directory"
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
# Since rls_0002: the scope comes from the SECURITY DEFINER readers, each a scalar sub-select evaluated
# once per query (an InitPlan), inside COALESCE for the same fixed row estimate as above.
SCOPE_TENANT_PREDICATE = (
    "COALESCE((SELECT qingqian_scope_all()) OR {column} = (SELECT qingqian_scope_jurisdiction()), false)"
)
# The first revision's predicate, evaluated per row; kept for the downgrade of the revision that replaced it.
PER_ROW_TENANT_PREDICATE = (
    "current_setting('qingqian.all', true) = 'on' OR {column} = ANY ("
    "string_to_array(coalesce(current_setting('qingqian.jurisdiction_ids', true), ''), ',')::bigint[])"
)


def _role_setting(key: str, default: str) -> str:
    role = None
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            role = current_app.config.get(key)
    except ImportError:  # pragma: no cover - flask is a hard dependency
        pass
    role = role or os.environ.get("QINGQIAN_" + key) or default
    if not role.replace("_", "").isalnum():
        raise ValueError(f"bad PostgreSQL role name {role!r}")
    return role


def app_role() -> str:
    """The role each application transaction switches to (``PG_APP_ROLE``), validated as an identifier."""
    return _role_setting("PG_APP_ROLE", DEFAULT_APP_ROLE)


def maintenance_role() -> str:
    """The login role of CLI commands and workers, the only non-owner that may see every jurisdiction."""
    return _role_setting("PG_MAINTENANCE_ROLE", DEFAULT_MAINTENANCE_ROLE)


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


# Tables whose migration asked for row-level security in this process. On SQLite the call does nothing
# else, so this is how the contract kit (core.testing.contract) sees a migration that forgot it.
RLS_REQUESTED: set[str] = set()


def enable_tenant_rls(op, table_name: str, column: str = "jurisdiction_id") -> None:
    """Turn on (and force) row-level security on a tenant-owned table, with the jurisdiction policy."""
    RLS_REQUESTED.add(table_name)
    if not is_postgresql(op):
        return
    table = _quote_ident(table_name)
    predicate = current_predicate(op).format(column=_quote_ident(column))
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    # FORCE makes the policy bind the table owner too, in case the app ever connects as the owner.
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"CREATE POLICY {POLICY_NAME} ON {table} USING ({predicate}) WITH CHECK ({predicate})")
    grant_app_role(op, table_name)


def current_predicate(op) -> str:
    """The predicate for a table created now: the scope functions once core installed them, else the
    settings (a plugin branch may run before or after core's ``rls_0002``; that revision rewrites every
    existing policy, so either way all tables end with the same one)."""
    has_functions = (
        op.get_bind()
        .exec_driver_sql("SELECT to_regprocedure('qingqian_scope_jurisdiction()') IS NOT NULL")
        .scalar()
    )
    return SCOPE_TENANT_PREDICATE if has_functions else TENANT_PREDICATE


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
    from core.models.append_only import APPEND_ONLY_REQUESTED

    APPEND_ONLY_REQUESTED.add(table_name)
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


# --- The scope only SECURITY DEFINER functions write (revision rls_0002) ----------------------------


def ensure_maintenance_role(op, role: str | None = None, app: str | None = None) -> None:
    """Create the NOLOGIN maintenance role if missing and make it a member of the app role (its table
    privileges, and SET ROLE to it). An administrator gives it LOGIN and a password (README)."""
    if not is_postgresql(op):
        return
    role = role or maintenance_role()
    app = app or app_role()
    op.execute(
        f"""
DO $qq$
DECLARE
    maint text := {_literal(role)};
    app_role text := {_literal(app)};
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = maint) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS', maint);
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE '用户 % 无 CREATEROLE 权限，未能创建维护角色 %', current_user, maint
                    USING HINT = format('请管理员执行：CREATE ROLE %I LOGIN PASSWORD ''…''; GRANT %I TO %I;',
                                        maint, app_role, maint);
                RETURN;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app_role)
       AND NOT pg_has_role(maint, app_role, 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT %I TO %I', app_role, maint);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE '未能把应用角色 % 授予维护角色 %', app_role, maint
                USING HINT = format('请管理员执行：GRANT %I TO %I;', app_role, maint);
        END;
    END IF;
END
$qq$;
"""
    )


def install_scope_functions(op) -> None:
    """The scope table, its writer and readers, and every tenant policy switched over to them."""
    if not is_postgresql(op):
        return
    app, maint = app_role(), maintenance_role()
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    table = f"{_quote_ident(schema)}.{SCOPE_TABLE}"
    # Unlogged: the scope of a live transaction needs no crash safety. One row per backend, overwritten by
    # the next transaction's scope; a row whose xact_start is not this transaction's counts as no scope,
    # so nothing carries over between transactions on a pooled connection.
    op.execute(
        f"""
CREATE UNLOGGED TABLE IF NOT EXISTS {table} (
    pid integer PRIMARY KEY,
    xact_start timestamptz NOT NULL,
    all_jurisdictions boolean NOT NULL DEFAULT false,
    jurisdiction_id bigint,
    bound_jurisdiction bigint
)"""
    )
    op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
    # The schema's default privileges (grant_app_role) just gave the app role DML on it: take them back.
    _execute_for_role(op, app, [f"REVOKE ALL ON TABLE %I.{SCOPE_TABLE} FROM %I"])
    _execute_for_role(op, maint, [f"REVOKE ALL ON TABLE %I.{SCOPE_TABLE} FROM %I"])
    op.execute(
        f"""
CREATE OR REPLACE FUNCTION qingqian_scope_all() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $qq$
    SELECT coalesce((SELECT s.all_jurisdictions FROM {table} s
                     WHERE s.pid = pg_backend_pid() AND s.xact_start = transaction_timestamp()), false)
$qq$"""
    )
    op.execute(
        f"""
CREATE OR REPLACE FUNCTION qingqian_scope_jurisdiction() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $qq$
    SELECT s.jurisdiction_id FROM {table} s
    WHERE s.pid = pg_backend_pid() AND s.xact_start = transaction_timestamp()
$qq$"""
    )
    # Who may see every jurisdiction is decided by session_user (the role that logged in), which neither
    # SET ROLE nor set_config can change: the owner (or a superuser) and the maintenance role.
    op.execute(
        f"""
CREATE OR REPLACE FUNCTION qingqian_set_scope(p_all boolean, p_jurisdiction bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $qq$
DECLARE
    privileged boolean := pg_has_role(session_user, current_user, 'MEMBER')
        OR (to_regrole({_literal(maint)}) IS NOT NULL
            AND pg_has_role(session_user, {_literal(maint)}, 'MEMBER'));
    bound bigint;
BEGIN
    IF p_all AND NOT privileged THEN
        RAISE EXCEPTION '角色 % 不能查看全部辖区（只有维护角色可以）', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT s.bound_jurisdiction INTO bound FROM {table} s
    WHERE s.pid = pg_backend_pid() AND s.xact_start = transaction_timestamp();
    IF NOT privileged AND bound IS NOT NULL AND p_jurisdiction IS DISTINCT FROM bound
       AND p_jurisdiction IS NOT NULL THEN
        RAISE EXCEPTION '本事务已限定在辖区 %，不能改到辖区 %', bound, p_jurisdiction
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO {table} AS s (pid, xact_start, all_jurisdictions, jurisdiction_id, bound_jurisdiction)
    VALUES (pg_backend_pid(), transaction_timestamp(), coalesce(p_all, false), p_jurisdiction,
            coalesce(bound, p_jurisdiction))
    ON CONFLICT (pid) DO UPDATE SET xact_start = EXCLUDED.xact_start,
        all_jurisdictions = EXCLUDED.all_jurisdictions, jurisdiction_id = EXCLUDED.jurisdiction_id,
        bound_jurisdiction = EXCLUDED.bound_jurisdiction;
END
$qq$"""
    )
    op.execute("REVOKE ALL ON FUNCTION qingqian_set_scope(boolean, bigint) FROM PUBLIC")
    _execute_for_role(op, app, ["GRANT EXECUTE ON FUNCTION %I.qingqian_set_scope(boolean, bigint) TO %I"])
    replace_tenant_predicate(op, SCOPE_TENANT_PREDICATE)
    # Jurisdictions themselves (the roots of the tree: code, name, plan) are readable in any scope: a
    # user's jurisdictions are listed before one is chosen, and public pages are addressed by their code.
    op.execute(f"DROP POLICY IF EXISTS {DIRECTORY_POLICY} ON tenant_nodes")
    op.execute(f"CREATE POLICY {DIRECTORY_POLICY} ON tenant_nodes FOR SELECT USING (parent_id IS NULL)")
    # Later revisions in this transaction act for the whole platform, as they did under the setting.
    op.execute("SELECT qingqian_set_scope(true, NULL)")


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: the scope table is the database's own machinery, not a model."""
    return not (type_ == "table" and name == SCOPE_TABLE)


def drop_scope_functions(op) -> None:
    if not is_postgresql(op):
        return
    op.execute(f"DROP POLICY IF EXISTS {DIRECTORY_POLICY} ON tenant_nodes")
    replace_tenant_predicate(op, TENANT_PREDICATE)
    op.execute("DROP FUNCTION IF EXISTS qingqian_set_scope(boolean, bigint)")
    op.execute("DROP FUNCTION IF EXISTS qingqian_scope_jurisdiction()")
    op.execute("DROP FUNCTION IF EXISTS qingqian_scope_all()")
    op.execute(f"DROP TABLE IF EXISTS {SCOPE_TABLE}")
