"""/api/v1/public/...: complaint intake, status lookup and debtor suggestions, without an account."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from core.api.base import ApiError, Blueprint, too_many_requests
from core.auth import ratelimit
from core.auth.permissions import public
from core.extensions import db
from core.tenancy.scope import Scope, scope_context
from plugins.complaints.intake import security, service
from plugins.complaints.intake.body_doc import (
    TRACKING,
    PublicComplaintFilingSchema,
    created_doc,
    request_body,
)

blp = Blueprint(
    "complaints_public",
    __name__,
    url_prefix="/public",
    description="公开接口：中小企业投诉受理与进度查询（免登录）",
)

# Per address: a few filings an hour, more lookups, many keystroke suggestions.
INTAKE_LIMIT = ratelimit.Limit("complaints-intake", max_hits=5, window_seconds=3600)
LOOKUP_LIMIT = ratelimit.Limit("complaints-lookup", max_hits=20, window_seconds=600)
SUGGEST_LIMIT = ratelimit.Limit("complaints-suggest", max_hits=120, window_seconds=600)
HONEYPOT = "website"
NOT_FOUND = "未找到与查询码和手机号后四位相符的投诉，请核对后重试"


def client_address() -> str:
    """The client's address; behind trusted proxies, as they forwarded it (core.auth.proxies)."""
    return request.remote_addr or "unknown"


def limit(rule: ratelimit.Limit) -> None:
    verdict = ratelimit.hit(rule, client_address())
    if not verdict:
        raise too_many_requests(verdict.retry_after)


def _payload() -> tuple[dict, list[tuple[str, bytes]]]:
    if (request.content_length or 0) > security.MAX_REQUEST_BYTES:
        raise ApiError(413)
    if request.mimetype == "multipart/form-data" or request.mimetype == "application/x-www-form-urlencoded":
        data = request.form.to_dict()
        files = []
        for item in request.files.getlist("attachments"):
            if not item or not item.filename:
                continue
            content = item.stream.read(security.MAX_ATTACHMENT_BYTES + 1)
            files.append((item.filename, content))
        return data, files
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "请求体应为 JSON 对象或表单")
    return data, service.decode_json_attachments(data.get("attachments"))


def _jurisdiction_or_404(code: str):
    node = service.public_jurisdiction(code)
    if node is None:
        raise ApiError(404)
    return node


@blp.route("/complaints")
class PublicComplaints(MethodView):
    @public
    @blp.doc(
        **request_body(
            PublicComplaintFilingSchema,
            "application/json",
            "application/x-www-form-urlencoded",
            created=created_doc("投诉已提交：查询码", TRACKING),
        )
    )
    def post(self):
        """提交投诉（表单或 JSON；jurisdiction 为辖区编码；返回查询码）"""
        limit(INTAKE_LIMIT)
        try:
            data, raw_files = _payload()
        except service.IntakeRefused as exc:
            raise ApiError(exc.status, errors=exc.errors) from exc
        jurisdiction = _jurisdiction_or_404(str(data.get("jurisdiction") or ""))
        if str(data.get(HONEYPOT) or "").strip():
            # A bot filled the hidden field: answer like a success so it learns nothing, keep nothing.
            return {"tracking_code": security.new_tracking_code(), "message": "投诉已提交"}, 201
        try:
            clean = service.clean_complaint(data)
            files = service.check_attachments(raw_files)
        except service.IntakeRefused as exc:
            raise ApiError(exc.status, errors=exc.errors) from exc
        from plugins.complaints.handling.service import notify_received

        # A public request has no user: the filing is written in the jurisdiction's own scope.
        jurisdiction_id = jurisdiction.id
        with scope_context(Scope(jurisdiction_id=jurisdiction_id)):
            complaint = service.create_complaint(jurisdiction, clean, files=files)
            code = complaint.tracking_code
            hint = service.debtor_hint(complaint, jurisdiction)
            notify_received(jurisdiction_id, code)
            db.session.commit()
        body = {"tracking_code": code, "message": "投诉已提交，请妥善保存查询码"}
        if hint:
            body["debtor_hint"] = hint
        return body, 201


@blp.route("/complaints/status")
class PublicStatus(MethodView):
    @public
    def post(self):
        """凭查询码和联系电话后四位查询投诉办理进度（只返回状态、日期和处理结果）"""
        limit(LOOKUP_LIMIT)
        data = request.get_json(silent=True) or request.form.to_dict()
        if not isinstance(data, dict):
            raise ApiError(404, NOT_FOUND)
        jurisdiction = service.public_jurisdiction(str(data.get("jurisdiction") or ""))
        if jurisdiction is None:
            raise ApiError(404, NOT_FOUND)
        with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
            complaint = service.lookup(
                jurisdiction.id, str(data.get("tracking_code") or ""), str(data.get("phone_last4") or "")
            )
            if complaint is None:
                raise ApiError(404, NOT_FOUND)
            return service.public_status(complaint)


@blp.route("/complaints/info")
class PublicInfo(MethodView):
    @public
    def post(self):
        """投诉人凭查询码和联系电话后四位补充材料（reply 说明，可补 amount 金额、debtor 被投诉单位）"""
        limit(LOOKUP_LIMIT)
        data = request.get_json(silent=True) or request.form.to_dict()
        if not isinstance(data, dict):
            raise ApiError(404, NOT_FOUND)
        jurisdiction = service.public_jurisdiction(str(data.get("jurisdiction") or ""))
        if jurisdiction is None:
            raise ApiError(404, NOT_FOUND)
        from plugins.complaints.handling import service as handling

        with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
            complaint = service.lookup(
                jurisdiction.id, str(data.get("tracking_code") or ""), str(data.get("phone_last4") or "")
            )
            if complaint is None:
                raise ApiError(404, NOT_FOUND)
            debtor = data.get("debtor")
            try:
                handling.supply_info(
                    complaint,
                    str(data.get("reply") or ""),
                    amount=data.get("amount"),
                    debtor=None if debtor is None else str(debtor),
                )
            except handling.CaseRefused as exc:
                raise ApiError(422, errors=exc.errors) from exc
            out = service.public_status(complaint)
            db.session.commit()
            return out


@blp.route("/<jurisdiction_code>/units")
class PublicUnits(MethodView):
    @public
    def get(self, jurisdiction_code):
        """按名称联想本辖区的单位（只返回名称）"""
        limit(SUGGEST_LIMIT)
        jurisdiction = _jurisdiction_or_404(jurisdiction_code)
        query = (request.args.get("q") or "").strip()[:100]
        if not query:
            return {"names": []}
        with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
            rows = service.suggest_units(jurisdiction.id, query)
        names = [c.name for c in rows]
        # The visitor typed a unit's exact name: they found it, offering others would only distract.
        return {"names": [] if query in names else names}
