"""/api/v1/tenants: the tenant tree (jurisdiction → units → subsidiaries)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from sqlalchemy.exc import DBAPIError

from core.api.base import ApiError, Blueprint, get_or_404, paginate, require_if_match
from core.api.debts import domain_errors
from core.api.openapi import versioned_doc
from core.api.schemas import EventSchema, TenantQuerySchema, TenantSchema, TenantUpdateSchema
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.services.history import history_of
from core.tenancy import service
from core.tenancy.models import TenantNode

blp = Blueprint(
    "tenants",
    __name__,
    url_prefix="/tenants",
    description="单位树（辖区、乡镇、部门、事业单位、国企及子公司）",
)

ROOT_BY_MAINTENANCE = "新建辖区须由维护命令完成：qingqian tenant create 或 qingqian tenant load"


def _require_manage(node: TenantNode) -> None:
    if not g.principal.can_at("tenant.manage", node):
        raise ApiError(403, "您无权管理该单位")


@blp.route("")
class TenantList(MethodView):
    @permission("tenant.read")
    @blp.arguments(TenantQuerySchema, location="query")
    @blp.response(200, TenantSchema(many=True))
    def get(self, args):
        """列出可见的单位（按树的顺序）"""
        stmt = db.select(TenantNode)
        if args.get("under"):
            root = get_or_404(TenantNode, args["under"], "under")
            stmt = stmt.where(TenantNode.path.startswith(root.path))
        if args.get("kind"):
            stmt = stmt.where(TenantNode.kind == args["kind"])
        if args.get("active") is not None:
            stmt = stmt.where(TenantNode.active.is_(args["active"]))
        if args.get("q"):
            like = "%" + args["q"].strip() + "%"
            stmt = stmt.where(db.or_(TenantNode.name.like(like), TenantNode.code.like(like)))
        rows, headers = paginate(stmt.order_by(TenantNode.depth, TenantNode.sort_order, TenantNode.id), args)
        return rows, 200, headers

    @permission("tenant.manage")
    @blp.arguments(TenantSchema)
    @blp.response(201, TenantSchema)
    @domain_errors
    @blp.doc(**versioned_doc(201))
    def post(self, data):
        """新建单位（辖区由平台管理员新建）"""
        parent = None
        if data.get("parent_id") is not None:
            parent = get_or_404(TenantNode, data["parent_id"], "parent_id")
            _require_manage(parent)
        elif not g.principal.is_platform_admin:
            # Only the platform admin creates a jurisdiction (a unit with no parent): a permission matter.
            raise ApiError(
                403, "只有平台管理员可以新建辖区；请指定上级单位", errors={"parent_id": ["请指定上级单位"]}
            )
        if parent is None:
            from core.tenancy.scope import system_scope

            try:
                with system_scope():
                    node = service.create_node(
                        code=data["code"],
                        name=data["name"],
                        kind=data["kind"],
                        parent=None,
                        actor=current_user(),
                    )
                    db.session.commit()
                    # Load it while still in the system scope: the admin's current jurisdiction cannot see
                    # the new one (PostgreSQL row-level security), so a lazy reload while serialising fails.
                    db.session.refresh(node)
            except DBAPIError as exc:
                # The web app logged in as the app role may not act on every jurisdiction (core.tenancy.rls).
                if getattr(exc.orig, "sqlstate", None) != "42501":
                    raise
                db.session.rollback()
                raise ApiError(
                    403, "新建辖区须由维护命令完成：qingqian tenant create 或 qingqian tenant load"
                ) from None
            return node, 201, {"ETag": node.etag}
        node = service.create_node(
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            parent=parent,
            actor=current_user(),
            halted=data.get("halted", False),
        )
        db.session.commit()
        # The new node is inside the user's subtree, so it joins the scope of later requests by itself.
        return node, 201, {"ETag": node.etag}


@blp.route("/<int:tenant_id>")
class TenantItem(MethodView):
    @permission("tenant.read")
    @blp.response(200, TenantSchema)
    @blp.doc(**versioned_doc(200))
    def get(self, tenant_id):
        """查看单位"""
        node = get_or_404(TenantNode, tenant_id)
        return node, 200, {"ETag": node.etag}

    @permission("tenant.manage")
    @blp.arguments(TenantUpdateSchema)
    @blp.response(200, TenantSchema)
    @domain_errors
    @blp.doc(**versioned_doc(200, if_match="required"))
    def patch(self, data, tenant_id):
        """改名、移动、停用/启用单位（须带 If-Match）。有数据的单位不会被删除。"""
        node = get_or_404(TenantNode, tenant_id)
        _require_manage(node)
        require_if_match(node)
        actor = current_user()
        if "name" in data:
            service.rename_node(node, data["name"], actor)
        if "parent_id" in data:
            new_parent = get_or_404(TenantNode, data["parent_id"], "parent_id")
            _require_manage(new_parent)
            service.move_node(node, new_parent, actor)
        if "halted" in data and data["halted"] != node.halted:
            node.halted = data["halted"]
            node.version += 1
        if "active" in data:
            service.set_active(node, data["active"], actor, reason=data.get("reason"))
        db.session.commit()
        return node, 200, {"ETag": node.etag}

    @permission("tenant.manage")
    @blp.response(204)
    def delete(self, tenant_id):
        """停用单位（不删除）

        单位和它的记录永不删除：DELETE 把单位停用（不能再登记新数据）。停用的单位仍出现在列表中，
        字段 `active` 为 false；`GET /tenants?active=true` 只列出启用的单位。
        """
        node = get_or_404(TenantNode, tenant_id)
        _require_manage(node)
        if node.parent_id is None:
            raise ApiError(409, "辖区不能停用")
        service.set_active(node, False, current_user(), reason="删除请求（转为停用）")
        db.session.commit()


@blp.route("/<int:tenant_id>/history")
class TenantHistory(MethodView):
    @permission("history.read")
    @blp.response(200, EventSchema(many=True))
    def get(self, tenant_id):
        """单位的变更历史（新建、改名、移动、停用）"""
        node = get_or_404(TenantNode, tenant_id)
        return history_of("tenant", node.id)
