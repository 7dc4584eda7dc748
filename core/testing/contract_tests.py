"""The contract, as tests: collected when pytest runs with ``--qingqian-contract=NAME``.

Each test names the clause it checks; a failure lists every problem found, in Chinese, with what to do.
"""

from __future__ import annotations

import pytest

from core.extensions import db
from core.testing import contract, harness, isolation
from core.testing.pytest_plugin import extra_plugins


@pytest.fixture(scope="session")
def contract_session_app(tmp_path_factory, request):
    app = harness.make_test_app(
        tmp_path_factory.mktemp("qingqian-contract"), plugins=extra_plugins(request.config)
    )
    harness.build_schema(app)
    return app


@pytest.fixture
def contract_app(contract_session_app):
    harness.clear_tables(contract_session_app)
    with contract_session_app.app_context():
        yield contract_session_app
        db.session.remove()


@pytest.fixture
def contract_client(contract_app):
    return contract_app.test_client()


@pytest.fixture
def contract_world(contract_app):
    return harness.build_world(contract_app)


@pytest.fixture
def contract_victim(contract_app, contract_client, contract_world):
    return isolation.create_victim_data(contract_app, contract_client, contract_world)


def _report(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


def test_plugin_is_installed(contract_app, contract_plugin):
    assert contract.is_installed(contract_app, contract_plugin), (
        f"插件 {contract_plugin} 未安装（入口点 qingqian.plugins），也没有用 --qingqian-contract-module 注册"
    )


def test_migrations_match_the_models(contract_app, contract_plugin):
    _report(contract.migration_problems(contract_app, contract_plugin))


def test_tenant_tables_have_row_level_security(contract_app, contract_plugin):
    _report(contract.rls_problems(contract_app, contract_plugin))


def test_tables_follow_the_colocation_rules(contract_app, contract_plugin):
    _report(contract.colocation_problems(contract_app, contract_plugin))


def test_history_tables_are_append_only(contract_app, contract_plugin):
    _report(contract.append_only_problems(contract_app, contract_plugin))


def test_routes_are_isolated(contract_app, contract_client, contract_world, contract_victim, contract_plugin):
    _report(
        contract.isolation_problems(
            contract_app, contract_client, contract_world, contract_plugin, contract_victim
        )
    )


def test_routes_answer_404_where_the_plugin_is_disabled(
    contract_app, contract_client, contract_world, contract_plugin
):
    _report(contract.disabled_problems(contract_app, contract_client, contract_world, contract_plugin))


def test_money_fields_refuse_floats(
    contract_app, contract_client, contract_world, contract_victim, contract_plugin
):
    _report(
        contract.money_problems(
            contract_app, contract_client, contract_world, contract_plugin, contract_victim
        )
    )


def test_errors_speak_chinese(
    contract_app, contract_client, contract_world, contract_victim, contract_plugin
):
    _report(
        contract.error_language_problems(
            contract_app, contract_client, contract_world, contract_plugin, contract_victim
        )
    )
