"""The ``qingqian`` command line: a Flask CLI group with the app factory built in.

Each area has its own module with a ``commands()`` function returning click commands or groups.
"""

from __future__ import annotations

import importlib

import click
from flask.cli import FlaskGroup

COMMAND_MODULES = ("db", "tenant", "users", "plugins", "jobs", "demo", "serve")


def _create_app():
    from core import create_app

    return create_app()


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
