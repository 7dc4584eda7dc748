"""Alembic environment for Qingqian: core's branch plus one branch per installed plugin."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

from core.cli.db import version_locations
from core.tenancy import rls

config = context.config

if config.config_file_name is not None:
    # Keep the application's and pytest's loggers alive; Alembic's default would disable them.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def _install_plugin_locations() -> None:
    """Make every plugin's revisions visible, even when the Config did not come from `qingqian db`."""
    locations = version_locations(current_app)
    script = context.script
    if list(script.version_locations or []) != locations:
        script.version_locations = locations
        # The ScriptDirectory memoises its resolved locations; the revision map has not been read yet.
        script.__dict__.pop("_version_locations", None)
        script.__dict__.pop("_singular_version_location", None)


def render_item(type_, obj, autogen_context):
    # Money and friends are rendered as their SQL type, so revisions never import application code.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def process_revision_directives(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("没有检测到数据库结构变化，未生成迁移文件。")


def _configure_args() -> dict:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", process_revision_directives)
    args.setdefault("render_item", render_item)
    args["compare_type"] = True
    args.setdefault("include_object", rls.include_in_autogenerate)
    # SQLite cannot ALTER most things; batch mode copies the table. Rendering every revision in batch
    # form keeps revisions written against PostgreSQL runnable on the embedded SQLite install too.
    args["render_as_batch"] = True
    return args


def run_migrations_offline():
    url = target_db.engine.url
    context.configure(
        url=url.render_as_string(hide_password=False),
        target_metadata=target_db.metadata,
        literal_binds=True,
        **_configure_args(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = target_db.engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table (copy, drop, rename). With foreign keys enforced SQLite
            # refuses to drop a table other rows refer to, so a database holding data could not be
            # upgraded; they are off for the run (outside any transaction, where the pragma works) and
            # every reference is checked once it is over.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the transaction SQLAlchemy began, so alembic's own one commits
        try:
            _run_online(connection)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"迁移后有 {len(broken)} 行的外键引用不存在的记录，例如：{broken[:3]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _run_online(connection):
    context.configure(
        connection=connection,
        target_metadata=target_db.metadata,
        **_configure_args(),
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Data migrations act for the whole platform; FORCEd policies would otherwise hide rows
            # from a migrating user that owns the tables without being superuser.
            # Before revision rls_0002 the policies read this setting; from then on the scope function
            # (which lets the owner, who runs migrations, see all; core.tenancy.rls).
            connection.exec_driver_sql("SELECT set_config('qingqian.all', 'on', true)")
            connection.exec_driver_sql(
                """
DO $qq$
BEGIN
    IF to_regprocedure('qingqian_set_scope(boolean, bigint)') IS NOT NULL THEN
    PERFORM qingqian_set_scope(true, NULL);
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE '迁移用户既不是表的所有者也不是维护角色，数据迁移只能看到当前范围内的数据';
END
$qq$"""
            )
        context.run_migrations()


_install_plugin_locations()
if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
