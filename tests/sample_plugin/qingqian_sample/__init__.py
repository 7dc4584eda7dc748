"""示例插件：实地督导记录 (site visits).

A separate distribution, found through the ``qingqian.plugins`` entry point, that touches no core file.
It exists so the test suite can prove every extension point a real third-party plugin relies on.
Heavy imports (models, blueprints) happen inside the hooks, so merely discovering the plugin stays cheap.
"""

from __future__ import annotations

from pathlib import Path

from core.plugins import hookimpl

PLUGIN_NAME = "sample"
PLUGIN_LABEL = "示例插件（实地督导）"
PLUGIN_DESCRIPTION = "记录对欠款单位的实地督导情况；用于验证第三方插件的模型、迁移、接口、菜单与校验扩展点"

# A project name containing this marker is refused, so tests can see a plugin rule take effect.
FORBIDDEN_MARKER = "测试禁用"

READERS = [
    "platform_admin",
    "office_admin",
    "unit_clerk",
    "unit_head",
    "soe_group_admin",
    "leader",
    "auditor",
]
WRITERS = ["platform_admin", "office_admin", "unit_clerk"]


@hookimpl
def qingqian_register_models():
    from qingqian_sample.models import SiteVisit

    return [SiteVisit]


@hookimpl
def qingqian_migration_locations():
    return [str(Path(__file__).resolve().parent / "migrations" / "versions")]


@hookimpl
def qingqian_api_blueprints():
    from qingqian_sample.api import blp

    return [blp]


@hookimpl
def qingqian_permissions():
    return {"sample.read": READERS, "sample.write": WRITERS}


@hookimpl
def qingqian_nav_items(tenant, user):
    from qingqian_sample.nav import nav_item

    return [nav_item()]


@hookimpl
def qingqian_validate_debt(debt, plan, tenant):
    from core.rules.validation import Issue

    if FORBIDDEN_MARKER in (getattr(debt, "project_name", None) or ""):
        return [Issue("project_name", f"项目名称含有“{FORBIDDEN_MARKER}”字样，示例插件不允许登记")]
    return []


@hookimpl
def qingqian_sample_objects(unit, user):
    import datetime as dt

    from core.extensions import db
    from qingqian_sample.models import SiteVisit

    visit = SiteVisit(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        visited_on=dt.date(2023, 8, 20),
        note="示例督导：核对台账并约谈单位负责人",
        created_by=getattr(user, "id", None),
    )
    db.session.add(visit)
    return [visit]
