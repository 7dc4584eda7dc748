"""/api/v1/sample/visits: the plugin's own routes, guarded by the permissions it declares."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api import missing_reference
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import Debt
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from qingqian_sample.models import SiteVisit

blp = Blueprint("sample", __name__, url_prefix="/sample", description="示例插件：实地督导记录")


class SiteVisitSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(allow_none=True, metadata={"description": "被督导单位，默认为本人所在单位"})
    jurisdiction_id = fields.Integer(dump_only=True)
    debt_id = fields.Integer(allow_none=True, metadata={"description": "关联的欠款（可空）"})
    visited_on = fields.Date(required=True, metadata={"description": "督导日期"})
    note = fields.String(
        load_default="", validate=validate.Length(max=5000), metadata={"description": "情况记录"}
    )
    created_at = fields.DateTime(dump_only=True)


def _unit_for(unit_id: int | None) -> TenantNode:
    if unit_id is None:
        for _role, node in g.principal.role_nodes:
            if node is not None:
                return node
        if g.principal.jurisdiction is None:
            raise ApiError(422, errors={"unit_id": ["请指定被督导单位"]})
        return g.principal.jurisdiction
    unit = visible(TenantNode, unit_id)
    if unit is None:
        raise missing_reference("unit_id", "单位不存在或不在您的权限范围内")
    return unit


@blp.route("/visits")
class VisitList(MethodView):
    @permission("sample.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, SiteVisitSchema(many=True))
    def get(self, args):
        """列出可见的实地督导记录"""
        rows, headers = paginate(
            db.select(SiteVisit).order_by(SiteVisit.visited_on.desc(), SiteVisit.id), args
        )
        return rows, 200, headers

    @permission("sample.write")
    @blp.arguments(SiteVisitSchema)
    @blp.response(201, SiteVisitSchema)
    def post(self, data):
        """登记一次实地督导"""
        unit = _unit_for(data.pop("unit_id", None))
        if not g.principal.can_at("sample.write", unit):
            raise ApiError(403, "您在该单位没有此操作的权限")
        if data.get("debt_id") is not None and visible(Debt, data["debt_id"]) is None:
            raise missing_reference("debt_id", "欠款不存在或不在您的权限范围内")
        user = current_user()
        visit = SiteVisit(
            jurisdiction_id=unit.jurisdiction_id,
            unit_id=unit.id,
            created_by=user.id if user else None,
            **data,
        )
        db.session.add(visit)
        db.session.commit()
        return visit, 201, {"Location": f"/api/v1/sample/visits/{visit.id}"}


@blp.route("/visits/<int:visit_id>")
class VisitItem(MethodView):
    @permission("sample.read")
    @blp.response(200, SiteVisitSchema)
    def get(self, visit_id):
        """查看一条实地督导记录"""
        return get_or_404(SiteVisit, visit_id)
