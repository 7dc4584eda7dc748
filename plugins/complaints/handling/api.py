"""/api/v1/complaints: staff channels, triage, transfer, deadlines, outcome, payments, board."""

from __future__ import annotations

from flask import Response, g, request
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate

from core.api import ANY_FILE, download_doc, missing_reference
from core.api.base import ApiError, Blueprint, get_or_404
from core.api.money import Money
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.models import TenantNode
from plugins.complaints.handling import access, serialize, service
from plugins.complaints.intake import service as intake
from plugins.complaints.intake.body_doc import StaffComplaintFilingSchema, created_doc, request_body
from plugins.complaints.models import (
    CHANNEL_LABELS,
    OUT_OF_SCOPE_REASONS,
    ROUTE_LABELS,
    TRIAGE_CATEGORIES,
    Channel,
    Complaint,
    ComplaintAttachment,
    ComplaintDebtLink,
    ConfidentialNote,
    Outcome,
    Status,
)

blp = Blueprint(
    "complaints_api", __name__, url_prefix="/complaints", description="线索投诉核查：受理、转办、办理、反馈"
)

STAFF_CHANNELS = [c.value for c in Channel if c != Channel.PUBLIC]


class TriageSchema(Schema):
    in_scope = fields.Boolean(required=True)
    reason = fields.String(validate=validate.OneOf(list(OUT_OF_SCOPE_REASONS)), allow_none=True)
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)
    debtor_unit_id = fields.Integer(allow_none=True)


class DecisionSchema(Schema):
    category = fields.String(validate=validate.OneOf(list(TRIAGE_CATEGORIES)), allow_none=True)
    override_reason = fields.String(validate=validate.Length(max=2000), allow_none=True)
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)
    debtor_unit_id = fields.Integer(allow_none=True)
    info_request = fields.String(validate=validate.Length(max=2000), allow_none=True)


class DebtorSchema(Schema):
    unit_id = fields.Integer(required=True)


class TransferSchema(Schema):
    unit_id = fields.Integer(required=True)
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class ExtensionSchema(Schema):
    result_due = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class OutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in Outcome]))
    detail = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    route = fields.String(validate=validate.OneOf(list(ROUTE_LABELS)), allow_none=True)
    payment_deadline = fields.Date(allow_none=True)


class PaymentSchema(Schema):
    amount = Money(required=True)
    paid_on = fields.Date(required=True)


class NoteSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def load(schema: Schema) -> dict:
    """Validate after the case lookup, so another tenant's id answers 404 whatever the body holds."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "请求体应为 JSON 对象")
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise ApiError(422, errors=exc.messages) from exc


def run(step):
    try:
        result = step()
    except service.CaseRefused as exc:
        raise ApiError(422, errors=exc.errors) from exc
    db.session.commit()
    return result


def visible_unit(unit_id: int | None, field: str) -> TenantNode | None:
    if unit_id is None:
        return None
    unit = db.session.scalar(db.select(TenantNode).where(TenantNode.id == unit_id))
    if unit is None:
        raise missing_reference(field, "单位不存在或不在您的权限范围内")
    return unit


def case_or_404(complaint_id: int) -> Complaint:
    return get_or_404(Complaint, complaint_id)


@blp.route("")
class ComplaintList(MethodView):
    @permission("complaints.read")
    def get(self):
        """列出本人可见的投诉线索（status、channel、overdue=1、debt=台账欠款id 筛选）"""
        stmt = db.select(Complaint).order_by(Complaint.id.desc())
        if request.args.getlist("status"):
            stmt = stmt.where(Complaint.status.in_(request.args.getlist("status")))
        if request.args.get("channel"):
            stmt = stmt.where(Complaint.channel == request.args["channel"])
        if request.args.get("debt", "").isdigit():
            # The way back from a ledger debt to the case(s) it came from.
            linked = db.select(ComplaintDebtLink.complaint_id).where(
                ComplaintDebtLink.debt_id == int(request.args["debt"])
            )
            stmt = stmt.where(Complaint.id.in_(linked))
        rows = list(db.session.scalars(stmt.limit(500)))
        if request.args.get("overdue") in ("1", "true"):
            rows = [r for r in rows if service.is_overdue(r)]
        return [serialize.summary(r) for r in rows]

    @permission("complaints.manage")
    @blp.doc(
        **request_body(
            StaffComplaintFilingSchema, "application/json", created=created_doc("已登记的线索（详情）")
        )
    )
    def post(self):
        """登记其他渠道的线索（热线、国家平台、审计、巡视、督导），注明来源"""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, "请求体应为 JSON 对象")
        channel = body.get("channel")
        if channel not in STAFF_CHANNELS:
            raise ApiError(
                422,
                errors={
                    "channel": [
                        "来源应为：" + "、".join(CHANNEL_LABELS[c] for c in Channel if c in STAFF_CHANNELS)
                    ]
                },
            )
        jurisdiction = g.principal.jurisdiction
        try:
            clean = intake.clean_complaint(body)
        except intake.IntakeRefused as exc:
            raise ApiError(exc.status, errors=exc.errors) from exc
        complaint = intake.create_complaint(jurisdiction, clean, channel=channel, actor=current_user())
        db.session.commit()
        return serialize.detail(complaint), 201, {"Location": f"/api/v1/complaints/{complaint.id}"}


@blp.route("/board")
class Board(MethodView):
    @permission("complaints.read")
    def get(self):
        """看板：收到、办理中、逾期、办结，平均办理天数，按单位；同一单位被重复投诉的突出显示"""
        return service.board()


@blp.route("/<int:complaint_id>")
class ComplaintItem(MethodView):
    @permission("complaints.read")
    def get(self, complaint_id):
        """查看投诉线索（含办理过程、台账欠款状态；联系方式仅清欠办和承办单位可见）"""
        return serialize.detail(case_or_404(complaint_id))


@blp.route("/<int:complaint_id>/triage")
class Triage(MethodView):
    @permission("complaints.manage")
    def post(self, complaint_id):
        """核查：受理，或说明理由不予受理（理由告知投诉人）"""
        c = case_or_404(complaint_id)
        data = load(TriageSchema())
        if not data["in_scope"] and not data.get("reason"):
            raise ApiError(422, errors={"reason": ["请选择不予受理的理由"]})
        debtor = visible_unit(data.get("debtor_unit_id"), "debtor_unit_id")
        run(
            lambda: service.triage(
                c,
                in_scope=data["in_scope"],
                reason=data.get("reason"),
                note=data.get("note"),
                debtor_unit=debtor,
                actor=current_user(),
            )
        )
        return serialize.detail(c)


@blp.route("/<int:complaint_id>/decision")
class Decision(MethodView):
    @permission("complaints.manage")
    def post(self, complaint_id):
        """按系统建议一键核查（不传 category），或改选结论并说明理由（不采纳的理由留存，计入建议命中率）"""
        c = case_or_404(complaint_id)
        data = load(DecisionSchema())
        debtor = visible_unit(data.get("debtor_unit_id"), "debtor_unit_id")
        run(
            lambda: service.decide(
                c,
                category=data.get("category"),
                override_reason=data.get("override_reason"),
                note=data.get("note"),
                debtor_unit=debtor,
                info_request=data.get("info_request"),
                actor=current_user(),
            )
        )
        return serialize.detail(c)


@blp.route("/<int:complaint_id>/debtor")
class DebtorView(MethodView):
    @permission("complaints.manage")
    def post(self, complaint_id):
        """确认或更正欠款单位（投诉人写法不同的，记为该单位的别名，下次自动识别）"""
        c = case_or_404(complaint_id)
        data = load(DebtorSchema())
        unit = visible_unit(data["unit_id"], "unit_id")
        run(lambda: service.confirm_debtor(c, unit, actor=current_user()))
        return serialize.detail(c)


@blp.route("/<int:complaint_id>/transfer")
class Transfer(MethodView):
    @permission("complaints.manage")
    def post(self, complaint_id):
        """转办至承办单位（办理期限按方案计算）"""
        c = case_or_404(complaint_id)
        data = load(TransferSchema())
        unit = visible_unit(data["unit_id"], "unit_id")
        run(lambda: service.transfer(c, unit, actor=current_user(), note=data.get("note")))
        return serialize.detail(c)


@blp.route("/<int:complaint_id>/extension")
class Extension(MethodView):
    @permission("complaints.handle")
    def post(self, complaint_id):
        """延长办理期限（只能延长一次，须说明理由，最长不超过方案规定天数）"""
        c = case_or_404(complaint_id)
        access.require_at("complaints.handle", db.session.get(TenantNode, c.unit_id))
        data = load(ExtensionSchema())
        run(lambda: service.extend(c, data["result_due"], data["reason"], actor=current_user()))
        return serialize.detail(c)


@blp.route("/<int:complaint_id>/outcome")
class OutcomeView(MethodView):
    @permission("complaints.handle")
    def post(self, complaint_id):
        """承办单位反馈核查结果：无争议（付款期限）、有争议（说明与解决途径）、不予支持（理由）"""
        c = case_or_404(complaint_id)
        access.require_at("complaints.handle", db.session.get(TenantNode, c.unit_id))
        data = load(OutcomeSchema())
        run(
            lambda: service.record_outcome(
                c,
                outcome=data["outcome"],
                detail=data["detail"],
                route=data.get("route"),
                payment_deadline=data.get("payment_deadline"),
                actor=current_user(),
            )
        )
        return serialize.detail(c)


@blp.route("/<int:complaint_id>/payments")
class Payments(MethodView):
    @permission("complaints.handle")
    def post(self, complaint_id):
        """登记付款（记入关联的台账欠款；清偿完毕后案件办结）"""
        c = case_or_404(complaint_id)
        access.require_at("complaints.handle", db.session.get(TenantNode, c.unit_id))
        data = load(PaymentSchema())
        from decimal import Decimal

        run(lambda: service.record_payment(c, Decimal(data["amount"]), data["paid_on"], actor=current_user()))
        return serialize.detail(c), 201


@blp.route("/<int:complaint_id>/confidential-notes")
class ConfidentialNotes(MethodView):
    @permission("complaints.manage")
    def post(self, complaint_id):
        """记录投诉人反映的打击报复情况（保密，仅清欠办可见）"""
        c = case_or_404(complaint_id)
        if not access.is_office():
            raise ApiError(403, "仅清欠办可记录保密信息")
        data = load(NoteSchema())
        db.session.add(
            ConfidentialNote(
                jurisdiction_id=c.jurisdiction_id,
                unit_id=c.jurisdiction_id,
                complaint_id=c.id,
                text=data["text"],
            )
        )
        db.session.commit()
        return {"ok": True}, 201


@blp.route("/<int:complaint_id>/attachments/<int:attachment_id>")
class Attachment(MethodView):
    @permission("complaints.read")
    @blp.doc(**download_doc(ANY_FILE, description="附件（按上传时的类型）"))
    def get(self, complaint_id, attachment_id):
        """下载附件"""
        c = case_or_404(complaint_id)
        a = get_or_404(ComplaintAttachment, attachment_id)
        if a.complaint_id != c.id:
            raise ApiError(404)
        return Response(
            a.data,
            mimetype=a.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(a.filename)}",
                "X-Content-Type-Options": "nosniff",
            },
        )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


__all__ = ["Status", "blp"]
