"""Core's own navigation, contributed on the same hook plugins use."""

from __future__ import annotations

from core.plugins import hookimpl
from core.web.nav import NavItem

PLUGIN_LABEL = "网页框架"
PLUGIN_DESCRIPTION = "登录、布局、导航、工作台、台账与单位页面"


@hookimpl
def qingqian_todo_items(tenant, user):
    """Wage amounts to complete, the leader's numbers and ranking, the SOE group's overdue subsidiaries."""
    from core.web.todo import items

    return items(tenant, user)


@hookimpl
def qingqian_jobs():
    """The debt and creditor lists' exports when too large to write in the request (core.list_exports)."""
    from core.list_exports import job_for
    from core.web.debt_pages import DEBTS_EXPORT, ENTERPRISES_EXPORT

    return {export.job: job_for(export) for export in (DEBTS_EXPORT, ENTERPRISES_EXPORT)}


@hookimpl
def qingqian_nav_items(tenant, user):
    return [
        NavItem("工作台", endpoint="web.dashboard", icon="home", order=10, permission="dashboard.read"),
        NavItem("欠款台账", endpoint="web.debts", icon="list", order=20, permission="debt.read"),
        NavItem(
            "债权企业", endpoint="web.enterprises", icon="building", order=30, permission="enterprise.read"
        ),
        NavItem("单位管理", endpoint="web.tenants", icon="tree", order=80, permission="tenant.manage"),
        NavItem("工作方案", endpoint="web.plan", icon="file", order=85, permission="plan.read"),
        NavItem("辖区开通", endpoint="web.onboarding", icon="plus", order=88, permission="platform.manage"),
        NavItem("后台作业", endpoint="web.jobs", icon="clock", order=90, permission="system.read"),
        NavItem("功能模块", endpoint="web.plugins", icon="puzzle", order=95, permission="system.read"),
    ]
