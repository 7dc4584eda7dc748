"""Changing the tree: create, rename, move, deactivate — each written to the history."""

from __future__ import annotations

import re
from contextlib import nullcontext

from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models.debt import Debt
from core.rules.validation import Issue, ValidationFailed
from core.services import history
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import NODE_KIND_LABELS, NodeKind, TenantNode

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")

ALLOWED_CHILDREN = {
    NodeKind.JURISDICTION: {NodeKind.TOWNSHIP, NodeKind.DEPARTMENT, NodeKind.INSTITUTION, NodeKind.SOE},
    NodeKind.TOWNSHIP: {NodeKind.DEPARTMENT, NodeKind.INSTITUTION, NodeKind.SOE},
    NodeKind.DEPARTMENT: {NodeKind.INSTITUTION, NodeKind.SOE},
    NodeKind.INSTITUTION: {NodeKind.INSTITUTION},
    NodeKind.SOE: {NodeKind.SUBSIDIARY},
    NodeKind.SUBSIDIARY: {NodeKind.SUBSIDIARY},
}


def _unfiltered_get(node_id: int) -> TenantNode | None:
    return db.session.get(TenantNode, node_id, execution_options={SKIP_FILTER: True})


def find_by_code(code: str) -> TenantNode | None:
    """Codes are unique across all jurisdictions, so the lookup must see past row-level security too."""
    from core.tenancy.scope import system_scope

    with system_scope():
        return db.session.scalar(
            db.select(TenantNode).where(TenantNode.code == code), execution_options={SKIP_FILTER: True}
        )


def find_jurisdiction(code: str) -> TenantNode | None:
    """A jurisdiction (a root of the tree) by its code, in any scope: past the ORM filter, and readable
    through PostgreSQL's row-level security by every role (the directory policy, ``core.tenancy.rls``)."""
    return db.session.scalar(
        db.select(TenantNode).where(
            TenantNode.code == code,
            TenantNode.parent_id.is_(None),
            TenantNode.kind == NodeKind.JURISDICTION,
        ),
        execution_options={SKIP_FILTER: True},
    )


def public_jurisdiction(code: str, plugin: str) -> TenantNode | None:
    """The jurisdiction behind a public URL or body: None if unknown, inactive or without ``plugin``.

    Public pages and endpoints have no user to scope them; this is the one gate they all pass.
    """
    from core.plugins import plugin_enabled

    node = find_jurisdiction((code or "").strip()[:120])
    if node is None or not node.active:
        return None
    return node if plugin_enabled(plugin, node) else None


def _check_code(code: str) -> None:
    if not CODE_PATTERN.match(code or ""):
        raise ValidationFailed(
            [Issue("code", "编码只能包含小写字母、数字、下划线、连字符和点，且以字母开头")]
        )
    # Codes the current scope can see; one taken in another jurisdiction (hidden from the app role by
    # row-level security) is caught by the unique index when the node is inserted (create_node).
    taken = db.session.scalar(
        db.select(TenantNode.id).where(TenantNode.code == code), execution_options={SKIP_FILTER: True}
    )
    if taken is not None:
        raise ValidationFailed([Issue("code", f"编码 {code} 已被使用")])


def _check_parent_kind(kind: str, parent: TenantNode | None) -> None:
    if kind not in {k.value for k in NodeKind}:
        raise ValidationFailed([Issue("kind", f"未知的单位类型：{kind}")])
    if parent is None:
        if kind != NodeKind.JURISDICTION:
            raise ValidationFailed([Issue("parent_id", "只有辖区可以没有上级单位")])
        return
    if kind == NodeKind.JURISDICTION:
        raise ValidationFailed([Issue("kind", "辖区必须是树的根节点")])
    if NodeKind(kind) not in ALLOWED_CHILDREN[NodeKind(parent.kind)]:
        raise ValidationFailed(
            [Issue("kind", f"{parent.kind_label}下不能设立{NODE_KIND_LABELS[NodeKind(kind)]}")]
        )


def create_node(
    *,
    code: str,
    name: str,
    kind: str,
    parent: TenantNode | None,
    actor=None,
    plan_name=None,
    plan=None,
    sort_order: int = 0,
    halted: bool = False,
) -> TenantNode:
    _check_code(code)
    _check_parent_kind(kind, parent)
    if not (name or "").strip():
        raise ValidationFailed([Issue("name", "名称不能为空")])
    if parent is not None and not parent.active:
        raise ValidationFailed([Issue("parent_id", "上级单位已停用")])
    node = TenantNode(
        code=code,
        name=name.strip(),
        kind=kind,
        parent_id=parent.id if parent else None,
        jurisdiction_id=parent.jurisdiction_id if parent else None,
        plan_name=plan_name,
        plan=plan,
        sort_order=sort_order,
        halted=halted,
        active=True,
        depth=(parent.depth + 1) if parent else 0,
    )
    # On PostgreSQL the code may be taken where row-level security hides it (see _check_code): the insert
    # runs in a savepoint so the unique index's refusal becomes a field error. SQLite sees every code.
    guard = db.session.begin_nested() if db.session.get_bind().dialect.name == "postgresql" else nullcontext()
    try:
        with guard:
            db.session.add(node)
            db.session.flush()
    except IntegrityError as exc:
        if "code" not in str(exc.orig):
            raise
        raise ValidationFailed([Issue("code", f"编码 {code} 已被使用")]) from None
    if parent is None:
        node.jurisdiction_id = node.id
    node.path = (parent.path if parent else "/") + f"{node.id}/"
    db.session.flush()
    history.record(
        node,
        "created",
        after=history.snapshot(node, {"created_at", "updated_at", "plan"}),
        actor=actor,
        entity_type="tenant",
        # Filed under the parent: a unit user's scope (fixed when the request began) covers the parent,
        # not the brand-new node, so an event on the new node would be refused as out of scope.
        unit_id=parent.id if parent is not None else node.id,
    )
    return node


def rename_node(node: TenantNode, name: str, actor=None) -> TenantNode:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed([Issue("name", "名称不能为空")])
    if name == node.name:
        return node
    old = node.name
    node.name = name
    node.version += 1
    db.session.flush()
    history.record(
        node,
        "renamed",
        before={"name": old},
        after={"name": name},
        actor=actor,
        entity_type="tenant",
        unit_id=node.id,
    )
    return node


def move_node(node: TenantNode, new_parent: TenantNode, actor=None) -> TenantNode:
    if node.parent_id is None:
        raise ValidationFailed([Issue("parent_id", "辖区不能移动")])
    if new_parent.jurisdiction_id != node.jurisdiction_id:
        raise ValidationFailed([Issue("parent_id", "不能移动到其他辖区")])
    if new_parent.path.startswith(node.path):
        raise ValidationFailed([Issue("parent_id", "不能移动到自己的下级单位之下")])
    _check_parent_kind(node.kind, new_parent)
    if new_parent.id == node.parent_id:
        return node
    old_parent_id, old_path = node.parent_id, node.path
    new_path = new_parent.path + f"{node.id}/"
    depth_shift = new_parent.depth + 1 - node.depth
    descendants = db.session.scalars(
        db.select(TenantNode).where(TenantNode.path.startswith(old_path)),
        execution_options={SKIP_FILTER: True},
    )
    for item in descendants:
        item.path = new_path + item.path[len(old_path) :]
        item.depth += depth_shift
    node.parent_id = new_parent.id
    node.version += 1
    db.session.flush()
    history.record(
        node,
        "moved",
        before={"parent_id": old_parent_id, "path": old_path},
        after={"parent_id": new_parent.id, "path": new_path},
        actor=actor,
        entity_type="tenant",
        unit_id=node.id,
    )
    return node


def has_data(node: TenantNode) -> bool:
    count = db.session.scalar(
        db.select(db.func.count(Debt.id))
        .join(TenantNode, TenantNode.id == Debt.unit_id)
        .where(TenantNode.path.startswith(node.path)),
        execution_options={SKIP_FILTER: True, "include_deleted": True},
    )
    return bool(count)


def set_active(node: TenantNode, active: bool, actor=None, reason: str | None = None) -> TenantNode:
    """Deactivation keeps every record: a node with data is never deleted, only closed for new entries."""
    if node.active == active:
        return node
    if not active:
        subtree = db.session.scalars(
            db.select(TenantNode).where(TenantNode.path.startswith(node.path)),
            execution_options={SKIP_FILTER: True},
        )
        for item in subtree:
            item.active = False
    else:
        if node.parent_id and not _unfiltered_get(node.parent_id).active:
            raise ValidationFailed([Issue("active", "上级单位已停用，不能启用")])
        node.active = True
    node.version += 1
    db.session.flush()
    history.record(
        node,
        "deactivated" if not active else "activated",
        before={"active": not active},
        after={"active": active},
        actor=actor,
        entity_type="tenant",
        unit_id=node.id,
        note=reason,
    )
    return node
