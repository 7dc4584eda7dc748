"""/api/v1/accountability/assessments: scorecards per unit (考核), live and frozen at a period end."""

from __future__ import annotations

import io

from flask import g, send_file
from flask.views import MethodView
from marshmallow import Schema, fields

from core import clock
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.accountability.assessment import export, service
from plugins.accountability.assessment.models import AssessmentSnapshot

# Its own blueprint under the same prefix: parts load in any order, and each documents itself.
blp = Blueprint(
    "accountability_assessment", __name__, url_prefix="/accountability", description="通报问责：考核评分"
)


class AssessmentPreviewArgs(Schema):
    period_end = fields.Date(load_default=None, metadata={"description": "考核期末，默认今天"})
    group_id = fields.Integer(load_default=None, metadata={"description": "国有企业集团：考核其下属企业"})


class AssessmentSnapshotSchema(Schema):
    period_end = fields.Date(required=True)
    group_id = fields.Integer(load_default=None)


class AssessmentItemSchema(Schema):
    metric = fields.String()
    label = fields.String()
    weight = fields.String(metadata={"description": "分值"})
    value = fields.String(metadata={"description": "得分率（0–1）"})
    points = fields.String(metadata={"description": "得分"})
    detail = fields.String(metadata={"description": "依据"})


class AssessmentRowSchema(Schema):
    rank = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    score = fields.String()
    items = fields.List(fields.Nested(AssessmentItemSchema))


class AssessmentResultSchema(Schema):
    id = fields.Integer()
    period_end = fields.Date()
    group_id = fields.Integer(allow_none=True)
    full_marks = fields.String()
    scorecard = fields.List(fields.Dict())
    rows = fields.List(fields.Nested(AssessmentRowSchema))
    taken_at = fields.DateTime()


def refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, exc.message, errors={exc.field: [exc.message]})


def jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        raise ApiError(404)
    return node


def frozen(row: AssessmentSnapshot) -> dict:
    full = sum(float(c["weight"]) for c in row.scorecard)
    return {
        "id": row.id,
        "period_end": row.period_end,
        "group_id": row.group_id,
        "full_marks": f"{full:.2f}",
        "scorecard": row.scorecard,
        "rows": row.rows,
        "taken_at": row.taken_at,
    }


@blp.route("/assessments")
class Assessments(MethodView):
    @permission("accountability.assessment.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, AssessmentResultSchema(many=True))
    def get(self, args):
        """已固定的考核结果（最新在前）"""
        jurisdiction()
        found, headers = paginate(
            db.select(AssessmentSnapshot).order_by(
                AssessmentSnapshot.period_end.desc(), AssessmentSnapshot.id.desc()
            ),
            args,
        )
        return [frozen(r) for r in found], 200, headers

    @permission("accountability.assessment.snapshot")
    @blp.arguments(AssessmentSnapshotSchema)
    @blp.response(201, AssessmentResultSchema)
    def post(self, args):
        """期末固定考核结果（每个考核期、每个集团一次）"""
        try:
            row = service.snapshot(
                jurisdiction(), actor=current_user(), end=args["period_end"], group_id=args["group_id"]
            )
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return frozen(row)


@blp.route("/assessments/preview")
class AssessmentPreview(MethodView):
    @permission("accountability.assessment.read")
    @blp.arguments(AssessmentPreviewArgs, location="query")
    @blp.response(200, AssessmentResultSchema)
    def get(self, args):
        """按方案考核指标实时计算各单位得分，逐项说明依据；group_id 为国有企业集团时考核其下属企业"""
        node = jurisdiction()
        try:
            group = service.group_of(node, args["group_id"])
        except service.Refused as exc:
            raise refused(exc) from exc
        return service.compute(node, args["period_end"] or clock.today(node), group)


@blp.route("/assessments/<int:assessment_id>")
class AssessmentItem(MethodView):
    @permission("accountability.assessment.read")
    @blp.response(200, AssessmentResultSchema)
    def get(self, assessment_id):
        """一次已固定的考核结果"""
        return frozen(get_or_404(AssessmentSnapshot, assessment_id))


@blp.route("/assessments/<int:assessment_id>/export.xlsx")
class AssessmentXlsx(MethodView):
    @permission("accountability.assessment.read")
    def get(self, assessment_id):
        """考核结果（Excel）：各单位得分和逐项依据"""
        row = get_or_404(AssessmentSnapshot, assessment_id)
        title = f"{jurisdiction().name}清欠工作考核"
        data = export.to_xlsx(frozen(row), title)
        return send_file(
            io.BytesIO(data),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=f"{title}{row.period_end.isoformat()}.xlsx",
        )
