"""Every installed plugin — the built-ins and tests/sample_plugin — keeps the contract of core.testing.

The same checks a third party runs with ``pytest --qingqian-contract=<name>`` (core/testing/pytest_plugin.py),
here on this suite's app and world. A deliberately broken plugin must fail them: see the end of the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.plugins import is_core
from core.testing import contract, isolation
from tests.conftest import INSTALLED_PLUGINS

# The kit is tried on the sample plugin and hand-made ones, not the built-ins: the same whatever built-ins
# are installed, so the full suites run it and the per-subset runs leave it out.
pytestmark = pytest.mark.same_for_every_subset

PLUGINS = sorted(name for name in INSTALLED_PLUGINS if not is_core(name))
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def victim(app, client, world):
    return isolation.create_victim_data(app, client, world)


@pytest.mark.parametrize("name", PLUGINS)
def test_schema_rls_and_history(app, name):
    problems = (
        contract.migration_problems(app, name)
        + contract.rls_problems(app, name)
        + contract.append_only_problems(app, name)
        + contract.colocation_problems(app, name)
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PLUGINS)
def test_routes(app, client, world, victim, name):
    problems = (
        contract.isolation_problems(app, client, world, name, victim)
        + contract.disabled_problems(app, client, world, name)
        + contract.money_problems(app, client, world, name, victim)
        + contract.error_language_problems(app, client, world, name, victim)
    )
    assert not problems, "\n".join(problems)


# --- The kit as a third party runs it: pytest --qingqian-contract=NAME in a fresh process -------------------


def run_kit(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "QINGQIAN_TEST_DATABASE_URL"}  # never this run's DB
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "tests" / "contract_fixtures"), env.get("PYTHONPATH", "")]
    )
    env["QINGQIAN_INSTANCE_PATH"] = str(tmp_path / "instance")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rf",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            *args,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.skipif("sample" not in INSTALLED_PLUGINS, reason="needs the sample plugin")
def test_the_kit_passes_the_sample_plugin(tmp_path):
    result = run_kit(tmp_path, "--qingqian-contract=sample")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "9 passed" in result.stdout


def test_the_kit_fails_a_plugin_without_rls_and_isolation(tmp_path):
    result = run_kit(tmp_path, "--qingqian-contract=broken", "--qingqian-contract-module=qingqian_broken")
    out = result.stdout
    assert result.returncode == 1, out[-3000:] + result.stderr[-2000:]
    failed = {
        line.split("::", 1)[1].split("[", 1)[0] for line in out.splitlines() if line.startswith("FAILED")
    }
    assert failed == {
        "test_tenant_tables_have_row_level_security",
        "test_tables_follow_the_colocation_rules",
        "test_routes_are_isolated",
        "test_money_fields_refuse_floats",
        "test_errors_speak_chinese",
    }, out[-3000:]
    assert "enable_tenant_rls(op, 'broken_notes')" in out
    assert "broken_notes: foreign key (debt_id) → debts does not carry jurisdiction_id" in out
    assert "GET /api/v1/broken/notes/1 → 200" in out and "列表接口泄露了其他租户的数据" in out
    assert "amount 在接口上是数字" in out and "错误信息不是中文：['text is required']" in out
