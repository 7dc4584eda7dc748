"""/api/v1/accountability/interviews: 专项约谈 — schedule, minutes and commitments, commitments done."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.accountability.interviews import service
from plugins.accountability.interviews.models import Commitment, Interview

# Its own blueprint under the same prefix: parts load in any order, and each documents itself.
blp = Blueprint(
    "accountability_interviews",
    __name__,
    url_prefix="/accountability",
    description="通报问责：专项约谈及承诺事项",
)


class InterviewScheduleSchema(Schema):
    unit_id = fields.Integer(required=True, metadata={"description": "被约谈单位"})
    head_name = fields.String(
        required=True, validate=validate.Length(min=1, max=120), metadata={"description": "主要负责人"}
    )
    scheduled_at = fields.NaiveDateTime(
        required=True, metadata={"description": "约谈时间（辖区当地时间，如 2023-10-08T09:30）"}
    )
    place = fields.String(load_default="", validate=validate.Length(max=200))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    attendees = fields.String(load_default="", validate=validate.Length(max=2000))


class InterviewCommitmentInSchema(Schema):
    content = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    owner = fields.String(
        required=True, validate=validate.Length(min=1, max=120), metadata={"description": "责任人"}
    )
    deadline = fields.Date(required=True)


class InterviewMinutesSchema(Schema):
    held_on = fields.Date(required=True)
    minutes = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    attendees = fields.String(load_default=None, validate=validate.Length(max=2000))
    commitments = fields.List(fields.Nested(InterviewCommitmentInSchema), load_default=list)


class CommitmentDoneSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CommitmentSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    content = fields.String()
    owner = fields.String()
    deadline = fields.Date()
    status = fields.String()
    done_on = fields.Date(allow_none=True)
    done_note = fields.String(allow_none=True)


class InterviewSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    head_name = fields.String()
    scheduled_at = fields.DateTime(metadata={"description": "UTC"})
    place = fields.String()
    reason = fields.String()
    attendees = fields.String()
    status = fields.String()
    status_label = fields.String()
    held_on = fields.Date(allow_none=True)
    minutes = fields.String(allow_none=True)


class InterviewDetailSchema(InterviewSchema):
    commitments = fields.List(fields.Nested(CommitmentSchema))


def refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, exc.message, errors={exc.field: [exc.message]})


def detail(item: Interview) -> dict:
    data = {name: getattr(item, name) for name in InterviewSchema().fields}
    data["commitments"] = service.commitments_of(item)
    return data


@blp.route("/interviews")
class Interviews(MethodView):
    @permission("accountability.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, InterviewSchema(many=True))
    def get(self, args):
        """专项约谈（单位只看到本单位及下级的）"""
        if g.principal.jurisdiction is None:
            raise ApiError(404)
        rows, headers = paginate(db.select(Interview).order_by(Interview.scheduled_at.desc()), args)
        return rows, 200, headers

    @permission("accountability.supervise")
    @blp.arguments(InterviewScheduleSchema)
    @blp.response(201, InterviewDetailSchema)
    def post(self, args):
        """安排约谈：单位、主要负责人、时间地点、事由、参加人员"""
        node = g.principal.jurisdiction
        if node is None:
            raise ApiError(404)
        try:
            item = service.schedule(node, actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(item)


@blp.route("/interviews/<int:interview_id>")
class InterviewItem(MethodView):
    @permission("accountability.read")
    @blp.response(200, InterviewDetailSchema)
    def get(self, interview_id):
        """一次约谈：纪要和承诺事项"""
        return detail(get_or_404(Interview, interview_id))


@blp.route("/interviews/<int:interview_id>/minutes")
class InterviewMinutes(MethodView):
    @permission("accountability.supervise")
    @blp.arguments(InterviewMinutesSchema)
    @blp.response(200, InterviewDetailSchema)
    def post(self, args, interview_id):
        """记录约谈纪要和承诺事项（责任人、期限），只记录一次"""
        item = get_or_404(Interview, interview_id)
        try:
            service.record_minutes(item, actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(item)


@blp.route("/interviews/<int:interview_id>/commitments/<int:commitment_id>/done")
class CommitmentDone(MethodView):
    @permission("accountability.supervise")
    @blp.arguments(CommitmentDoneSchema)
    @blp.response(200, CommitmentSchema)
    def post(self, args, interview_id, commitment_id):
        """承诺事项完成（说明完成情况）"""
        get_or_404(Interview, interview_id)
        commitment = get_or_404(Commitment, commitment_id)
        if commitment.interview_id != interview_id:
            raise ApiError(404)
        try:
            service.complete(commitment, actor=current_user(), note=args["note"])
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return commitment
