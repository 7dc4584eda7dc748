"""The tenant tree page and its management forms (create child, rename, move, deactivate)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.rules.validation import ValidationFailed
from core.services.history import history_of
from core.tenancy import service
from core.tenancy.models import NODE_KIND_LABELS, NodeKind, TenantNode
from core.web.debt_pages import _names_for, visible_units
from core.web.labels import field_label, history_rows
from core.web.views import bp, get_visible_or_404


def _manageable(node: TenantNode) -> TenantNode:
    if not g.principal.can_at("tenant.manage", node):
        abort(403, description="您无权管理该单位")
    return node


def _back(node: TenantNode):
    return redirect(url_for("web.tenants", node=node.id))


def _flash_errors(exc: ValidationFailed) -> None:
    for field, messages in exc.errors().items():
        for message in messages:
            flash(f"{field_label(field)}：{message}", "error")


@bp.route("/tenants")
@permission("tenant.manage")
def tenants():
    tree = visible_units()
    selected = None
    wanted = request.args.get("node", type=int)
    if wanted is not None:
        selected = get_visible_or_404(TenantNode, wanted)
    elif tree:
        selected = tree[0][0]
    can_manage = selected is not None and g.principal.can_at("tenant.manage", selected)
    timeline = []
    if selected is not None and g.principal.can("history.read"):
        events = history_of("tenant", selected.id)
        timeline = history_rows(events, _names_for(events))
    child_kinds = []
    move_targets = []
    if selected is not None and can_manage:
        child_kinds = [
            (k.value, NODE_KIND_LABELS[k])
            for k in NodeKind
            if k in service.ALLOWED_CHILDREN[NodeKind(selected.kind)]
        ]
        if selected.parent_id is not None:
            move_targets = [
                (n, d)
                for n, d in tree
                if n.id != selected.parent_id
                and not n.path.startswith(selected.path)
                and n.active
                and NodeKind(selected.kind) in service.ALLOWED_CHILDREN[NodeKind(n.kind)]
                and g.principal.can_at("tenant.manage", n)
            ]
    return render_template(
        "tenants.html",
        tree=tree,
        selected=selected,
        can_manage=can_manage,
        history=timeline,
        child_kinds=child_kinds,
        move_targets=move_targets,
        can_export=selected is not None and g.principal.can_at("user.manage", selected),
    )


@bp.route("/tenants/<int:tenant_id>/children", methods=["POST"])
@permission("tenant.manage")
def tenant_create_child(tenant_id: int):
    parent = _manageable(get_visible_or_404(TenantNode, tenant_id))
    try:
        node = service.create_node(
            code=(request.form.get("code") or "").strip(),
            name=request.form.get("name") or "",
            kind=request.form.get("kind") or "",
            parent=parent,
            actor=current_user(),
        )
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        _flash_errors(exc)
        return _back(parent)
    flash(f"已新建下级单位：{node.name}", "success")
    return _back(node)


@bp.route("/tenants/<int:tenant_id>/rename", methods=["POST"])
@permission("tenant.manage")
def tenant_rename(tenant_id: int):
    node = _manageable(get_visible_or_404(TenantNode, tenant_id))
    try:
        service.rename_node(node, request.form.get("name") or "", actor=current_user())
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash("单位名称已修改", "success")
    return _back(node)


@bp.route("/tenants/<int:tenant_id>/move", methods=["POST"])
@permission("tenant.manage")
def tenant_move(tenant_id: int):
    node = _manageable(get_visible_or_404(TenantNode, tenant_id))
    target_id = request.form.get("parent_id", type=int)
    if target_id is None:
        flash("请选择新的上级单位", "error")
        return _back(node)
    target = _manageable(get_visible_or_404(TenantNode, target_id))
    try:
        service.move_node(node, target, actor=current_user())
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash(f"已调整到：{target.name} 之下", "success")
    return _back(node)


@bp.route("/tenants/<int:tenant_id>/active", methods=["POST"])
@permission("tenant.manage")
def tenant_set_active(tenant_id: int):
    node = _manageable(get_visible_or_404(TenantNode, tenant_id))
    if node.parent_id is None:
        abort(400, description="辖区不能在此停用")
    active = request.form.get("active") == "1"
    try:
        service.set_active(node, active, actor=current_user(), reason=request.form.get("reason") or None)
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        _flash_errors(exc)
    else:
        flash("单位已启用" if active else "单位及其下级已停用（数据全部保留）", "success")
    return _back(node)
