"""Qingqian core: the Flask application factory.

Core never imports a plugin; plugins reach it only through the hooks in ``core.hookspecs``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from core.plugins import hookimpl

__all__ = ["create_app", "hookimpl"]

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: Mapping[str, Any] | type | None = None, plugins: list[object] | None = None) -> Flask:
    """Build the application.

    ``config`` is a mapping or config class overriding the environment-derived defaults. ``plugins`` are
    extra plugin objects registered directly (tests do this, as datasette's tests do).
    """
    from core import config as config_module
    from core.api.openapi import QingqianApi
    from core.extensions import csrf, db, migrate

    instance_path = os.environ.get("QINGQIAN_INSTANCE_PATH") or None
    app = Flask("core", instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(config_module.Config)
    if isinstance(config, type):
        app.config.from_object(config)
    elif config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config_module.finalize(app.config, app.instance_path)

    import core.auth.models  # noqa: F401  (users, roles, tokens)
    import core.auth.ratelimit  # noqa: F401  (rate-limit counters, when there is no Redis)
    import core.jobs.models  # noqa: F401  (registers the jobs table)
    import core.models  # noqa: F401  (the shared debt model)
    import core.models.notification  # noqa: F401  (in-app notifications)
    from core.plugins import create_plugin_manager

    pm = create_plugin_manager(
        extra_plugins=list(plugins or []) + list(app.config.get("QINGQIAN_EXTRA_PLUGINS", [])),
        load_entry_points=app.config.get("QINGQIAN_LOAD_ENTRY_POINTS", True),
    )
    app.extensions["qingqian.plugins"] = pm
    pm.hook.qingqian_register_models()

    db.init_app(app)
    migrate.init_app(
        app, db, directory=app.config.get("MIGRATIONS_DIR", MIGRATIONS_DIR), render_as_batch=True
    )
    csrf.init_app(app)
    # One Api per app: its OpenAPI document describes exactly the routes this app (and its plugins) has.
    app.extensions["qingqian.api"] = QingqianApi(app)

    _register_blueprints(app, pm)
    _install_request_handling(app)
    _install_database_hooks(app)

    from core.cli import register_cli

    register_cli(app, pm)
    from core.web.templating import install_templating

    install_templating(app)
    return app


def _register_blueprints(app: Flask, pm) -> None:
    api = app.extensions["qingqian.api"]
    from core.api import core_blueprints
    from core.plugins import is_core
    from core.web import web_blueprints

    for bp in core_blueprints():
        api.register_blueprint(bp, url_prefix="/api/v1" + (bp.url_prefix or ""))
    for bp in web_blueprints():
        app.register_blueprint(bp)
    for name, plugin in pm.list_name_plugin():
        if is_core(name):
            continue
        impl = getattr(plugin, "qingqian_api_blueprints", None)
        for bp in (impl() if impl else None) or []:
            api.register_blueprint(bp, url_prefix="/api/v1" + (bp.url_prefix or ""))
            pm.blueprint_plugins[bp.name] = name
        impl = getattr(plugin, "qingqian_ui_blueprints", None)
        for bp in (impl() if impl else None) or []:
            app.register_blueprint(bp)
            pm.blueprint_plugins[bp.name] = name


def _install_request_handling(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    from core.api.base import handle_http_exception, register_error_handlers
    from core.auth.gate import before_request, is_api_request, teardown_request
    from core.web.errors import render_error_page

    app.before_request(before_request)
    app.teardown_request(teardown_request)
    from core.web.security import install_security_headers

    install_security_headers(app)
    register_error_handlers(app)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if is_api_request():
            return handle_http_exception(exc)
        return render_error_page(exc)

    @app.after_request
    def _retry_after(response):
        # Every 429 says when to come back; limits that know their window set it exactly.
        if response.status_code == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = "60"
        return response

    from core.auth import proxies

    proxies.install(app)


def _install_database_hooks(app: Flask) -> None:
    from core.extensions import db
    from core.tenancy.isolation import enable_rls_session_settings

    with app.app_context():
        enable_rls_session_settings(db.engine, app.config.get("PG_APP_ROLE"))
        if db.engine.dialect.name == "sqlite":
            from sqlalchemy import event

            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=30000")
                cursor.close()
