"""Who may see what of a case beyond its existence (which the tenant filter already decides)."""

from __future__ import annotations

from flask import g

from core.api.base import ApiError
from core.tenancy.models import TenantNode
from plugins.complaints.models import Complaint


def is_office() -> bool:
    principal = g.get("principal")
    return principal is not None and principal.can("complaints.manage") and principal.scope.whole_jurisdiction


def can_see_contact(complaint: Complaint) -> bool:
    """Contact details: the office, and the handling unit's own people (not its parents or siblings)."""
    if is_office():
        return True
    principal = g.get("principal")
    return principal is not None and any(
        node is not None and node.id == complaint.unit_id and principal.can("complaints.handle")
        for _role, node in principal.role_nodes
    )


def require_at(perm: str, unit: TenantNode) -> None:
    if not g.principal.can_at(perm, unit):
        raise ApiError(403, "您在该单位没有此操作的权限")
