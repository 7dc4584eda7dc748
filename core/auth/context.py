"""Who is asking, in which jurisdiction, and what they may see: resolved once per request or job."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g

from core.auth.models import Role, RoleAssignment, User
from core.auth.permissions import AUTHENTICATED, PUBLIC, permission_map
from core.extensions import db
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, scope_context


@dataclass
class Principal:
    user: User
    jurisdiction: TenantNode | None
    scope: Scope
    roles: set[str]
    role_nodes: list[tuple[str, TenantNode | None]]
    # The jurisdiction plan's time zone, read once here so core.clock never reloads the node to find it.
    timezone: str | None = None

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def can(self, perm: str) -> bool:
        if perm in (PUBLIC, AUTHENTICATED):
            return True
        allowed = _permissions().get(perm, set())
        return bool(self.roles & allowed)

    def can_at(self, perm: str, node: TenantNode) -> bool:
        """Whether a role granting ``perm`` is held at ``node`` or one of its ancestors."""
        allowed = _permissions().get(perm, set())
        ancestors = set(node.ancestor_ids())
        for role, at in self.role_nodes:
            if role not in allowed:
                continue
            if at is None or at.id in ancestors:
                return True
        return False


def _permissions() -> dict[str, set[str]]:
    cache = current_app.extensions.setdefault("qingqian.permission_cache", {})
    if "map" not in cache:
        cache["map"] = permission_map(current_app.extensions["qingqian.plugins"])
    return cache["map"]


def _unfiltered(stmt, jurisdiction_id: int | None = None):
    """Run ``stmt`` before the user's scope exists, past the ORM filter. PostgreSQL's row-level security
    still holds (the app role may not see every jurisdiction): jurisdictions themselves are readable in
    any scope, anything below them only inside the ``jurisdiction_id`` being resolved."""
    if jurisdiction_id is None:
        return list(db.session.scalars(stmt, execution_options={SKIP_FILTER: True}))
    with scope_context(Scope(jurisdiction_id=jurisdiction_id)):
        return list(db.session.scalars(stmt, execution_options={SKIP_FILTER: True}))


def jurisdictions_of(user: User) -> list[TenantNode]:
    if any(r.role == Role.PLATFORM_ADMIN for r in user.roles):
        stmt = db.select(TenantNode).where(TenantNode.parent_id.is_(None), TenantNode.kind == "jurisdiction")
    else:
        ids = {r.jurisdiction_id for r in user.roles if r.jurisdiction_id}
        stmt = db.select(TenantNode).where(TenantNode.id.in_(ids), TenantNode.parent_id.is_(None))
    return list(_unfiltered(stmt.order_by(TenantNode.sort_order, TenantNode.id)))


def resolve(user: User, jurisdiction_code: str | None = None) -> Principal:
    """Build the principal for ``user`` working in one jurisdiction (the requested one, else their first)."""
    available = jurisdictions_of(user)
    jurisdiction = None
    if jurisdiction_code:
        jurisdiction = next((j for j in available if j.code == jurisdiction_code), None)
    if jurisdiction is None and available:
        jurisdiction = available[0]
    assignments: list[RoleAssignment] = list(user.roles)
    # Only roles held inside the chosen jurisdiction count, so only its nodes are read.
    node_ids = {
        a.node_id for a in assignments if a.node_id and jurisdiction and a.jurisdiction_id == jurisdiction.id
    }
    nodes = (
        {
            n.id: n
            for n in _unfiltered(
                db.select(TenantNode).where(
                    TenantNode.id.in_(node_ids), TenantNode.jurisdiction_id == jurisdiction.id
                ),
                jurisdiction.id,
            )
        }
        if node_ids
        else {}
    )
    role_nodes: list[tuple[str, TenantNode | None]] = []
    roles: set[str] = set()
    for a in assignments:
        node = nodes.get(a.node_id) if a.node_id else None
        if a.role == Role.PLATFORM_ADMIN:
            role_nodes.append((a.role, None))
            roles.add(a.role)
        elif jurisdiction is not None and node is not None and node.jurisdiction_id == jurisdiction.id:
            role_nodes.append((a.role, node))
            roles.add(a.role)
    if jurisdiction is None:
        scope = Scope(user_id=user.id, roles=frozenset(roles))
    elif any(node is None or node.id == jurisdiction.id for _, node in role_nodes):
        scope = Scope(jurisdiction_id=jurisdiction.id, user_id=user.id, roles=frozenset(roles))
    else:
        scope = Scope(
            jurisdiction_id=jurisdiction.id,
            unit_ids=frozenset(subtree_ids([node for _, node in role_nodes if node is not None])),
            user_id=user.id,
            roles=frozenset(roles),
        )
    timezone = (jurisdiction.plan or {}).get("timezone") if jurisdiction is not None else None
    return Principal(
        user=user,
        jurisdiction=jurisdiction,
        scope=scope,
        roles=roles,
        role_nodes=role_nodes,
        timezone=timezone,
    )


def subtree_ids(nodes: list[TenantNode]) -> set[int]:
    if not nodes:
        return set()
    # The jurisdiction test (leakproof, so usable as an index condition under row-level security, which
    # LIKE is not) narrows the prefix match to one jurisdiction's nodes instead of the whole table.
    clauses = [
        db.and_(TenantNode.jurisdiction_id == n.jurisdiction_id, TenantNode.path.startswith(n.path))
        for n in nodes
    ]
    stmt = db.select(TenantNode.id).where(db.or_(*clauses))
    jurisdictions = {n.jurisdiction_id for n in nodes}
    if len(jurisdictions) != 1:  # one principal works in one jurisdiction
        parts = (subtree_ids([n for n in nodes if n.jurisdiction_id == j]) for j in jurisdictions)
        return set().union(*parts)
    return set(_unfiltered(stmt, jurisdictions.pop()))


def current_principal() -> Principal | None:
    return g.get("principal")


def current_user() -> User | None:
    p = current_principal()
    return p.user if p else None
