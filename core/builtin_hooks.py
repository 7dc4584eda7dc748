"""Core's own hook implementations: the platform's built-in behaviour, on the same hooks plugins use."""

from __future__ import annotations

from core.plugins import hookimpl
from core.rules.core_validation import validate_debt

PLUGIN_LABEL = "平台核心"
PLUGIN_DESCRIPTION = "租户树、共享债务模型、用户与权限、作业、API 与网页框架"


@hookimpl
def qingqian_validate_debt(debt, plan, tenant):
    return validate_debt(debt, plan, tenant)
