"""pytest plugin of the contract kit (registered under ``pytest11``; or load it with ``-p``).

    python -m pytest --qingqian-contract=myplugin            # the contract alone
    python -m pytest tests/ --qingqian-contract=myplugin     # your own tests and the contract
    python -m pytest --qingqian-contract=myplugin --qingqian-contract-module=myplugin.dev:plugin

``--qingqian-contract`` names installed plugins (entry points ``qingqian.plugins``), comma-separated;
``--qingqian-contract-module`` registers a plugin object that is not installed yet (``module`` or
``module:attribute``). The contract runs on SQLite in a temporary folder, or on PostgreSQL when
``QINGQIAN_TEST_DATABASE_URL`` names a test database (whose schema it drops and rebuilds); row-level
security is only fully proven on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

CONTRACT_TESTS = Path(__file__).with_name("contract_tests.py")


def pytest_addoption(parser) -> None:
    group = parser.getgroup("qingqian", "清欠插件契约测试")
    group.addoption(
        "--qingqian-contract",
        action="store",
        default=None,
        metavar="NAMES",
        help="按平台的插件契约检查这些插件（逗号分隔的插件名）",
    )
    group.addoption(
        "--qingqian-contract-module",
        action="append",
        default=[],
        metavar="MODULE[:ATTR]",
        help="另外注册一个尚未安装的插件（模块或 模块:对象）",
    )


def contract_names(config) -> list[str]:
    raw = config.getoption("qingqian_contract", None) or ""
    return [name.strip() for name in raw.split(",") if name.strip()]


def pytest_configure(config) -> None:
    if not contract_names(config):
        return
    path = str(CONTRACT_TESTS)
    # Without paths of their own the contract runs alone, not the project's whole suite.
    if config.args_source != config.ArgsSource.ARGS:
        config.args[:] = [path]
    elif path not in config.args:
        config.args.append(path)


def pytest_generate_tests(metafunc) -> None:
    if "contract_plugin" in metafunc.fixturenames:
        names = contract_names(metafunc.config)
        metafunc.parametrize("contract_plugin", names, ids=names, scope="session")


def extra_plugins(config) -> list[object]:
    import importlib

    out = []
    for spec in config.getoption("qingqian_contract_module", None) or []:
        module_name, _, attribute = spec.partition(":")
        module = importlib.import_module(module_name)
        out.append(getattr(module, attribute) if attribute else module)
    return out
