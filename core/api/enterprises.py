"""/api/v1/enterprises: creditors (SMEs), de-duplicated per jurisdiction by credit code.

The office reads and edits the shared record; a unit user reads and edits its own view of a creditor and
proposes changes to the shared fields (core.services.creditors).
"""

from __future__ import annotations

from flask.views import MethodView

from core.api.base import ApiError, Blueprint, get_or_404, paginate, require_if_match
from core.api.debts import _require_write_at, domain_errors, unit_or_404
from core.api.openapi import versioned_doc
from core.api.schemas import (
    EnterpriseProposalDecisionSchema,
    EnterpriseProposalSchema,
    EnterpriseQuerySchema,
    EnterpriseSchema,
    EnterpriseUpdateSchema,
    EventSchema,
)
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.enterprise import Enterprise, EnterpriseProposal
from core.services import creditors
from core.services import debts as service
from core.services.history import history_of
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode

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
                db.or_(creditors.name_matches(like), Enterprise.credit_code.like(like, escape="\\"))
            )
        if args.get("size_class"):
            stmt = stmt.where(Enterprise.size_class == args["size_class"])
        rows, headers = paginate(stmt.order_by(Enterprise.name, Enterprise.id), args)
        return creditors.views_of(rows, creditors.caller_unit()), 200, headers

    @permission("enterprise.write")
    @blp.arguments(EnterpriseSchema)
    @blp.response(201, EnterpriseSchema)
    @domain_errors
    @blp.alt_response(
        200, schema=EnterpriseSchema, description="该统一社会信用代码已登记：本单位对它的视图", success=True
    )
    @blp.doc(**versioned_doc(200, 201))
    def post(self, data):
        """登记债权企业；同一辖区内信用代码相同的企业只保留一条。

        本单位已登记过的返回已有记录（状态 200）；其他单位已登记的企业与本单位关联，响应只含本单位填写的
        名称、联系人和地址（状态 201）。"""
        unit = unit_or_404(data.pop("unit_id", None))
        _require_write_at(unit, "enterprise.write")
        enterprise, created, linked = service.register_and_link(unit, data, actor=current_user())
        db.session.commit()
        view = creditors.view_of(enterprise, unit)
        # A creditor new to a unit user's view is "created" there, whoever else knows it already.
        new = created or (linked and not creditors.sees_shared_record())
        return view, 201 if new else 200, {"ETag": view.etag}


@blp.route("/<int:enterprise_id>")
class EnterpriseItem(MethodView):
    @permission("enterprise.read")
    @blp.response(200, EnterpriseSchema)
    @blp.doc(**versioned_doc(200))
    def get(self, enterprise_id):
        """查看债权企业（单位用户看到本单位登记的名称、联系人和地址）"""
        view = creditors.view_of(get_or_404(Enterprise, enterprise_id), creditors.caller_unit())
        return view, 200, {"ETag": view.etag}

    @permission("enterprise.write")
    @blp.arguments(EnterpriseUpdateSchema)
    @blp.response(200, EnterpriseSchema)
    @domain_errors
    @blp.doc(**versioned_doc(200, if_match="required"))
    def patch(self, data, enterprise_id):
        """修改债权企业（须带 If-Match）。

        单位用户修改的联系人、地址只属于本单位；名称、信用代码、规模、是否民营的修改作为申请提交清欠办审核
        （响应中的 proposal）。"""
        enterprise = get_or_404(Enterprise, enterprise_id)
        unit = creditors.caller_unit()
        require_if_match(creditors.view_of(enterprise, unit))
        if not data:
            raise ApiError(422, errors={"_schema": ["没有要修改的字段"]})
        if creditors.sees_shared_record():
            # File the change under the user's own unit when it is in this jurisdiction.
            unit_id = unit.id if unit is not None else None
            service.update_enterprise(enterprise, data, actor=current_user(), unit_id=unit_id)
            proposal = None
        else:
            if unit is None:
                raise ApiError(403, "您在该单位没有此操作的权限")
            _require_write_at(unit, "enterprise.write")
            proposal = creditors.update_as_unit(enterprise, unit, data, actor=current_user())
        db.session.commit()
        view = creditors.view_of(enterprise, unit)
        if proposal is not None:
            view.proposal = proposal
        return view, 200, {"ETag": view.etag}


@blp.route("/<int:enterprise_id>/history")
class EnterpriseHistory(MethodView):
    @permission("history.read")
    @blp.response(200, EventSchema(many=True))
    def get(self, enterprise_id):
        """债权企业的变更历史"""
        enterprise = get_or_404(Enterprise, enterprise_id)
        return history_of("enterprises", enterprise.id)


@blp.route("/<int:enterprise_id>/proposals")
class EnterpriseProposalList(MethodView):
    @permission("enterprise.read")
    @blp.response(200, EnterpriseProposalSchema(many=True))
    def get(self, enterprise_id):
        """对债权企业共享信息的修改申请（单位用户只看到本单位的申请）"""
        enterprise = get_or_404(Enterprise, enterprise_id)
        return list(
            db.session.scalars(
                db.select(EnterpriseProposal)
                .where(EnterpriseProposal.enterprise_id == enterprise.id)
                .order_by(EnterpriseProposal.created_at.desc(), EnterpriseProposal.id.desc())
            )
        )


@blp.route("/<int:enterprise_id>/proposals/<int:proposal_id>")
class EnterpriseProposalItem(MethodView):
    @permission("enterprise.read")
    @blp.response(200, EnterpriseProposalSchema)
    def get(self, enterprise_id, proposal_id):
        """查看一项修改申请"""
        return _proposal_or_404(enterprise_id, proposal_id)[1]

    @permission("enterprise.write")
    @blp.arguments(EnterpriseProposalDecisionSchema)
    @blp.response(200, EnterpriseProposalSchema)
    @domain_errors
    def post(self, data, enterprise_id, proposal_id):
        """清欠办采纳或驳回修改申请（采纳即修改共享信息）"""
        enterprise, proposal = _proposal_or_404(enterprise_id, proposal_id)
        if not creditors.sees_shared_record():
            raise ApiError(403, "只有清欠办可以处理修改申请")
        _require_write_at(visible(TenantNode, enterprise.jurisdiction_id), "enterprise.write")
        creditors.decide(
            proposal, enterprise, data["decision"] == "accept", actor=current_user(), note=data.get("note")
        )
        db.session.commit()
        return proposal


def _proposal_or_404(enterprise_id: int, proposal_id: int) -> tuple[Enterprise, EnterpriseProposal]:
    enterprise = get_or_404(Enterprise, enterprise_id)
    proposal = get_or_404(EnterpriseProposal, proposal_id)
    if proposal.enterprise_id != enterprise.id:
        raise ApiError(404)
    return enterprise, proposal
