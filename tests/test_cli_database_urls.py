"""Which PostgreSQL role each process logs in as: migrations the owner, the web app the app role, every
other command (workers, scheduler, tenant loading, recompute) the maintenance role."""

from __future__ import annotations

from core.cli import database_url_for

ENV = {
    "QINGQIAN_DATABASE_URL": "postgresql://qingqian_app@db/q",
    "QINGQIAN_MIGRATE_DATABASE_URL": "postgresql://owner@db/q",
    "QINGQIAN_MAINTENANCE_DATABASE_URL": "postgresql://qingqian_maintenance@db/q",
}


def test_migrations_connect_as_the_owner():
    assert database_url_for("db", ENV) == ENV["QINGQIAN_MIGRATE_DATABASE_URL"]


def test_other_commands_connect_as_the_maintenance_role():
    for command in ("worker", "scheduler", "tenant", "user", "demo", "jobs", "ledger"):
        assert database_url_for(command, ENV) == ENV["QINGQIAN_MAINTENANCE_DATABASE_URL"], command


def test_the_web_server_keeps_the_app_url():
    for command in ("serve", "run", "routes", "shell", None):
        assert database_url_for(command, ENV) is None, command


def test_a_single_url_install_is_unchanged():
    env = {"QINGQIAN_DATABASE_URL": ENV["QINGQIAN_DATABASE_URL"]}
    assert database_url_for("db", env) is None
    assert database_url_for("worker", env) is None
