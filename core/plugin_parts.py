"""A plugin assembled from part modules, so a large plugin can keep each feature in its own package.

Each part module may define ``MODELS``, ``API_BLUEPRINTS``, ``UI_BLUEPRINTS``, ``JOBS`` (a dict),
``SCHEDULES``, ``NAV(tenant, user)``, ``WIDGETS(tenant, user)``, ``TODO(tenant, user)`` and
``sample_objects(unit, user)``; the plugin object answers the matching hooks with what its parts provide.
Subclass it to add other hooks::

    class LedgerPlugin(PartsPlugin):
        @hookimpl
        def qingqian_permissions(self):
            return {"ledger.read": [...]}

    plugin = LedgerPlugin("ledger", "清欠台账", "…", parts=("plugins.ledger.imports",), migrations=...)

and register ``plugins.ledger:plugin`` under the ``qingqian.plugins`` entry-point group. Part modules are
imported lazily, when a hook first needs them, so discovering the plugin stays cheap.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from core.plugins import flatten, hookimpl


class PartsPlugin:
    def __init__(
        self,
        name: str,
        label: str,
        description: str,
        *,
        parts: tuple[str, ...],
        migrations: Path | None = None,
    ) -> None:
        self.PLUGIN_NAME = name
        self.PLUGIN_LABEL = label
        self.PLUGIN_DESCRIPTION = description
        self.parts = parts
        self.migrations = migrations

    def modules(self) -> list[ModuleType]:
        return [importlib.import_module(name) for name in self.parts]

    def collect(self, attr: str) -> list:
        return flatten(getattr(part, attr, []) for part in self.modules())

    def call_parts(self, attr: str, *args) -> list:
        return flatten(getattr(part, attr)(*args) for part in self.modules() if hasattr(part, attr))

    @hookimpl
    def qingqian_register_models(self):
        return self.collect("MODELS")

    @hookimpl
    def qingqian_migration_locations(self):
        return [str(self.migrations)] if self.migrations else []

    @hookimpl
    def qingqian_api_blueprints(self):
        return self.collect("API_BLUEPRINTS")

    @hookimpl
    def qingqian_ui_blueprints(self):
        return self.collect("UI_BLUEPRINTS")

    @hookimpl
    def qingqian_nav_items(self, tenant, user):
        return self.call_parts("NAV", tenant, user)

    @hookimpl
    def qingqian_dashboard_widgets(self, tenant, user):
        return self.call_parts("WIDGETS", tenant, user)

    @hookimpl
    def qingqian_todo_items(self, tenant, user):
        return self.call_parts("TODO", tenant, user)

    @hookimpl
    def qingqian_jobs(self):
        jobs: dict = {}
        for part in self.modules():
            jobs.update(getattr(part, "JOBS", {}))
        return jobs

    @hookimpl
    def qingqian_schedules(self):
        return self.collect("SCHEDULES")

    @hookimpl
    def qingqian_sample_objects(self, unit, user):
        return self.call_parts("sample_objects", unit, user)
