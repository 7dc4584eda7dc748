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
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from core import create_app
from core.auth.models import ApiToken, RoleAssignment, User
from core.config import TestConfig
from core.extensions import db
from core.tenancy.plans import NATIONAL_DEFAULTS, deep_merge
from core.tenancy.scope import system_scope

PG_URL = os.environ.get("QINGQIAN_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("QINGQIAN_TEST_REDIS_URL")
IN_CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not PG_URL:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL run only (QINGQIAN_TEST_DATABASE_URL)"))
        if "redis" in item.keywords and not REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="Redis run only (QINGQIAN_TEST_REDIS_URL)"))


def make_config(tmp: Path, **overrides) -> dict:
    url = PG_URL or f"sqlite:///{tmp / 'test.db'}"
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "REDIS_URL": REDIS_URL if overrides.pop("use_redis", False) else None,
        **overrides,
    }


def build_schema(app) -> None:
    """Drop everything and run the migrations, exactly as `qingqian db upgrade` does on a new install."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        migrations = Path(app.extensions["migrate"].directory)
        if (migrations / "env.py").exists():
            from flask_migrate import upgrade

            upgrade(revision="heads")
        else:
            db.create_all()


def clear_tables(app) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(
                    text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
                )
            else:
                for name in tables:
                    conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("qingqian")


@pytest.fixture(scope="session")
def _app(session_tmp):
    os.environ.setdefault("QINGQIAN_INSTANCE_PATH", str(session_tmp / "instance"))
    app = create_app({**vars_of(TestConfig), **make_config(session_tmp)})
    build_schema(app)
    return app


def vars_of(cls) -> dict:
    return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}


@pytest.fixture
def app(_app):
    clear_tables(_app)
    _app.extensions.pop("qingqian.ratelimit.memory", None)
    with _app.app_context():
        yield _app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def plan_with(**overrides) -> dict:
    return deep_merge(NATIONAL_DEFAULTS, overrides)


@dataclass
class World:
    """Two jurisdictions with a small tree each, and one user (with a token) per interesting role."""

    nodes: dict[str, object] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str, **extra) -> dict:
        return {"Authorization": f"Bearer {self.tokens[username]}", **extra}

    def node(self, code: str):
        return db.session.get(type(self.nodes[code]), self.nodes[code].id)


def add_user(world: World, username: str, role: str, node, password: str = "secret-pass-1") -> User:
    user = User(username=username, display_name=username)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    db.session.add(
        RoleAssignment(
            user_id=user.id,
            node_id=node.id if node is not None else None,
            jurisdiction_id=node.jurisdiction_id if node is not None else None,
            role=role,
        )
    )
    row, token = ApiToken.issue(user, "test")
    db.session.add(row)
    world.users[username] = user
    world.tokens[username] = token
    return user


@pytest.fixture
def world(app) -> World:
    """Jurisdiction A (a → a.town1 → a.town1.office; a.town2; a.soe → a.soe.sub); B (b → b.town1)."""
    from core.tenancy import service

    w = World()
    with system_scope():
        a = service.create_node(
            code="a",
            name="甲风景区",
            kind="jurisdiction",
            parent=None,
            plan=plan_with(
                name="甲方案", plugins=["sample", "ledger", "agreements", "complaints", "disclosure"]
            ),
        )
        w.nodes["a"] = a
        w.nodes["a.town1"] = service.create_node(
            code="a.town1", name="甲一镇人民政府", kind="township", parent=a
        )
        w.nodes["a.town1.office"] = service.create_node(
            code="a.town1.office", name="甲一镇财政所", kind="institution", parent=w.nodes["a.town1"]
        )
        w.nodes["a.town2"] = service.create_node(
            code="a.town2", name="甲二镇人民政府", kind="township", parent=a
        )
        w.nodes["a.soe"] = service.create_node(code="a.soe", name="甲旅游集团", kind="soe", parent=a)
        w.nodes["a.soe.sub"] = service.create_node(
            code="a.soe.sub", name="甲旅游集团酒店公司", kind="subsidiary", parent=w.nodes["a.soe"]
        )
        b = service.create_node(
            code="b",
            name="乙新区",
            kind="jurisdiction",
            parent=None,
            plan=plan_with(name="乙方案", plugins=[]),
        )
        w.nodes["b"] = b
        w.nodes["b.town1"] = service.create_node(
            code="b.town1", name="乙一镇人民政府", kind="township", parent=b
        )
        add_user(w, "admin", "platform_admin", None)
        add_user(w, "office_a", "office_admin", a)
        add_user(w, "clerk_a1", "unit_clerk", w.nodes["a.town1"])
        add_user(w, "head_a1", "unit_head", w.nodes["a.town1"])
        add_user(w, "clerk_a2", "unit_clerk", w.nodes["a.town2"])
        add_user(w, "soe_a", "soe_group_admin", w.nodes["a.soe"])
        add_user(w, "leader_a", "leader", a)
        add_user(w, "auditor_a", "auditor", a)
        add_user(w, "office_b", "office_admin", b)
        add_user(w, "clerk_b1", "unit_clerk", w.nodes["b.town1"])
        db.session.commit()
        # Load the nodes again while still in system scope: tests read world.nodes[...] outside any
        # scope, and on PostgreSQL row-level security would hide the rows an expired object reloads.
        for node in w.nodes.values():
            db.session.refresh(node)
    return w


VALID_CODES = [
    "91140000MA0GRXKB1L",
]


def debt_payload(**overrides) -> dict:
    from core.rules.credit_code import make

    body = {
        "creditor": {
            "name": "五台山宏达建筑工程有限公司",
            "credit_code": make("91140922MA0K12345"),
            "size_class": "small",
        },
        "project_name": "景区道路维修工程",
        "contract_no": "HT-2022-001",
        "contract_date": "2022-05-10",
        "category": "works",
        "amount_owed": "100000.00",
        "delivery_date": "2023-01-01",
    }
    body.update(overrides)
    return body


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
