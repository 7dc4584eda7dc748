"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL + Redis when these are set:

    QINGQIAN_TEST_DATABASE_URL=postgresql://127.0.0.1/test
    QINGQIAN_TEST_REDIS_URL=redis://127.0.0.1:6379/15

The schema is built by the real migrations once per session; each test starts from empty tables.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core import create_app
from core.config import TestConfig
from core.extensions import db
from core.plugins import create_plugin_manager
from core.tenancy.scope import system_scope
from core.testing.harness import (  # noqa: F401  (re-exported: tests import them from here)
    UnsafeDatabase,
    World,
    add_user,
    build_world,
    clear_tables,
    debt_payload,
    looks_like_test_database,
    plan_with,
    registered_models,
    vars_of,
)
from core.testing.harness import build_schema as _build_schema
from core.testing.harness import make_config as _make_config

BUILT_IN_PLUGINS = ("ledger", "agreements", "complaints", "disclosure")
# What this run has (QINGQIAN_PLUGINS may leave plugins out: CI runs the core suite with each one alone).
INSTALLED_PLUGINS = frozenset(create_plugin_manager().names())
ALL_BUILT_INS = set(BUILT_IN_PLUGINS) <= INSTALLED_PLUGINS


def needs_plugins(*names: str):
    """Skip a test of a plugin's behaviour when the plugin is not part of this run."""
    missing = sorted(set(names) - INSTALLED_PLUGINS)
    return pytest.mark.skipif(bool(missing), reason=f"needs plugin(s) {', '.join(missing)}")


PG_URL = os.environ.get("QINGQIAN_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("QINGQIAN_TEST_REDIS_URL")
IN_CI = os.environ.get("CI") == "true"
# CI's two lanes share the work (.ci/run): the browser tests drive the same pages whatever the database and
# run in the SQLite lane; the runs with each subset of built-ins leave out tests that do not depend on it.
SKIP_BROWSER = os.environ.get("QINGQIAN_SKIP_BROWSER_TESTS") == "1"
SUBSET_RUN = os.environ.get("QINGQIAN_SUBSET_RUN") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not PG_URL:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL run only (QINGQIAN_TEST_DATABASE_URL)"))
        if "redis" in item.keywords and not REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="Redis run only (QINGQIAN_TEST_REDIS_URL)"))
        if SKIP_BROWSER and "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="browser tests run in the other CI lane"))
        if SUBSET_RUN and "same_for_every_subset" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="same for every plugin subset: run by the full suites"))


def make_config(tmp: Path, **overrides) -> dict:
    return _make_config(tmp, REDIS_URL, **overrides)


def build_schema(app) -> None:
    try:
        _build_schema(app)
    except UnsafeDatabase as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("qingqian")


@pytest.fixture(scope="session")
def _app(session_tmp):
    os.environ.setdefault("QINGQIAN_INSTANCE_PATH", str(session_tmp / "instance"))
    app = create_app({**vars_of(TestConfig), **make_config(session_tmp)})
    build_schema(app)
    return app


@pytest.fixture
def app(_app):
    clear_tables(_app)
    _app.config.pop("CLOCK_NOW", None)  # a test that pins the clock never leaks it into the next
    with _app.app_context():
        yield _app
        db.session.remove()
    _app.config.pop("CLOCK_NOW", None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app) -> World:
    """Jurisdiction A (a → a.town1 → a.town1.office; a.town2; a.soe → a.soe.sub); B (b → b.town1)."""
    return build_world(app)


VALID_CODES = [
    "91140000MA0GRXKB1L",
]


@contextmanager
def registered(app, plugin) -> Iterator:
    """``plugin`` registered with the app's plugin manager for the block (a test's own hooks and jobs)."""
    pm = app.extensions["qingqian.plugins"]
    pm.register_plugin(plugin)
    try:
        yield plugin
    finally:
        pm.unregister(name=plugin.PLUGIN_NAME)


def job_left_running(job_id: str, *, attempts: int, silent_for: float) -> None:
    """The job row as a worker killed mid-attempt leaves it (its own transaction rolled back with it):
    running, its last heartbeat ``silent_for`` seconds ago."""
    from core.jobs.models import Job, JobStatus
    from core.models.base import utcnow

    last = utcnow() - dt.timedelta(seconds=silent_for)
    with system_scope():
        db.session.execute(
            db.update(Job)
            .where(Job.id == job_id)
            .values(status=JobStatus.RUNNING, attempts=attempts, started_at=last, heartbeat_at=last)
        )
        db.session.commit()
