"""`qingqian db ...`: Alembic migrations for core and for every installed plugin's own branch.

Core's revisions live in ``migrations/versions`` (branch ``core``); each plugin returns its revision
directories from ``qingqian_migration_locations``. The commands replace Flask-Migrate's ``db`` group so
that ``upgrade`` moves every branch (``heads``) by default.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import flask_migrate
from alembic import command as alembic_command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask.cli import AppGroup

from core.extensions import migrate

CORE_BRANCH = "core"


def version_locations(app) -> list[str]:
    """Core's version directory followed by every plugin's, absolute and without duplicates."""
    from core.plugins import flatten

    directory = Path(app.extensions["migrate"].directory)
    locations = [directory / "versions"]
    pm = app.extensions.get("qingqian.plugins")
    if pm is not None:
        locations += [Path(p) for p in flatten(pm.hook.qingqian_migration_locations())]
    out: list[str] = []
    for location in locations:
        path = str(location.resolve())
        if path not in out:
            out.append(path)
    return out


@migrate.configure
def _configure_alembic(config):
    # Commands that never run env.py (heads, history, plain revision) must see plugin branches too.
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(version_locations(current_app)))
    return config


def _config(autogenerate: bool = False):
    opts = ["autogenerate"] if autogenerate else None
    return current_app.extensions["migrate"].migrate.get_config(None, opts=opts)


def _branch_labels(script: ScriptDirectory) -> set[str]:
    labels: set[str] = set()
    for rev in script.walk_revisions():
        labels.update(rev.branch_labels or ())
    return labels


db_group = AppGroup("db", help="数据库迁移：核心及各插件的 Alembic 分支。")


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@click.option("--sql", is_flag=True, help="只输出 SQL 语句，不执行。")
def upgrade_command(revision: str, sql: bool) -> None:
    """升级数据库到指定版本（默认 heads：核心和所有插件分支的最新版本）。"""
    upgrade_all(revision, sql=sql)


# --- Plugins that went away -----------------------------------------------------------------------


def upgrade_all(revision: str = "heads", sql: bool = False) -> None:
    """Upgrade every branch, refusing with a plain Chinese explanation when an applied revision belongs to
    a plugin that is no longer installed, and remember which plugin each applied head belongs to."""
    missing = missing_revisions()
    if missing:
        raise click.ClickException(missing_message(missing))
    flask_migrate.upgrade(revision=revision, sql=sql)
    if not sql:
        record_owners()


def _applied() -> list[str]:
    from sqlalchemy import inspect, text

    from core.extensions import db

    if "alembic_version" not in inspect(db.engine).get_table_names():
        return []
    with db.engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]


def missing_revisions() -> list[str]:
    """Applied revisions that neither core nor any installed plugin provides."""
    from alembic.script.revision import RevisionError

    script = ScriptDirectory.from_config(_config())
    out = []
    for rev in _applied():
        try:
            found = script.get_revision(rev)
        except (CommandError, RevisionError):
            found = None
        if found is None:
            out.append(rev)
    return out


def _owners(revisions: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    from sqlalchemy import inspect

    from core.extensions import db
    from core.models.migration_owner import MigrationOwner

    if "migration_owners" not in inspect(db.engine).get_table_names():
        return {}
    with db.engine.connect() as conn:
        rows = conn.execute(
            db.select(
                MigrationOwner.revision, MigrationOwner.plugin, MigrationOwner.label, MigrationOwner.location
            ).where(MigrationOwner.revision.in_(revisions))
        ).all()
    return {row.revision: (row.plugin, row.label, row.location) for row in rows}


def missing_message(revisions: list[str]) -> str:
    from core.extensions import db

    owners = _owners(revisions)
    lines = []
    for rev in revisions:
        if rev in owners:
            plugin, label, location = owners[rev]
            where = f"（原安装位置：{location}）" if location else ""
            lines.append(
                f"数据库已应用插件“{label or plugin}”（{plugin}）的迁移版本 {rev}，"
                f"但当前环境没有安装该插件{where}。"
            )
        else:
            lines.append(
                f"数据库已应用迁移版本 {rev}，但核心和已安装的插件中都找不到它：很可能是某个插件被卸载了。"
            )
    url = db.engine.url
    demo_db = f"（{url.database}）" if url.get_backend_name() == "sqlite" else ""
    lines += [
        "数据库没有改动。处理办法（任选其一）：",
        "  1. 重新安装该插件，再执行 qingqian db upgrade；",
        f"  2. 如果这是开发机上的演示数据库{demo_db}，可以删除它，再运行 python3 dev.py demo 重新生成；",
        "  3. 如果确定不再使用该插件：在装有它的环境中先执行 qingqian db downgrade <插件名>@base"
        " 删除它的数据表，再卸载。",
        "请不要手工删除 alembic_version 中的记录：该插件建立的数据表仍在数据库中。",
    ]
    return "\n".join(lines)


def _location_owners() -> list[tuple[Path, str, str]]:
    """(migration directory, plugin name, label) for core and every installed plugin."""
    from core.plugins import flatten

    app = current_app
    out = [(Path(app.extensions["migrate"].directory).resolve() / "versions", "core", "核心")]
    pm = app.extensions.get("qingqian.plugins")
    if pm is None:
        return out
    for impl in pm.hook.qingqian_migration_locations.get_hookimpls():
        label = getattr(impl.plugin, "PLUGIN_LABEL", None) or impl.plugin_name
        for location in flatten([impl.function()]):
            out.append((Path(location).resolve(), impl.plugin_name, str(label)))
    return out


def record_owners() -> None:
    """Remember the plugin of each applied head (``migration_owners``) for ``missing_message``."""
    from sqlalchemy import inspect

    from core.clock import utcnow
    from core.extensions import db
    from core.models.migration_owner import MigrationOwner

    if "migration_owners" not in inspect(db.engine).get_table_names():
        return
    script = ScriptDirectory.from_config(_config())
    owners = _location_owners()
    rows = []
    for rev in _applied():
        path = Path(script.get_revision(rev).path).resolve()
        found = next(((name, label, d) for d, name, label in owners if path.is_relative_to(d)), None)
        if found is not None:
            name, label, directory = found
            rows.append(
                {
                    "revision": rev,
                    "plugin": name,
                    "label": label,
                    "location": str(directory),
                    "recorded_at": utcnow(),
                }
            )
    if not rows:
        return
    table = MigrationOwner.__table__
    with db.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.revision.in_([r["revision"] for r in rows])))
        conn.execute(table.insert(), rows)


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--sql", is_flag=True, help="只输出 SQL 语句，不执行。")
def downgrade_command(revision: str, sql: bool) -> None:
    """降级数据库到指定版本（如 -1、某个版本号、<分支>@-1 或 base）。"""
    flask_migrate.downgrade(revision=revision, sql=sql)


@db_group.command("current")
@click.option("-v", "--verbose", is_flag=True, help="显示详细信息。")
def current_command(verbose: bool) -> None:
    """显示数据库当前所在的版本。"""
    flask_migrate.current(verbose=verbose)


@db_group.command("heads")
@click.option("-v", "--verbose", is_flag=True, help="显示详细信息。")
def heads_command(verbose: bool) -> None:
    """列出所有分支的最新版本。"""
    flask_migrate.heads(verbose=verbose, resolve_dependencies=False)


@db_group.command("history")
@click.option("-r", "--rev-range", default=None, help="版本范围，如 base:head。")
@click.option("-v", "--verbose", is_flag=True, help="显示详细信息。")
def history_command(rev_range: str | None, verbose: bool) -> None:
    """按时间顺序列出迁移版本。"""
    flask_migrate.history(rev_range=rev_range, verbose=verbose, indicate_current=True)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="版本说明。")
@click.option("--autogenerate", is_flag=True, help="对比模型与数据库，自动生成变更。")
@click.option(
    "--branch",
    "branch",
    default=None,
    help="分支标签（插件名）。已有分支则在其末尾追加；新分支从 base 开始并依赖核心的最新版本。",
)
@click.option("--version-path", default=None, help="新版本文件存放的目录（新插件分支需指定）。")
@click.option("--head", default=None, help="新版本的上一个版本（默认 core@head 或 <分支>@head）。")
@click.option("--rev-id", default=None, help="指定版本号，而不是自动生成。")
def revision_command(
    message: str,
    autogenerate: bool,
    branch: str | None,
    version_path: str | None,
    head: str | None,
    rev_id: str | None,
) -> None:
    """新建迁移版本文件。"""
    config = _config(autogenerate)
    script = ScriptDirectory.from_config(config)
    branch_label = None
    depends_on = None
    try:
        if branch is None:
            head = head or f"{CORE_BRANCH}@head"
            if CORE_BRANCH not in _branch_labels(script):
                head = "head"  # the very first core revision
                branch_label = CORE_BRANCH
        elif branch in _branch_labels(script):
            head = head or f"{branch}@head"
        else:
            # A new plugin branch starts from nothing but must run after the core tables exist.
            head = head or "base"
            branch_label = branch
            core_heads = script.get_revisions(f"{CORE_BRANCH}@head")
            depends_on = [rev.revision for rev in core_heads] or None
        alembic_command.revision(
            config,
            message,
            autogenerate=autogenerate,
            head=head,
            branch_label=branch_label,
            version_path=version_path,
            rev_id=rev_id,
            depends_on=depends_on,
        )
    except CommandError as exc:
        raise click.ClickException(f"生成迁移版本失败：{exc}") from exc


def commands() -> list[click.Command]:
    return [db_group]
