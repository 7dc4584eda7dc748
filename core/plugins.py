"""The plugin manager: discovery, registration and per-jurisdiction enablement."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy
from flask import current_app

from core import hookspecs

ENTRY_POINT_GROUP = "qingqian.plugins"
CORE_PLUGIN = "core"
# Core's own behaviour, registered on the same hooks plugins use; always enabled, never listed per tenant.
CORE_HOOK_MODULES = {
    "core": "core.builtin_hooks",
    "core-jobs": "core.jobs.hooks",
    "core-web": "core.web.hooks",
}

hookimpl = pluggy.HookimplMarker("qingqian")


@dataclass
class PluginInfo:
    name: str
    label: str
    description: str
    module: str
    version: str | None
    distribution: str | None
    hooks: list[str] = field(default_factory=list)
    blueprints: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "description": self.description,
            "module": self.module,
            "version": self.version,
            "distribution": self.distribution,
            "hooks": self.hooks,
        }


def plugin_name(plugin: object) -> str:
    name = getattr(plugin, "PLUGIN_NAME", None)
    if name:
        return name
    if isinstance(plugin, ModuleType):
        return plugin.__name__.rsplit(".", 1)[-1]
    return type(plugin).__name__.lower()


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus what the platform needs to know about each plugin."""

    def __init__(self) -> None:
        super().__init__("qingqian")
        self.add_hookspecs(hookspecs)
        self.blueprint_plugins: dict[str, str] = {}

    def list_name_plugin(self) -> list[tuple[str, Any]]:
        # A plugin left out with QINGQIAN_PLUGINS is "blocked": pluggy lists it with None in its place.
        return [(name, plugin) for name, plugin in super().list_name_plugin() if plugin is not None]

    def register_plugin(self, plugin: object, name: str | None = None) -> str:
        name = name or plugin_name(plugin)
        if self.get_plugin(name) is None:
            self.register(plugin, name=name)
        return name

    def infos(self) -> list[PluginInfo]:
        dists = {id(plugin): dist for plugin, dist in self.list_plugin_distinfo()}
        infos = []
        for name, plugin in sorted(self.list_name_plugin(), key=lambda item: (not is_core(item[0]), item[0])):
            dist = dists.get(id(plugin))
            module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
            infos.append(
                PluginInfo(
                    name=name,
                    label=getattr(plugin, "PLUGIN_LABEL", name),
                    description=getattr(plugin, "PLUGIN_DESCRIPTION", ""),
                    module=module,
                    version=getattr(dist, "version", None)
                    if dist
                    else getattr(plugin, "PLUGIN_VERSION", None),
                    distribution=dist.project_name if dist else None,
                    hooks=sorted(h.name for h in self.get_hookcallers(plugin) or []),
                    blueprints=sorted(b for b, p in self.blueprint_plugins.items() if p == name),
                )
            )
        return infos

    def names(self) -> list[str]:
        return [name for name, _ in self.list_name_plugin()]

    def hook_for(self, tenant, hook_name: str):
        """The hook caller restricted to the plugins the tenant's plan enables."""
        enabled = set(enabled_plugins(tenant)) if tenant is not None else set()
        disabled = frozenset(
            name for name, _ in self.list_name_plugin() if not is_core(name) and name not in enabled
        )
        # Building a subset caller is not free and bulk imports call hooks per row; plugins are all
        # registered at start-up, so a caller per (hook, disabled set) can be kept.
        cache = self.__dict__.setdefault("_subset_callers", {})
        key = (hook_name, disabled)
        if key not in cache:
            cache[key] = self.subset_hook_caller(
                hook_name, remove_plugins=[self.get_plugin(name) for name in disabled]
            )
        return cache[key]


ONLY_PLUGINS_ENV = "QINGQIAN_PLUGINS"


def only_plugins(environ=None) -> set[str] | None:
    """The installed plugins to load (``QINGQIAN_PLUGINS=ledger,complaints``), None for all of them.

    CI uses it to run the core suite with each built-in plugin alone; the others are then absent
    exactly as if they were not installed (no hooks, no routes, no migrations).
    """
    import os

    raw = (os.environ if environ is None else environ).get(ONLY_PLUGINS_ENV, "").strip()
    return {name.strip() for name in raw.split(",") if name.strip()} if raw else None


def create_plugin_manager(
    extra_plugins: list[object] | None = None, load_entry_points: bool = True
) -> PluginManager:
    import importlib
    from importlib.metadata import entry_points

    pm = PluginManager()
    only = only_plugins()
    if only is not None and load_entry_points:
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            if entry.name not in only:
                pm.set_blocked(entry.name)
    for name, module_name in CORE_HOOK_MODULES.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        pm.register_plugin(module, name)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins or []:
        pm.register_plugin(plugin)
    # A misspelled hook implementation must fail at start-up, not be silently ignored.
    pm.check_pending()
    return pm


def get_pm() -> PluginManager:
    return current_app.extensions["qingqian.plugins"]


def enabled_plugins(tenant) -> list[str]:
    """Plugin names the tenant's plan enables (core is always on)."""
    plan = tenant_plan(tenant)
    return list(plan.get("plugins", [])) if plan else []


def is_core(name: str) -> bool:
    return name in CORE_HOOK_MODULES


def plugin_enabled(name: str, tenant) -> bool:
    if is_core(name):
        return True
    if tenant is None:
        return False
    return name in enabled_plugins(tenant)


def tenant_plan(tenant) -> dict:
    from core.tenancy.plans import plan_for

    return plan_for(tenant) if tenant is not None else {}


def model_of(table: str) -> type | None:
    """The mapped class of ``table`` if core or an installed plugin owns it, else None.

    How a plugin reads another plugin's records without importing it (the other may be absent). Asks the
    plugins this app registered (``qingqian_register_models``), not SQLAlchemy's registry alone: a module
    imported in the same process (another app, a test) maps its classes even when its plugin is not
    installed here and its tables are absent.
    """
    from core.extensions import db

    installed = set(flatten(get_pm().hook.qingqian_register_models()))
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if getattr(model, "__tablename__", None) == table:
            return model if model.__module__.startswith("core.") or model in installed else None
    return None


def flatten(results) -> list:
    """Hook results are one list per plugin; most callers want them as one list."""
    out: list = []
    for item in results or []:
        if item is None:
            continue
        if isinstance(item, list | tuple):
            out.extend(item)
        else:
            out.append(item)
    return out


def merge_dicts(results) -> dict:
    out: dict = {}
    for item in results or []:
        for key, value in (item or {}).items():
            if isinstance(value, list) and isinstance(out.get(key), list):
                out[key] = out[key] + [v for v in value if v not in out[key]]
            else:
                out.setdefault(key, value)
    return out


__all__ = ["hookimpl", "PluginManager", "create_plugin_manager", "get_pm", "plugin_enabled"]
