"""/api/v1/accountability/supervisions: 挂牌督办 — candidates, listing, progress, extension, closing."""

from __future__ import annotations

from flask import g, request, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core import clock
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.accountability.supervision import candidates, files, service
from plugins.accountability.supervision.models import EVIDENCE_LABELS, Supervision, SupervisionStep

# Its own blueprint under the same prefix: parts load in any order, and each documents itself.
blp = Blueprint(
    "accountability_supervision",
    __name__,
    url_prefix="/accountability",
    description="通报问责：挂牌督办（候选、进展、延期、办结）",
)


class SupervisionListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["open", "closed"]))
    overdue = fields.Boolean(load_default=False, metadata={"description": "只列逾期未办结的"})


class SupervisionOpenSchema(Schema):
    unit_id = fields.Integer(required=True, metadata={"description": "督办单位"})
    subject_kind = fields.String(
        load_default="unit",
        validate=validate.OneOf(["unit", "debt", "complaint"]),
        metadata={"description": "unit | debt | complaint"},
    )
    subject_id = fields.Integer(load_default=None, metadata={"description": "督办的欠款或投诉"})
    subject_label = fields.String(load_default=None, validate=validate.Length(max=300))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    required_actions = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    deadline = fields.Date(required=True, metadata={"description": "限期办结日期"})
    proposal_key = fields.String(load_default=None, validate=validate.Length(max=120))


class SupervisionProgressSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class SupervisionExtendSchema(Schema):
    deadline = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SupervisionCloseSchema(Schema):
    evidence_kind = fields.String(
        required=True,
        validate=validate.OneOf(list(EVIDENCE_LABELS)),
        metadata={"description": "payment | agreement | complaint"},
    )
    evidence_id = fields.Integer(required=True, metadata={"description": "付款记录、还款协议或投诉的编号"})
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SupervisionStepSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    note = fields.String()
    actor_name = fields.String()
    at = fields.DateTime()
    file_name = fields.String(allow_none=True)
    file_size = fields.Integer(allow_none=True)


class SupervisionSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    subject_kind = fields.String()
    subject_id = fields.Integer(allow_none=True)
    subject_label = fields.String()
    reason = fields.String()
    required_actions = fields.String()
    deadline = fields.Date()
    original_deadline = fields.Date()
    status = fields.String()
    status_label = fields.String()
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    evidence_kind = fields.String(allow_none=True)
    evidence_id = fields.Integer(allow_none=True)
    evidence_note = fields.String(allow_none=True)
    proposal_key = fields.String(allow_none=True)


class SupervisionDetailSchema(SupervisionSchema):
    steps = fields.List(fields.Nested(SupervisionStepSchema))


class SupervisionCandidateSchema(Schema):
    key = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.String()
    subject_kind = fields.String()
    subject_id = fields.Integer(allow_none=True)
    subject_label = fields.String()
    reason = fields.String()
    required_actions = fields.String()
    deadline = fields.Date()


def refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, exc.message, errors={exc.field: [exc.message]})


def steps_of(item: Supervision) -> list[SupervisionStep]:
    return list(
        db.session.scalars(
            db.select(SupervisionStep)
            .where(SupervisionStep.supervision_id == item.id)
            .order_by(SupervisionStep.at, SupervisionStep.id)
        )
    )


def detail(item: Supervision) -> dict:
    data = {name: getattr(item, name) for name in SupervisionSchema().fields}
    data["steps"] = steps_of(item)
    return data


def jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        raise ApiError(404)
    return node


@blp.route("/supervisions")
class Supervisions(MethodView):
    @permission("accountability.read")
    @blp.arguments(SupervisionListArgs, location="query")
    @blp.response(200, SupervisionSchema(many=True))
    def get(self, args):
        """督办事项（单位只看到本单位及下级的）"""
        node = jurisdiction()
        stmt = db.select(Supervision).order_by(Supervision.deadline, Supervision.id)
        if args.get("status"):
            stmt = stmt.where(Supervision.status == args["status"])
        if args.get("overdue"):
            stmt = stmt.where(Supervision.status == "open", Supervision.deadline < clock.today(node))
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("accountability.supervise")
    @blp.arguments(SupervisionOpenSchema)
    @blp.response(201, SupervisionDetailSchema)
    def post(self, args):
        """挂牌督办：单位、欠款或投诉，写明原因、整改要求和办结期限"""
        try:
            item = service.open_item(jurisdiction(), actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(item)


@blp.route("/supervisions/candidates")
class SupervisionCandidates(MethodView):
    @permission("accountability.supervise")
    @blp.response(200, SupervisionCandidateSchema(many=True))
    def get(self):
        """按方案阈值建议挂牌督办的事项（清偿率低于进度目标、台账逾期未报、分期逾期）"""
        node = jurisdiction()
        return candidates.candidates(node, clock.today(node))


@blp.route("/supervisions/<int:supervision_id>")
class SupervisionItem(MethodView):
    @permission("accountability.read")
    @blp.response(200, SupervisionDetailSchema)
    def get(self, supervision_id):
        """一个督办事项及其全过程记录"""
        return detail(get_or_404(Supervision, supervision_id))


@blp.route("/supervisions/<int:supervision_id>/progress")
class SupervisionProgress(MethodView):
    @permission("accountability.report")
    @blp.response(201, SupervisionStepSchema)
    def post(self, supervision_id):
        """单位报告进展（multipart 表单：note 必填，file 可选：PDF/JPEG/PNG，不超过10MB）"""
        # Read as a form (an attachment travels with it) after the lookup: another tenant's id is a 404.
        item = get_or_404(Supervision, supervision_id)
        errors = SupervisionProgressSchema().validate(request.form)
        if errors:
            raise ApiError(422, "提交的数据未通过校验", errors=errors)
        args = SupervisionProgressSchema().load(request.form)
        upload = request.files.get("file")
        data = (upload.filename, upload.read()) if upload and upload.filename else None
        try:
            row = service.report(item, actor=current_user(), note=args["note"], upload=data)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return row


@blp.route("/supervisions/<int:supervision_id>/steps/<int:supervision_step_id>/file")
class SupervisionStepFile(MethodView):
    @permission("accountability.read")
    def get(self, supervision_id, supervision_step_id):
        """进展附件"""
        get_or_404(Supervision, supervision_id)
        row = get_or_404(SupervisionStep, supervision_step_id)
        if row.supervision_id != supervision_id or not row.file_path:
            raise ApiError(404)
        try:
            path = files.path_of(row.file_path)
        except FileNotFoundError as exc:
            raise ApiError(404) from exc
        return send_file(path, mimetype=row.file_mime, as_attachment=True, download_name=row.file_name)


@blp.route("/supervisions/<int:supervision_id>/extend")
class SupervisionExtend(MethodView):
    @permission("accountability.supervise")
    @blp.arguments(SupervisionExtendSchema)
    @blp.response(200, SupervisionDetailSchema)
    def post(self, args, supervision_id):
        """延期：新的期限和理由"""
        item = get_or_404(Supervision, supervision_id)
        try:
            service.extend(item, actor=current_user(), deadline=args["deadline"], reason=args["reason"])
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(item)


@blp.route("/supervisions/<int:supervision_id>/close")
class SupervisionClose(MethodView):
    @permission("accountability.supervise")
    @blp.arguments(SupervisionCloseSchema)
    @blp.response(200, SupervisionDetailSchema)
    def post(self, args, supervision_id):
        """办结销号：须有证据（付款记录、已签还款协议或投诉办理结果）"""
        item = get_or_404(Supervision, supervision_id)
        try:
            service.close(
                item,
                actor=current_user(),
                kind=args["evidence_kind"],
                evidence_id=args["evidence_id"],
                note=args["note"],
            )
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(item)
