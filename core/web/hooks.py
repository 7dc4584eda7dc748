"""Core's own navigation, contributed on the same hook plugins use."""

from __future__ import annotations

from core.plugins import hookimpl
from core.web.nav import NavItem

PLUGIN_LABEL = "网页框架"
PLUGIN_DESCRIPTION = "登录、布局、导航、工作台、台账与单位页面"


@hookimpl
def qingqian_nav_items(tenant, user):
    return [
        NavItem("工作台", endpoint="web.dashboard", icon="home", order=10, permission="dashboard.read"),
        NavItem("欠款台账", endpoint="web.debts", icon="list", order=20, permission="debt.read"),
        NavItem(
            "债权企业", endpoint="web.enterprises", icon="building", order=30, permission="enterprise.read"
        ),
        NavItem("单位管理", endpoint="web.tenants", icon="tree", order=80, permission="tenant.manage"),
        NavItem("后台作业", endpoint="web.jobs", icon="clock", order=90, permission="job.read"),
        NavItem("插件", endpoint="web.plugins", icon="puzzle", order=95, permission="plugin.read"),
    ]
