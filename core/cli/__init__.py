"""The ``qingqian`` command line: a Flask CLI group with the app factory built in.

Each area has its own module with a ``commands()`` function returning click commands or groups.
"""

from __future__ import annotations

import importlib
import os
import sys

import click
from flask.cli import FlaskGroup

COMMAND_MODULES = ("db", "tenant", "users", "plugins", "jobs", "demo", "serve", "check", "plan")


# PostgreSQL with separate roles (README, "PostgreSQL roles"): the web app logs in as the app role
# (QINGQIAN_DATABASE_URL), which can never see more than one jurisdiction. `qingqian db ...` connects as
# the owner, every other command (workers, scheduler, tenant loading, recompute) as the maintenance role.
MIGRATE_URL_ENV = "QINGQIAN_MIGRATE_DATABASE_URL"
MAINTENANCE_URL_ENV = "QINGQIAN_MAINTENANCE_DATABASE_URL"
WEB_COMMANDS = {"serve", "run", "routes", "shell"}


def database_url_for(command: str | None, environ=None) -> str | None:
    """The database URL a CLI command connects with, when it is not the app's own."""
    environ = os.environ if environ is None else environ
    if command == "db":
        return environ.get(MIGRATE_URL_ENV) or environ.get(MAINTENANCE_URL_ENV) or None
    if command in WEB_COMMANDS or command is None:
        return None
    return environ.get(MAINTENANCE_URL_ENV) or None


def _command_name(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _create_app():
    from core import create_app

    url = database_url_for(_command_name(sys.argv[1:]))
    return create_app({"SQLALCHEMY_DATABASE_URI": url} if url else None)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """清欠平台命令行。"""


def register_cli(app, pm) -> None:
    from core.plugins import flatten

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"core.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"core.cli.{name}":
                continue
            raise
        for command in module.commands():
            if command.name == "db":
                app.cli.commands.pop("db", None)  # ours replaces Flask-Migrate's, upgrading every branch
            app.cli.add_command(command)
    for command in flatten(pm.hook.qingqian_cli_commands()):
        app.cli.add_command(command)
