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
from tests.conftest import vars_of

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
    model_tables = set(db.metadata.tables)
    assert model_tables <= _tables(app)
    with app.app_context():
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
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
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        # Policies, grants and triggers are not part of the metadata and are never reported.
        assert diff == []

        result = runner.invoke(args=["db", "downgrade", "base"])
        assert result.exit_code == 0, (result.output, result.exception)
        assert tables() == {"alembic_version"}
        with db.engine.connect() as conn:
            leftovers = conn.execute(
                sa.text("SELECT proname FROM pg_proc WHERE proname = 'qingqian_refuse_change'")
            ).all()
        assert leftovers == []
    finally:
        # Leave the session's schema as the other tests expect it.
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, (result.output, result.exception)
