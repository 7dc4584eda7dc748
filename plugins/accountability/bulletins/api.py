"""/api/v1/accountability/bulletins: draft, edit, issue, download and acknowledge bulletins (通报)."""

from __future__ import annotations

import io

from flask import Response, g, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.accountability.bulletins import service
from plugins.accountability.bulletins.models import Bulletin, BulletinFrozen, BulletinRecipient

blp = Blueprint(
    "accountability",
    __name__,
    url_prefix="/accountability",
    description="通报问责：清欠进展通报（生成、编号印发、下载、已阅）",
)


class BulletinListArgs(PageArgs):
    status = fields.String(
        validate=validate.OneOf(["draft", "issued"]), metadata={"description": "draft | issued"}
    )
    unread = fields.Boolean(load_default=False, metadata={"description": "只列出本单位未阅的通报"})


class BulletinCreateSchema(Schema):
    period_end = fields.Date(
        load_default=None, metadata={"description": "统计截止日期，默认今天（不能晚于今天）"}
    )
    period_start = fields.Date(load_default=None)
    title = fields.String(load_default=None, validate=validate.Length(max=200))
    intro = fields.String(load_default=None, validate=validate.Length(max=20000))
    closing = fields.String(load_default=None, validate=validate.Length(max=20000))
    cc = fields.String(
        load_default=None, validate=validate.Length(max=2000), metadata={"description": "抄送"}
    )
    recipient_ids = fields.List(
        fields.Integer(), load_default=None, metadata={"description": "发送单位，默认辖区内一级单位"}
    )
    corrects_id = fields.Integer(load_default=None, metadata={"description": "更正通报：被更正的已印发通报"})


class BulletinUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    intro = fields.String(validate=validate.Length(max=20000))
    closing = fields.String(validate=validate.Length(max=20000))
    cc = fields.String(validate=validate.Length(max=2000))
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(metadata={"description": "改变统计截止日期会按实时数据重新生成表格"})
    recipient_ids = fields.List(fields.Integer())
    regenerate = fields.Boolean(load_default=False, metadata={"description": "按实时数据重新生成表格"})


class BulletinRecipientSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    read_at = fields.DateTime(allow_none=True)
    read_by_name = fields.String(allow_none=True)


class BulletinSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    title = fields.String()
    doc_no = fields.String(
        allow_none=True, metadata={"description": "文号，印发时编定，如 台清欠办通报〔2023〕3号"}
    )
    year = fields.Integer(allow_none=True)
    seq = fields.Integer(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date()
    intro = fields.String()
    closing = fields.String()
    cc = fields.String()
    issuer = fields.String()
    sections = fields.List(
        fields.Dict(), metadata={"description": "表格：columns、rows、total；金额为字符串（元，精确到分）"}
    )
    recipient_ids = fields.List(fields.Integer())
    generated_at = fields.DateTime()
    issued_on = fields.Date(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    corrects_id = fields.Integer(allow_none=True)


class BulletinDetailSchema(BulletinSchema):
    recipients = fields.List(fields.Nested(BulletinRecipientSchema))
    unread = fields.List(fields.Nested(BulletinRecipientSchema), metadata={"description": "尚未已阅的单位"})
    corrected_by = fields.List(fields.Integer(), metadata={"description": "更正本通报的通报"})


def refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    return ApiError(exc.status, exc.message, errors={exc.field: [exc.message]})


def detail(bulletin: Bulletin) -> dict:
    rows = service.recipients(bulletin)
    data = {name: getattr(bulletin, name) for name in BulletinSchema().fields}
    data["recipients"] = rows
    data["unread"] = [r for r in rows if r.read_at is None]
    data["corrected_by"] = [b.id for b in service.corrected_by(bulletin)]
    return data


def jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        raise ApiError(404)
    return node


@blp.route("/bulletins")
class Bulletins(MethodView):
    @permission("accountability.read")
    @blp.arguments(BulletinListArgs, location="query")
    @blp.response(200, BulletinSchema(many=True))
    def get(self, args):
        """通报列表（最新在前）；单位只看到发给本单位的已印发通报，unread=true 只列未阅的"""
        jurisdiction()
        stmt = db.select(Bulletin).order_by(Bulletin.id.desc())
        if args.get("status"):
            stmt = stmt.where(Bulletin.status == args["status"])
        if args.get("unread"):
            stmt = stmt.where(
                Bulletin.id.in_(
                    db.select(BulletinRecipient.bulletin_id).where(BulletinRecipient.read_at.is_(None))
                )
            )
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("accountability.manage")
    @blp.arguments(BulletinCreateSchema)
    @blp.response(201, BulletinDetailSchema)
    def post(self, args):
        """按实时数据生成通报草稿（含更正通报：corrects_id 指向被更正的已印发通报）"""
        try:
            bulletin = service.create(jurisdiction(), actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(bulletin)


@blp.route("/bulletins/<int:bulletin_id>")
class BulletinItem(MethodView):
    @permission("accountability.read")
    @blp.response(200, BulletinDetailSchema)
    def get(self, bulletin_id):
        """一份通报：表格、正文、发送单位及已阅情况"""
        return detail(get_or_404(Bulletin, bulletin_id))

    @permission("accountability.manage")
    @blp.arguments(BulletinUpdateSchema)
    @blp.response(200, BulletinDetailSchema)
    def patch(self, args, bulletin_id):
        """修改草稿的正文、发送单位或重新生成表格；已印发的通报不能修改"""
        bulletin = get_or_404(Bulletin, bulletin_id)
        try:
            service.update(bulletin, actor=current_user(), values=args)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(bulletin)


@blp.route("/bulletins/<int:bulletin_id>/issue")
class BulletinIssue(MethodView):
    @permission("accountability.manage")
    @blp.response(200, BulletinDetailSchema)
    def post(self, bulletin_id):
        """印发：按本年度顺序编号（方案中的文号前缀），冻结内容，发送各单位"""
        bulletin = get_or_404(Bulletin, bulletin_id)
        try:
            service.issue(bulletin, actor=current_user())
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return detail(bulletin)


@blp.route("/bulletins/<int:bulletin_id>/acknowledge")
class BulletinAcknowledge(MethodView):
    @permission("accountability.acknowledge")
    @blp.response(200, BulletinRecipientSchema(many=True))
    def post(self, bulletin_id):
        """本单位已阅"""
        bulletin = get_or_404(Bulletin, bulletin_id)
        try:
            rows = service.acknowledge(bulletin, actor=current_user(), unit_ids=g.principal.scope.unit_ids)
        except service.Refused as exc:
            raise refused(exc) from exc
        db.session.commit()
        return rows


DOCUMENTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document(bulletin_id: int, ext: str) -> Response:
    from plugins.accountability.bulletins import export

    bulletin = get_or_404(Bulletin, bulletin_id)
    data = (export.to_xlsx if ext == "xlsx" else export.to_docx)(bulletin)
    name = f"{bulletin.doc_no or '通报草稿'}{bulletin.title}.{ext}"
    return send_file(io.BytesIO(data), mimetype=DOCUMENTS[ext], as_attachment=True, download_name=name)


@blp.route("/bulletins/<int:bulletin_id>/export.docx")
class BulletinDocx(MethodView):
    @permission("accountability.read")
    def get(self, bulletin_id):
        """通报正式文本（Word）：标题、文号、日期、表格（万元，含合计）、抄送"""
        return document(bulletin_id, "docx")


@blp.route("/bulletins/<int:bulletin_id>/export.xlsx")
class BulletinXlsx(MethodView):
    @permission("accountability.read")
    def get(self, bulletin_id):
        """通报表格（Excel，金额单位：元）"""
        return document(bulletin_id, "xlsx")


__all__ = ["BulletinFrozen", "blp"]
