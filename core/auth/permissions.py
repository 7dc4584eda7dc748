"""Which role may do what. Plugins add permissions with ``qingqian_permissions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.auth.models import Role

R = Role
ALL_ROLES = [r.value for r in Role]
WRITERS = [R.PLATFORM_ADMIN, R.OFFICE_ADMIN, R.UNIT_CLERK, R.UNIT_HEAD, R.SOE_GROUP_ADMIN]

CORE_PERMISSIONS: dict[str, list[str]] = {
    "dashboard.read": ALL_ROLES,
    "tenant.read": ALL_ROLES,
    "tenant.manage": [R.PLATFORM_ADMIN, R.OFFICE_ADMIN, R.SOE_GROUP_ADMIN],
    "debt.read": ALL_ROLES,
    "debt.write": WRITERS,
    "enterprise.read": ALL_ROLES,
    "enterprise.write": WRITERS,
    "payment.read": ALL_ROLES,
    "payment.write": WRITERS,
    "history.read": [
        R.PLATFORM_ADMIN,
        R.OFFICE_ADMIN,
        R.UNIT_CLERK,
        R.UNIT_HEAD,
        R.SOE_GROUP_ADMIN,
        R.AUDITOR,
    ],
    "job.read": ALL_ROLES,
    "job.run": WRITERS,
    "plugin.read": ALL_ROLES,
    "user.manage": [R.PLATFORM_ADMIN, R.OFFICE_ADMIN],
    "platform.manage": [R.PLATFORM_ADMIN],
}

PUBLIC = "public"  # no login needed
AUTHENTICATED = "authenticated"  # any logged-in user

ATTR = "_qq_permission"


def permission(name: str) -> Callable[[Any], Any]:
    """Declare the permission a view (function or MethodView method) requires."""

    def decorate(func):
        setattr(func, ATTR, name)
        return func

    return decorate


def public(func):
    """Mark a view as reachable without logging in."""
    setattr(func, ATTR, PUBLIC)
    return func


def required_permission(view_func, method: str) -> str | None:
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        value = getattr(handler, ATTR, None) if handler else None
        return value or getattr(view_class, ATTR, None)
    return getattr(view_func, ATTR, None)


def permission_map(pm) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {k: {str(r) for r in v} for k, v in CORE_PERMISSIONS.items()}
    for extra in pm.hook.qingqian_permissions():
        for name, roles in (extra or {}).items():
            merged.setdefault(name, set()).update(str(r) for r in roles)
    return merged
