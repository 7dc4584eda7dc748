"""Refusals that keep a misconfigured install or test run from doing harm."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import create_app
from core.config import PLACEHOLDER_SECRET_KEYS, InsecureConfiguration, TestConfig
from tests.conftest import build_schema, looks_like_test_database, vars_of

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp_path, **overrides) -> dict:
    return {
        **vars_of(TestConfig),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}",
        **overrides,
    }


def test_compose_placeholder_secret_is_known():
    compose = (ROOT / "docker-compose.yml").read_text()
    defaults = set(re.findall(r"QINGQIAN_SECRET_KEY:\s*\$\{QINGQIAN_SECRET_KEY:-([^}]*)\}", compose))
    assert defaults and defaults <= PLACEHOLDER_SECRET_KEYS


def test_production_refuses_the_placeholder_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGQIAN_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(InsecureConfiguration, match="QINGQIAN_SECRET_KEY"):
        create_app(_config(tmp_path, TESTING=False, SECRET_KEY="change-me-in-production"))
    # A real key starts; so does the placeholder in a test or debug run.
    assert create_app(_config(tmp_path, TESTING=False, SECRET_KEY="x" * 40)).secret_key == "x" * 40
    assert create_app(_config(tmp_path, SECRET_KEY="change-me-in-production")).testing


@pytest.mark.parametrize(
    "name, ok",
    [
        ("test", True),
        ("test_security", True),
        ("qingqian_test", True),
        ("qingqian", False),
        ("production", False),
        ("latest", False),
        (None, False),
    ],
)
def test_test_database_names(name, ok):
    assert looks_like_test_database(name) is ok


def test_build_schema_refuses_a_database_not_named_for_tests(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGQIAN_INSTANCE_PATH", str(tmp_path / "instance"))
    # Nothing listens on this port: the refusal comes before any connection is attempted.
    app = create_app(_config(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql://127.0.0.1:9/qingqian"))
    with pytest.raises(pytest.UsageError, match="refusing to drop"):
        build_schema(app)
