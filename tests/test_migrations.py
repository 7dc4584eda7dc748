"""The migrations are the schema: an empty database upgraded to `heads` matches the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core import create_app, hookimpl
from core.config import TestConfig
from core.extensions import db
from core.tenancy import rls
from tests.conftest import INSTALLED_PLUGINS, registered_models, vars_of

CORE_BASE = "3eaae3783907"


class BranchPlugin:
    """A plugin that owns an (initially empty) migration directory, as a third-party plugin would."""

    PLUGIN_NAME = "branchdemo"

    def __init__(self, location: Path) -> None:
        self.location = location

    @hookimpl
    def qingqian_migration_locations(self):
        return [str(self.location)]


def _sqlite_app(tmp_path: Path, monkeypatch, plugins=None):
    monkeypatch.setenv("QINGQIAN_INSTANCE_PATH", str(tmp_path / "instance"))
    config = {
        **vars_of(TestConfig),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrate.db'}",
        "SECRET_KEY": "test-secret",
    }
    return create_app(config, plugins=plugins)


def _tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def _invoke(app, *args):
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_sqlite_upgrade_from_empty_and_back(tmp_path, monkeypatch):
    app = _sqlite_app(tmp_path, monkeypatch)
    assert _tables(app) == set()

    _invoke(app, "upgrade")
    # The tables of this app's models: a test may have imported a plugin this run leaves out.
    registered = registered_models(app)
    model_tables = {cls.__table__.name for cls in registered}
    left_out = {m.class_.__table__.name for m in db.Model.registry.mappers if m.class_ not in registered}
    assert model_tables <= _tables(app)

    def include(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        if table in left_out - model_tables:
            return False
        return rls.include_in_autogenerate(obj, name, type_, reflected, compare_to)

    with app.app_context():
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include}),
                db.metadata,
            )
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        # A branch that depends on core's head makes core an "effective" head, stored implicitly.
        reached = {r.revision for r in script.revision_map.iterate_revisions(tuple(current), "base")}
        assert set(script.get_heads()) <= reached
        base = script.get_revision(CORE_BASE)
        assert base.down_revision is None and "core" in base.branch_labels
    assert diff == []

    for command in (["current"], ["heads"], ["history"]):
        _invoke(app, *command)

    _invoke(app, "downgrade", "base")
    assert _tables(app) == {"alembic_version"}


def test_plugin_branch_is_created_found_and_upgraded(tmp_path, monkeypatch):
    versions = tmp_path / "branchdemo_versions"
    versions.mkdir()
    app = _sqlite_app(tmp_path, monkeypatch, plugins=[BranchPlugin(versions)])

    _invoke(app, "revision", "-m", "branch demo", "--branch", "branchdemo", "--version-path", str(versions))
    (path,) = versions.glob("*.py")
    # A new plugin branch starts at base, carries its label and runs after core's head.
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        (rev,) = script.get_revisions("branchdemo@head")
        core_head = script.get_revisions("core@head")[0].revision
    assert rev.path == str(path)
    assert rev.down_revision is None
    assert rev.branch_labels == {"branchdemo"}
    assert core_head in (rev.dependencies if isinstance(rev.dependencies, tuple) else (rev.dependencies,))

    _invoke(app, "upgrade")
    with app.app_context(), db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    assert rev.revision in current
    _invoke(app, "downgrade", "base")
    assert _tables(app) == {"alembic_version"}


class LabelledBranchPlugin(BranchPlugin):
    PLUGIN_LABEL = "分支示例插件"


def test_upgrade_names_a_plugin_that_disappeared_after_its_migrations_ran(tmp_path, monkeypatch):
    """A test-only plugin installed into the demo's environment, migrated, then gone: `db upgrade` used to
    stop with Alembic's traceback about an unknown revision."""
    versions = tmp_path / "branchdemo_versions"
    versions.mkdir()
    app = _sqlite_app(tmp_path, monkeypatch, plugins=[LabelledBranchPlugin(versions)])
    _invoke(app, "revision", "-m", "branch demo", "--branch", "branchdemo", "--version-path", str(versions))
    _invoke(app, "upgrade")
    with app.app_context(), db.engine.connect() as conn:
        owners = dict(conn.execute(sa.text("SELECT plugin, label FROM migration_owners")).all())
    assert owners["branchdemo"] == "分支示例插件"
    if "ledger" in INSTALLED_PLUGINS:
        assert owners["ledger"] == "清欠台账"

    without = _sqlite_app(tmp_path, monkeypatch)
    result = without.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert "插件“分支示例插件”（branchdemo）" in result.output and str(versions) in result.output
    assert "重新安装该插件" in result.output and "dev.py demo" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    # Nothing was touched: the plugin's revision is still the applied one.
    with without.app_context(), db.engine.connect() as conn:
        assert len(conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()) >= 1
    # The demo command refuses the same way instead of failing half-way.
    result = without.test_cli_runner().invoke(args=["demo", "--debts", "1"])
    assert result.exit_code == 1 and "branchdemo" in result.output and "Traceback" not in result.output


@pytest.mark.postgres
def test_postgres_upgrade_from_empty_matches_models(app):
    """Rebuild the test database through the CLI, compare it with the models, and round-trip base."""
    runner = app.test_cli_runner()

    def tables():
        return set(sa.inspect(db.engine).get_table_names())

    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    db.engine.dispose()
    try:
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, (result.output, result.exception)
        assert set(db.metadata.tables) <= tables()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn, opts={"compare_type": True, "include_object": rls.include_in_autogenerate}
                ),
                db.metadata,
            )
        # Policies, grants and triggers are not part of the metadata and are never reported.
        assert diff == []

        result = runner.invoke(args=["db", "downgrade", "base"])
        assert result.exit_code == 0, (result.output, result.exception)
        assert tables() == {"alembic_version"}
        with db.engine.connect() as conn:
            leftovers = conn.execute(
                sa.text("SELECT proname FROM pg_proc WHERE proname LIKE 'qingqian\\_%'")
            ).all()
        assert leftovers == []
    finally:
        # Leave the session's schema as the other tests expect it.
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, (result.output, result.exception)


def test_sqlite_upgrade_of_a_database_holding_data(tmp_path, monkeypatch):
    """The embedded default upgrades in place: batch migrations rebuild tables other rows refer to (debts,
    complaints, …), which SQLite refuses while it enforces foreign keys — migrations/env.py turns them off
    for the run and checks every reference afterwards."""
    from core.testing.harness import build_world, debt_payload

    app = _sqlite_app(tmp_path, monkeypatch)
    _invoke(app, "upgrade")
    with app.app_context():
        world = build_world(app)
    client = app.test_client()
    debt = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers("clerk_a1"))
    assert debt.status_code == 201, debt.json
    paid = client.post(
        f"/api/v1/debts/{debt.json['id']}/payments",
        json={"paid_on": "2024-01-02", "amount": "1000.00"},
        headers={**world.headers("clerk_a1"), "If-Match": debt.headers["ETag"]},
    )
    assert paid.status_code == 201, paid.json

    def counts() -> dict[str, int]:
        with app.app_context(), db.engine.connect() as conn:
            return {
                t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("tenant_nodes", "enterprises", "debts", "payments", "events")
            }

    before = counts()
    assert before["debts"] == 1 and before["payments"] == 1
    # Back to before the colocated keys (every plugin's revision that depends on them goes too), and up.
    _invoke(app, "downgrade", "onboard_0001")
    _invoke(app, "upgrade")
    assert counts() == before
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
