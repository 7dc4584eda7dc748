"""/api/v1/finance/confirmations (office and debtor units) and /api/v1/public/... (the SME, no account)."""

from __future__ import annotations

import io

from flask import g, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core import uploads
from core.api import download_doc
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate, too_many_requests
from core.api.schemas import CHECKED_CREDIT_CODE_DOC as CREDIT_CODE
from core.api.schemas import PHONE_PATTERN, VISIBLE_TEXT, MoneyField
from core.api.schemas import WRITTEN_AMOUNT_PATTERN as AMOUNT_PATTERN
from core.auth import ratelimit
from core.auth.context import current_user
from core.auth.permissions import permission, public
from core.extensions import db
from core.tenancy.scope import Scope, scope_context
from plugins.finance.confirmations import attachments, rules, service
from plugins.finance.confirmations.models import (
    Channel,
    Confirmation,
    ConfirmationAttachment,
    ConfirmationStep,
    Status,
)

blp = Blueprint(
    "finance", __name__, url_prefix="/finance", description="供应链金融推介：应收账款确权申请与答复"
)
public_blp = Blueprint(
    "finance_public",
    __name__,
    url_prefix="/public",
    description="公开接口：中小企业申请应收账款确权与查询进度（免登录）",
)

# Per address: a few filings an hour, more lookups.
REQUEST_LIMIT = ratelimit.Limit("finance-request", max_hits=5, window_seconds=3600)
LOOKUP_LIMIT = ratelimit.Limit("finance-lookup", max_hits=20, window_seconds=600)
HONEYPOT = "website"
NOT_FOUND = "未找到与查询码和手机号后四位相符的确权申请，请核对后重试"


class ListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    overdue = fields.Boolean(metadata={"description": "只看逾期未答复的"})


class FinanceStepSchema(Schema):
    action = fields.String()
    label = fields.String()
    note = fields.String(allow_none=True)
    actor_name = fields.String()
    created_at = fields.DateTime()


class FinanceConfirmationSchema(Schema):
    id = fields.Integer()
    tracking_code = fields.String()
    channel = fields.String()
    channel_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    unit_id = fields.Integer(metadata={"description": "被申请确认的欠款单位"})
    creditor_name = fields.String()
    creditor_code = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    contract_no = fields.String()
    contract_name = fields.String(allow_none=True)
    invoice_numbers = fields.String(allow_none=True)
    amount = MoneyField()
    note = fields.String(allow_none=True)
    requested_on = fields.Date()
    due_on = fields.Date(
        metadata={"description": "答复期限：申请之日起30日（条例第十六条），末日为休息日的顺延"}
    )
    overdue = fields.Function(service.is_overdue, metadata={"description": "逾期未答复"})
    answered_late = fields.Function(service.answered_late)
    answered_on = fields.Date(allow_none=True)
    confirmed_amount = MoneyField(allow_none=True)
    payment_due_date = fields.Date(allow_none=True)
    reason_code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    contract_clause = fields.String(allow_none=True)
    confirmation_no = fields.String(allow_none=True)
    debtor_code = fields.String(allow_none=True)
    verification_code = fields.String(allow_none=True, metadata={"description": "确认函上的核验码"})
    category = fields.String(allow_none=True, metadata={"description": "合同类别：goods | works | services"})
    debt_id = fields.Integer(allow_none=True, metadata={"description": "对应的台账欠款（确认后关联或登记）"})
    bills_agreed = fields.Boolean(
        allow_none=True, metadata={"description": "合同是否约定可用商业汇票或应收账款电子凭证支付"}
    )
    assignee_name = fields.String(allow_none=True, metadata={"description": "保理受让人（债权人）"})
    assigned_on = fields.Date(allow_none=True)
    consent = fields.String(
        metadata={"description": "企业对推介融资的同意：none 未表示 | given 已同意 | revoked 已撤回"}
    )
    consent_on = fields.Date(allow_none=True)
    version = fields.Integer()


class FinanceAttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String(
        metadata={"description": "按文件内容识别：application/pdf、image/jpeg 或 image/png"}
    )
    size = fields.Integer(metadata={"description": "字节数"})
    created_at = fields.DateTime()
    url = fields.Function(
        lambda a: f"/api/v1/finance/confirmations/{a.confirmation_id}/attachments/{a.id}",
        metadata={"description": "下载地址"},
    )


class FinanceDetailSchema(FinanceConfirmationSchema):
    steps = fields.Method("_steps")
    attachments = fields.Method("_attachments", metadata={"description": "申请时提交的附件"})

    def _steps(self, obj):
        return FinanceStepSchema(many=True).dump(steps_of(obj))

    def _attachments(self, obj):
        return FinanceAttachmentSchema(many=True).dump(attachments.of(obj))


class FinanceAnswerSchema(Schema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in service.ANSWERED]),
        metadata={"description": "confirmed 全部确认 | partial 部分确认 | disputed 有异议不予确认"},
    )
    confirmed_amount = MoneyField(load_default=None, validate=validate.Range(min=0))
    payment_due_date = fields.Date(load_default=None, metadata={"description": "确认的付款到期日"})
    debtor_code = fields.String(
        load_default=None,
        metadata={"description": "确认时必填：本单位统一社会信用代码（融资机构据此识别债务人）"},
    )
    reason_code = fields.String(
        load_default=None,
        metadata={
            "description": "未确认部分的理由：" + "、".join(f"{r.code} {r.label}" for r in rules.ALLOWED)
        },
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))
    bills_agreed = fields.Boolean(
        load_default=None,
        metadata={
            "description": "合同是否约定可用商业汇票（含供应链票据）或应收账款电子凭证支付（条例第十一条）"
        },
    )
    contract_clause = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "以验收备案或决算审计为付款条件的合同条款（条例第十四条的例外）"},
    )


def steps_of(item: Confirmation) -> list[ConfirmationStep]:
    return list(
        db.session.scalars(
            db.select(ConfirmationStep)
            .where(ConfirmationStep.confirmation_id == item.id)
            .order_by(ConfirmationStep.id)
        )
    )


class AttachmentSchema(Schema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # A PDF, JPEG or PNG by its first bytes, base64-encoded (what the server checks).
    content_base64 = fields.String(
        required=True,
        metadata={
            "pattern": "^(?=JVBERi0|/9j/|iVBORw0KGg[o-r])(?:[A-Za-z0-9+/]{4})*"
            "(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
        },
    )


class ConfirmationFilingSchema(Schema):
    """The body ``service.clean_request`` accepts, for the document (the route reads the body itself)."""

    creditor_name = fields.String(
        required=True, validate=validate.Length(max=200), metadata={"pattern": VISIBLE_TEXT}
    )
    creditor_code = fields.String(required=True, metadata=CREDIT_CODE)
    contact_name = fields.String(
        required=True, validate=validate.Length(max=100), metadata={"pattern": VISIBLE_TEXT}
    )
    contact_phone = fields.String(required=True, metadata={"pattern": PHONE_PATTERN})
    contract_no = fields.String(
        required=True, validate=validate.Length(max=120), metadata={"pattern": VISIBLE_TEXT}
    )
    contract_name = fields.String(validate=validate.Length(max=300))
    invoice_numbers = fields.String(validate=validate.Length(max=2000))
    note = fields.String(validate=validate.Length(max=2000))
    amount = fields.String(
        required=True, metadata={"pattern": AMOUNT_PATTERN, "description": "申请确认金额（元，确切金额）"}
    )
    category = fields.String(validate=validate.OneOf(["goods", "works", "services"]))
    debtor_unit = fields.String(required=True, metadata={"description": "欠款单位的编码或 id"})
    attachments = fields.List(  # the route reads files itself (multipart or base64 JSON): documented here
        fields.Nested(AttachmentSchema),
        validate=validate.Length(max=5),
        metadata={"description": f"{attachments.HINT}（表单上传时为 attachments 文件）"},
    )


def _refused(exc: service.Refused) -> ApiError:
    db.session.rollback()
    if set(exc.errors) == {"debtor_unit"}:
        # Only the debtor named is wrong: a unit the office does not have, not a malformed request.
        return ApiError(404, exc.errors["debtor_unit"][0], errors=exc.errors)
    return ApiError(exc.status, errors=exc.errors)


def _payload() -> tuple[dict, list[tuple[str, bytes]]]:
    try:
        return attachments.from_request()
    except uploads.UploadRefused as exc:
        raise ApiError(exc.status, errors=exc.errors) from exc


@blp.route("/confirmations")
class Confirmations(MethodView):
    @permission("finance.read")
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, FinanceConfirmationSchema(many=True))
    def get(self, args):
        """确权申请（欠款单位只见本单位及下级的；逾期未答复的在前）"""
        stmt = db.select(Confirmation).order_by(Confirmation.due_on, Confirmation.id)
        if args.get("status"):
            stmt = stmt.where(Confirmation.status == args["status"])
        if args.get("overdue"):
            jurisdiction = g.principal.jurisdiction
            from core import clock

            today = clock.today(jurisdiction)
            stmt = stmt.where(Confirmation.status == Status.PENDING, Confirmation.due_on < today)
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("finance.manage")
    @blp.doc(
        requestBody={"required": True, "content": {"application/json": {"schema": ConfirmationFilingSchema}}},
        responses={
            201: {
                "description": "已登记的确权申请",
                "content": {"application/json": {"schema": FinanceDetailSchema}},
            }
        },
    )
    def post(self):
        """清欠办登记企业提交的书面确权申请（字段同公开接口；debtor_unit 为单位编码或 id；附件同公开接口）

        debtor_unit 不是本辖区的单位时答 404（errors 指明 debtor_unit）。
        """
        body, raw_files = _payload()
        jurisdiction = g.principal.jurisdiction
        if jurisdiction is None:
            raise ApiError(404)
        try:
            clean, files = service.clean_with_files(body, jurisdiction, raw_files)
            item = service.create(
                jurisdiction, clean, channel=Channel.OFFICE, actor=current_user(), files=files
            )
        except service.Refused as exc:
            raise _refused(exc) from exc
        db.session.commit()
        return FinanceDetailSchema().dump(item), 201, {"Location": f"/api/v1/finance/confirmations/{item.id}"}


@blp.route("/confirmations/<int:confirmation_id>")
class ConfirmationItem(MethodView):
    @permission("finance.read")
    def get(self, confirmation_id):
        """一件确权申请及其办理过程"""
        item = get_or_404(Confirmation, confirmation_id)
        return FinanceDetailSchema().dump(item), 200, {"ETag": item.etag}


@blp.route("/confirmations/<int:confirmation_id>/attachments")
class Attachments(MethodView):
    @permission("finance.read")
    @blp.response(200, FinanceAttachmentSchema(many=True))
    def get(self, confirmation_id):
        """申请附件（合同、发票等；欠款单位及其上级和清欠办可见）"""
        return attachments.of(get_or_404(Confirmation, confirmation_id))


@blp.route("/confirmations/<int:confirmation_id>/attachments/<int:confirmation_attachment_id>")
class AttachmentItem(MethodView):
    @permission("finance.read")
    @blp.doc(
        **download_doc("application/pdf", "image/jpeg", "image/png", description="附件（按上传时识别的类型）")
    )
    def get(self, confirmation_id, confirmation_attachment_id):
        """下载申请附件（按上传时识别的类型）"""
        item = get_or_404(Confirmation, confirmation_id)
        row = get_or_404(ConfirmationAttachment, confirmation_attachment_id)
        if row.confirmation_id != item.id:
            raise ApiError(404)
        return attachments.download(row)


@blp.route("/confirmations/<int:confirmation_id>/answer")
class Answer(MethodView):
    @permission("finance.answer")
    @blp.arguments(FinanceAnswerSchema)
    def post(self, args, confirmation_id):
        """欠款单位答复：全部确认、部分确认（其余说明理由）或有异议不予确认；条例第十四条所列理由不予接受"""
        item = get_or_404(Confirmation, confirmation_id)
        try:
            service.answer(item, args, actor=current_user())
        except service.Refused as exc:
            raise _refused(exc) from exc
        db.session.commit()
        return FinanceDetailSchema().dump(item), 200, {"ETag": item.etag}


class MetricsArgs(Schema):
    as_of = fields.Date(load_default=None, metadata={"description": "统计截至日期，默认今天"})


@blp.route("/metrics")
class Metrics(MethodView):
    @permission("finance.referrals.read")
    @blp.arguments(MetricsArgs, location="query")
    def get(self, args):
        """确权与融资统计：申请、按期答复、平均确认天数、确认金额、融资金额、服务企业数，逾期单位排名"""
        from core import clock
        from plugins.finance.confirmations.metrics import figures

        return figures(args["as_of"] or clock.today(g.principal.jurisdiction))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def letter_response(item: Confirmation):
    from flask import send_file

    from plugins.finance.confirmations import letter

    if item.status not in (Status.CONFIRMED, Status.PARTIAL):
        raise ApiError(409, "欠款单位确认后才有确认函")
    url = request.host_url.rstrip("/") + f"/public/{jurisdiction_code(item)}/finance/verify"
    return send_file(
        io.BytesIO(letter.to_docx(item, url)),
        mimetype=DOCX,
        as_attachment=True,
        download_name=f"应收账款确认函{item.confirmation_no}.docx",
    )


def jurisdiction_code(item: Confirmation) -> str:
    from core.tenancy.models import TenantNode

    node = db.session.get(TenantNode, item.jurisdiction_id)
    return node.code if node is not None else ""


@blp.route("/confirmations/<int:confirmation_id>/letter.docx")
class Letter(MethodView):
    @permission("finance.read")
    def get(self, confirmation_id):
        """应收账款确认函（Word，含确认编号和核验码）"""
        return letter_response(get_or_404(Confirmation, confirmation_id))


@blp.route("/reasons")
class Reasons(MethodView):
    @permission("finance.read")
    def get(self):
        """不予确认的理由：可选的，以及条例第十四条禁止的"""
        return [
            {"code": r.code, "label": r.label, "banned": r.banned, "unless_contract": r.unless_contract}
            for r in rules.REASONS
        ]


# --- Public ---------------------------------------------------------------------------------------------


def limit(rule: ratelimit.Limit) -> None:
    verdict = ratelimit.hit(rule, request.remote_addr or "unknown")
    if not verdict:
        raise too_many_requests(verdict.retry_after)


def file_public_request(data: dict, raw_files: list[tuple[str, bytes]] = ()):
    """Check and file a public request with its attachments; returns the tracking code (API and page)."""
    jurisdiction = service.public_jurisdiction(str(data.get("jurisdiction") or ""))
    if jurisdiction is None:
        raise ApiError(404)
    if str(data.get(HONEYPOT) or "").strip():
        # A bot filled the hidden field: answer like a success so it learns nothing, keep nothing.
        return service.new_tracking_code()
    jurisdiction_id = jurisdiction.id
    # A public request has no user: it is written in the jurisdiction's own scope.
    with scope_context(Scope(jurisdiction_id=jurisdiction_id)):
        try:
            clean, files = service.clean_with_files(data, jurisdiction, list(raw_files))
            item = service.create(jurisdiction, clean, files=files)
        except service.Refused:
            db.session.rollback()
            raise
        code = item.tracking_code
        db.session.commit()
    return code


@public_blp.route("/finance/confirmations")
class PublicRequest(MethodView):
    @public
    def post(self):
        """中小企业申请应收账款确权（JSON 或表单，jurisdiction 辖区编码，debtor_unit 单位编码）

        附件：表单用 attachments 文件字段，JSON 用 attachments: [{filename, content_base64}]；按文件内容识别，
        只收 PDF、JPEG、PNG，最多5个，每个不超过5MB（过大答 413）。
        """
        limit(REQUEST_LIMIT)
        data, raw_files = _payload()
        try:
            code = file_public_request(data, raw_files)
        except service.Refused as exc:
            raise ApiError(exc.status, errors=exc.errors) from exc
        return {"tracking_code": code, "message": "确权申请已提交，请妥善保存查询码"}, 201


@public_blp.route("/finance/confirmations/status")
class PublicStatus(MethodView):
    @public
    def post(self):
        """凭查询码和联系电话后四位查询确权申请的答复"""
        limit(LOOKUP_LIMIT)
        data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(data, dict):
            raise ApiError(404, NOT_FOUND)
        return lookup_status(data)


def lookup_status(data: dict) -> dict:
    jurisdiction = service.public_jurisdiction(str(data.get("jurisdiction") or ""))
    if jurisdiction is None:
        raise ApiError(404, NOT_FOUND)
    with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
        item = service.lookup(
            jurisdiction.id, str(data.get("tracking_code") or ""), str(data.get("phone_last4") or "")
        )
        if item is None:
            raise ApiError(404, NOT_FOUND)
        return service.public_status(item)


@public_blp.route("/finance/verify")
class PublicVerify(MethodView):
    @public
    def post(self):
        """核验应收账款确认函：凭核验码返回真伪、确认编号、确认金额和日期（不含任何个人信息）"""
        limit(LOOKUP_LIMIT)
        data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(data, dict):
            raise ApiError(400, "请求体应为 JSON 对象或表单")
        return verify_letter(str(data.get("jurisdiction") or ""), str(data.get("verification_code") or ""))


def verify_letter(code: str, verification_code: str) -> dict:
    jurisdiction = service.public_jurisdiction(code)
    if jurisdiction is None:
        raise ApiError(404)
    with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
        return service.verify(jurisdiction.id, verification_code)


@public_blp.route("/finance/confirmations/letter.docx")
class PublicLetter(MethodView):
    @public
    def post(self):
        """申请企业凭查询码和联系电话后四位下载确认函"""
        limit(LOOKUP_LIMIT)
        data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        if not isinstance(data, dict):
            raise ApiError(404, NOT_FOUND)
        jurisdiction = service.public_jurisdiction(str(data.get("jurisdiction") or ""))
        if jurisdiction is None:
            raise ApiError(404, NOT_FOUND)
        with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
            item = service.lookup(
                jurisdiction.id, str(data.get("tracking_code") or ""), str(data.get("phone_last4") or "")
            )
            if item is None:
                raise ApiError(404, NOT_FOUND)
            return letter_response(item)


@public_blp.route("/<jurisdiction_code>/finance/debtors")
class PublicDebtors(MethodView):
    @public
    def get(self, jurisdiction_code):
        """可申请确权的本辖区单位（编码和名称）"""
        jurisdiction = service.public_jurisdiction(jurisdiction_code)
        if jurisdiction is None:
            raise ApiError(404)
        with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
            return [{"code": u.code, "name": u.name} for u in service.debtor_units(jurisdiction.id)]
