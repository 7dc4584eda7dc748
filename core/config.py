"""Configuration objects. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Defaults for the embedded install: SQLite in the instance folder, jobs in-process."""

    SECRET_KEY: str | None = os.environ.get("QINGQIAN_SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("QINGQIAN_DATABASE_URL")
    REDIS_URL: str | None = os.environ.get("QINGQIAN_REDIS_URL") or None
    TENANTS_DIR: str = os.environ.get(
        "QINGQIAN_TENANTS_DIR", str(Path(__file__).resolve().parent.parent / "tenants")
    )

    # Reverse proxies whose X-Forwarded-For/-Proto are believed (addresses or networks, comma-separated);
    # requests from anywhere else keep their own address (core.auth.proxies).
    TRUSTED_PROXIES: str = os.environ.get("QINGQIAN_TRUSTED_PROXIES", "")

    MAX_CONTENT_LENGTH: int = _env_int("QINGQIAN_MAX_UPLOAD_MB", 50) * 1024 * 1024
    UPLOAD_MAX_ROWS: int = _env_int("QINGQIAN_UPLOAD_MAX_ROWS", 200_000)
    # Workbooks generated in the background (ledger exports) are deleted this many days after they are ready.
    LEDGER_EXPORT_KEEP_DAYS: int = _env_int("QINGQIAN_EXPORT_KEEP_DAYS", 3)
    # A list export of more rows than this is written by a background job (progress, then a download link);
    # smaller ones are written in the request (core.list_exports).
    EXPORT_INLINE_ROWS: int = _env_int("QINGQIAN_EXPORT_INLINE_ROWS", 5000)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("QINGQIAN_SECURE_COOKIES", "0") == "1"
    SESSION_COOKIE_NAME = "qingqian_session"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_CHECK_DEFAULT = False  # checked in core.auth for cookie-authenticated requests only
    WTF_CSRF_TIME_LIMIT = None

    # The role PostgreSQL switches to in every transaction, so row-level security applies even when
    # the connecting user owns the tables or is a superuser.
    PG_APP_ROLE: str = os.environ.get("QINGQIAN_PG_APP_ROLE", "qingqian_app")
    # The login role of CLI commands, workers and the scheduler: the only one besides the owner that may
    # see every jurisdiction (core.tenancy.rls). Used when the migrations create the database's roles.
    PG_MAINTENANCE_ROLE: str = os.environ.get("QINGQIAN_PG_MAINTENANCE_ROLE", "qingqian_maintenance")

    JOB_MAX_RETRIES: int = _env_int("QINGQIAN_JOB_MAX_RETRIES", 3)
    JOB_RETRY_BACKOFF: tuple[int, ...] = (10, 60, 300)
    JOBS_INLINE: bool = False  # tests run jobs synchronously with this
    # A running attempt beats every JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_SECONDS lost its process
    # (restart, deploy, out of memory) and is run again once, then failed (core.jobs.liveness).
    JOB_HEARTBEAT_SECONDS: int = _env_int("QINGQIAN_JOB_HEARTBEAT_SECONDS", 30)
    JOB_STALE_SECONDS: int = _env_int("QINGQIAN_JOB_STALE_SECONDS", 300)

    API_TITLE = "清欠 Qingqian API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
        "info": {"description": "清欠平台 JSON API。认证：`Authorization: Bearer <token>`。"},
    }

    TESTING = False


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = True
    JOBS_INLINE = True
    JOB_RETRY_BACKOFF = (0, 0, 0)
    # Tests create dozens of users per test; a cheap hash keeps them fast. Production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


# Secret keys published with the project (docker-compose.yml's default): anyone could sign a session with
# them, so a production app refuses to start with one.
PLACEHOLDER_SECRET_KEYS = frozenset({"change-me-in-production"})


class InsecureConfiguration(RuntimeError):
    """The configuration would run a production app with a publicly known secret."""


def finalize(config: dict, instance_path: str) -> None:
    """Fill values that depend on the instance folder once the app exists."""
    if config.get("SECRET_KEY") in PLACEHOLDER_SECRET_KEYS and not (
        config.get("TESTING") or config.get("DEBUG")
    ):
        raise InsecureConfiguration(
            "QINGQIAN_SECRET_KEY is the placeholder from docker-compose.yml; set a long random value, "
            'e.g. python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(instance_path, "qingqian.db")
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if not config.get("SECRET_KEY"):
        key_file = Path(instance_path) / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()
    options = config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    else:
        options.setdefault("pool_pre_ping", True)
        # Plan every execution for its own values. psycopg prepares a statement on the server after five
        # executions, and PostgreSQL may then keep a generic plan: with tenants of very different sizes
        # and the id/code arrays of bulk lookups, that plan scanned 600,000 debts per 500-code chunk of a
        # ledger import (2–5 s each instead of 1 ms; benchmarks/RESULTS.md).
        options.setdefault("connect_args", {"prepare_threshold": None})
