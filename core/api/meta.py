"""/api/v1/plugins and /api/v1/me."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields

from core.api.base import Blueprint
from core.api.schemas import PluginSchema
from core.auth.permissions import AUTHENTICATED, permission
from core.plugins import get_pm, plugin_enabled

blp = Blueprint("meta", __name__, url_prefix="", description="插件与当前用户")


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    jurisdiction = fields.Dict(allow_none=True)
    roles = fields.List(fields.Dict())
    whole_jurisdiction = fields.Boolean()


@blp.route("/plugins")
class PluginList(MethodView):
    @permission("plugin.read")
    @blp.response(200, PluginSchema(many=True))
    def get(self):
        """已安装的插件，以及在当前辖区是否启用"""
        tenant = g.principal.jurisdiction
        out = []
        for info in get_pm().infos():
            row = info.as_dict()
            row["enabled"] = plugin_enabled(info.name, tenant)
            out.append(row)
        return out


@blp.route("/me")
class Me(MethodView):
    @permission(AUTHENTICATED)
    @blp.response(200, MeSchema)
    def get(self):
        """当前用户、所在辖区与角色"""
        p = g.principal
        j = p.jurisdiction
        return {
            "id": p.user.id,
            "username": p.user.username,
            "display_name": p.user.display_name,
            "jurisdiction": {"id": j.id, "code": j.code, "name": j.name} if j else None,
            "roles": [
                {"role": role, "node_id": node.id if node else None, "node_name": node.name if node else None}
                for role, node in p.role_nodes
            ],
            "whole_jurisdiction": p.scope.whole_jurisdiction,
        }
