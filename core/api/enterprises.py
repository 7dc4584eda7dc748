"""/api/v1/enterprises: creditors (SMEs), de-duplicated per jurisdiction by credit code."""

from __future__ import annotations

from flask.views import MethodView

from core.api.base import ApiError, Blueprint, get_or_404, paginate, require_if_match
from core.api.debts import _require_write_at, default_unit, domain_errors, unit_or_422
from core.api.schemas import EnterpriseQuerySchema, EnterpriseSchema, EnterpriseUpdateSchema, EventSchema
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.enterprise import Enterprise
from core.services import debts as service
from core.services.history import history_of

blp = Blueprint("enterprises", __name__, url_prefix="/enterprises", description="债权企业（中小企业）")


@blp.route("")
class EnterpriseList(MethodView):
    @permission("enterprise.read")
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, EnterpriseSchema(many=True))
    def get(self, args):
        """列出可见的债权企业"""
        stmt = db.select(Enterprise)
        if args.get("q"):
            like = "%" + args["q"].strip().replace("%", r"\%").replace("_", r"\_") + "%"
            stmt = stmt.where(
                db.or_(
                    Enterprise.name.like(like, escape="\\"), Enterprise.credit_code.like(like, escape="\\")
                )
            )
        if args.get("size_class"):
            stmt = stmt.where(Enterprise.size_class == args["size_class"])
        rows, headers = paginate(stmt.order_by(Enterprise.name, Enterprise.id), args)
        return rows, 200, headers

    @permission("enterprise.write")
    @blp.arguments(EnterpriseSchema)
    @blp.response(201, EnterpriseSchema)
    @domain_errors
    def post(self, data):
        """登记债权企业；同一辖区内信用代码相同的企业只保留一条（已存在则返回已有记录，状态 200）"""
        unit = unit_or_422(data.pop("unit_id", None))
        _require_write_at(unit, "enterprise.write")
        enterprise, created = service.register_enterprise(unit, data, actor=current_user())
        db.session.commit()
        return enterprise, 201 if created else 200, {"ETag": enterprise.etag}


@blp.route("/<int:enterprise_id>")
class EnterpriseItem(MethodView):
    @permission("enterprise.read")
    @blp.response(200, EnterpriseSchema)
    def get(self, enterprise_id):
        """查看债权企业"""
        enterprise = get_or_404(Enterprise, enterprise_id)
        return enterprise, 200, {"ETag": enterprise.etag}

    @permission("enterprise.write")
    @blp.arguments(EnterpriseUpdateSchema)
    @blp.response(200, EnterpriseSchema)
    @domain_errors
    def patch(self, data, enterprise_id):
        """修改债权企业（须带 If-Match）"""
        enterprise = get_or_404(Enterprise, enterprise_id)
        require_if_match(enterprise)
        if not data:
            raise ApiError(422, errors={"_schema": ["没有要修改的字段"]})
        # File the change under the user's own unit: a unit clerk cannot write events at the jurisdiction.
        unit = default_unit()
        unit_id = unit.id if unit.jurisdiction_id == enterprise.jurisdiction_id else None
        service.update_enterprise(enterprise, data, actor=current_user(), unit_id=unit_id)
        db.session.commit()
        return enterprise, 200, {"ETag": enterprise.etag}


@blp.route("/<int:enterprise_id>/history")
class EnterpriseHistory(MethodView):
    @permission("history.read")
    @blp.response(200, EventSchema(many=True))
    def get(self, enterprise_id):
        """债权企业的变更历史"""
        enterprise = get_or_404(Enterprise, enterprise_id)
        return history_of("enterprises", enterprise.id)
