"""An app on the real migrations and a small world of two jurisdictions, for tests of core and plugins.

Used by the project's own suite (tests/conftest.py) and by the contract kit a plugin author runs, so both
build the schema and the world the same way. The database is SQLite in a temporary folder unless
``QINGQIAN_TEST_DATABASE_URL`` names a PostgreSQL test database (``test``, ``test_<x>`` or ``<x>_test``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from core.auth.models import ApiToken, RoleAssignment, User
from core.extensions import db
from core.tenancy.plans import NATIONAL_DEFAULTS, deep_merge
from core.tenancy.scope import system_scope

PG_URL_ENV = "QINGQIAN_TEST_DATABASE_URL"
REDIS_URL_ENV = "QINGQIAN_TEST_REDIS_URL"
# Jurisdiction a enables these (whichever are installed) and every plugin the app has; b enables none.
KNOWN_PLUGINS = (
    "sample",
    "ledger",
    "agreements",
    "complaints",
    "disclosure",
    "accountability",
    "prevention",
    "wages",
    "finance",
)


class UnsafeDatabase(RuntimeError):
    """A test database URL that does not look like a test database: its schema is never dropped."""


def registered_models(app) -> list[type]:
    """Core's models and those of the plugins this app registered (a test may have imported others)."""
    from core.plugins import flatten

    plugin_models = set(flatten(app.extensions["qingqian.plugins"].hook.qingqian_register_models()))
    return [
        m.class_
        for m in db.Model.registry.mappers
        if m.class_.__module__.startswith("core.") or m.class_ in plugin_models
    ]


def make_config(tmp: Path, redis_url: str | None = None, **overrides) -> dict:
    url = os.environ.get(PG_URL_ENV) or f"sqlite:///{tmp / 'test.db'}"
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "REDIS_URL": redis_url if overrides.pop("use_redis", False) else None,
        **overrides,
    }


def vars_of(cls) -> dict:
    return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}


def make_test_app(tmp: Path, plugins: list[object] | None = None, **overrides):
    """An app with the test configuration; ``plugins`` are registered besides the installed ones."""
    from core import create_app
    from core.config import TestConfig

    os.environ.setdefault("QINGQIAN_INSTANCE_PATH", str(tmp / "instance"))
    return create_app({**vars_of(TestConfig), **make_config(tmp, **overrides)}, plugins=plugins)


def looks_like_test_database(name: str | None) -> bool:
    """``test``, ``test_<x>`` or ``<x>_test``: the only databases whose schema the suite may drop."""
    name = (name or "").lower()
    return name == "test" or name.startswith("test_") or name.endswith("_test")


def build_schema(app) -> None:
    """Drop everything and run the migrations, exactly as `qingqian db upgrade` does on a new install."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            if not looks_like_test_database(engine.url.database):
                # A mistyped QINGQIAN_TEST_DATABASE_URL must not wipe a real database.
                raise UnsafeDatabase(
                    f"refusing to drop the schema of database {engine.url.database!r}: "
                    "test databases are named test, test_<name> or <name>_test"
                )
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        migrations = Path(app.extensions["migrate"].directory)
        if (migrations / "env.py").exists():
            from flask_migrate import upgrade

            upgrade(revision="heads")
        else:
            db.create_all()


def _dirty_tables(app, conn, tables: list[str]) -> tuple[list[str], dict[str, str]]:
    """The tables among ``tables`` that hold a row or whose id sequence has been used (one query), and
    each table's id sequence."""
    cached = app.extensions.get("qingqian.dirty_tables")
    if cached is None:
        owned = dict(
            conn.execute(
                text(
                    "SELECT t.relname, s.relname FROM pg_class s "
                    "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
                    "JOIN pg_class t ON t.oid = d.refobjid "
                    "WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace"
                )
            ).all()
        )
        parts = []
        for table in tables:
            used = f' OR (SELECT is_called FROM "{owned[table]}")' if table in owned else ""
            parts.append(f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM \"{table}\"){used}")
        cached = app.extensions["qingqian.dirty_tables"] = (" UNION ALL ".join(parts), owned)
    query, owned = cached
    return list(conn.execute(text(query)).scalars()), owned


def clear_tables(app) -> None:
    with app.app_context():
        # A model of a plugin left out of this run (QINGQIAN_PLUGINS) may be imported but has no table.
        existing = app.extensions.setdefault(
            "qingqian.test_tables", set(sa_inspect(db.engine).get_table_names())
        )
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                # TRUNCATE costs file operations per table however empty it is (about 0.5-1 s for every
                # table of core and the plugins, before each test). Only the tables a test wrote to are
                # emptied, by DELETE with triggers off (foreign keys and the append-only guards are
                # triggers; replica mode is the superuser's switch for them), and their ids restarted.
                dirty, owned = _dirty_tables(app, conn, tables)
                superuser = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
                if dirty and not superuser.scalar():
                    conn.execute(
                        text("TRUNCATE " + ", ".join(f'"{t}"' for t in dirty) + " RESTART IDENTITY CASCADE")
                    )
                elif dirty:
                    conn.execute(text("SET LOCAL session_replication_role = replica"))
                    for name in dirty:
                        conn.execute(text(f'DELETE FROM "{name}"'))
                        if name in owned:
                            conn.execute(text(f'ALTER SEQUENCE "{owned[name]}" RESTART'))
            else:
                for name in tables:
                    conn.execute(text(f'DELETE FROM "{name}"'))


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


def build_world(app) -> World:
    """Jurisdiction A (a → a.town1 → a.town1.office; a.town2; a.soe → a.soe.sub), which enables every
    plugin; B (b → b.town1), which enables none. Users: ``admin`` (platform), ``office_a``, ``clerk_a1``,
    ``head_a1``, ``clerk_a2``, ``soe_a``, ``leader_a``, ``auditor_a``, ``office_b``, ``clerk_b1``."""
    from core.plugins import is_core
    from core.tenancy import service

    installed = [n for n in app.extensions["qingqian.plugins"].names() if not is_core(n)]
    enabled = [*KNOWN_PLUGINS, *(n for n in installed if n not in KNOWN_PLUGINS)]
    w = World()
    with system_scope():
        a = service.create_node(
            code="a", name="甲风景区", kind="jurisdiction", parent=None,
            plan=plan_with(name="甲方案", plugins=enabled),
        )  # fmt: skip
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
