"""Which role may do what. Plugins add permissions with ``qingqian_permissions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.auth.models import Role

R = Role
# Every role that works with the ledger; a register-only role (MEASURES_READER, WAGE_LIAISON) gets its
# permissions from the plugin that owns the register.
REGISTER_ONLY = (Role.MEASURES_READER, Role.WAGE_LIAISON)
ALL_ROLES = [r.value for r in Role if r not in REGISTER_ONLY]
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
    "plan.read": ALL_ROLES,
    # The technical pages (background jobs, installed plugins) are for those who run the platform.
    "system.read": [R.PLATFORM_ADMIN, R.OFFICE_ADMIN],
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


REQUESTER_ONLY_ATTR = "_qq_requester_only"


def requester_only(func):
    """Mark a view whose object only the user who created it may read (a personal export, say).

    Colleagues with the same rights get 404 as outsiders do; the isolation kit then proves outsiders are kept
    out but does not expect the jurisdiction's administrator to read it.
    """
    setattr(func, REQUESTER_ONLY_ATTR, True)
    return func


def is_requester_only(view_func) -> bool:
    return bool(getattr(view_func, REQUESTER_ONLY_ATTR, False))


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
