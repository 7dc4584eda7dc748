"""The hook contract itself: documented, consistently named, and core implements nothing undeclared."""

from __future__ import annotations

import importlib
import inspect

import pytest

from core import hookspecs
from core.plugins import CORE_HOOK_MODULES, create_plugin_manager

PROJECT = "qingqian"


def declared_hooks() -> dict[str, object]:
    return {
        name: func
        for name, func in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(func, f"{PROJECT}_spec")
    }


def core_hook_modules() -> list:
    modules = []
    for module_name in CORE_HOOK_MODULES.values():
        try:
            modules.append(importlib.import_module(module_name))
        except ModuleNotFoundError as exc:
            # A core area not built yet is absent, exactly as the plugin manager tolerates it.
            if exc.name != module_name:
                raise
    return modules


def test_there_are_hooks():
    assert len(declared_hooks()) >= 10


@pytest.mark.parametrize("name", sorted(declared_hooks()))
def test_every_hookspec_is_documented(name):
    doc = inspect.getdoc(declared_hooks()[name])
    assert doc and len(doc) > 20, f"hookspec {name} 缺少文档字符串（插件作者只看 hookspecs.py）"


@pytest.mark.parametrize("name", sorted(declared_hooks()))
def test_every_hook_name_is_prefixed(name):
    assert name.startswith(f"{PROJECT}_"), name


def test_module_functions_are_all_hookspecs():
    # A helper defined in hookspecs.py without the marker would look like a hook to plugin authors.
    plain = [
        name
        for name, func in inspect.getmembers(hookspecs, inspect.isfunction)
        if func.__module__ == hookspecs.__name__ and not hasattr(func, f"{PROJECT}_spec")
    ]
    assert plain == []


def test_core_hook_modules_implement_only_declared_hooks():
    declared = set(declared_hooks())
    modules = core_hook_modules()
    assert modules, "core.builtin_hooks at least must exist"
    for module in modules:
        for name, value in vars(module).items():
            is_impl = hasattr(value, f"{PROJECT}_impl")
            if is_impl or name.startswith(f"{PROJECT}_"):
                assert is_impl, f"{module.__name__}.{name} 看起来是钩子实现，但没有 @hookimpl"
                assert name in declared, f"{module.__name__}.{name} 不是已声明的钩子（拼写错误？）"


def test_core_hook_modules_register_cleanly():
    # check_pending() inside create_plugin_manager raises on any implementation without a spec.
    pm = create_plugin_manager(load_entry_points=False)
    for module in core_hook_modules():
        assert pm.is_registered(module)
