"""/api/v1/prevention/reviews: contract review before signing, answers to findings, signing, opinion."""

from __future__ import annotations

import io

from flask import request, send_file
from flask.views import MethodView

from core.api import download_doc, missing_reference
from core.api.base import ApiError, Blueprint, get_or_404, paginate, require_if_match
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.isolation import visible
from plugins.prevention.common import API_PREFIX, require_write, writable_unit
from plugins.prevention.errors import Refused
from plugins.prevention.projects.models import Project
from plugins.prevention.reviews import documents, service
from plugins.prevention.reviews.models import ContractReview, ReviewDocument
from plugins.prevention.reviews.schemas import (
    ReviewAnswerSchema,
    ReviewDocumentSchema,
    ReviewQuerySchema,
    ReviewSchema,
    ReviewSignSchema,
    ReviewTermsSchema,
    ReviewUpdateSchema,
    ReviewWriteSchema,
)

blp = Blueprint(
    "prevention_reviews",
    __name__,
    url_prefix=f"{API_PREFIX}/reviews",
    description="源头治理：合同签订前审查（付款期限、背靠背、审计条件、承兑汇票、保证金、垫资）",
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _prepare(data: dict, unit_id: int) -> dict:
    """Terms stored as JSON (decimals as strings); a named project must be the same unit's."""
    if "terms" in data:
        data["terms"] = ReviewTermsSchema().dump(data["terms"])
    if data.get("project_id") is not None:
        project = visible(Project, data["project_id"])
        if project is None or project.unit_id != unit_id:
            raise missing_reference("project_id", "项目不存在或不属于该单位")
    return data


def _refused(func):
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except service.ReviewRefused as exc:
            db.session.rollback()
            raise ApiError(422, errors=exc.errors) from exc

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    wrapper.__dict__.update(func.__dict__)
    return wrapper


@blp.route("")
class Reviews(MethodView):
    @permission("prevention.read")
    @blp.arguments(ReviewQuerySchema, location="query")
    @blp.response(200, ReviewSchema(many=True))
    def get(self, args):
        """合同审查记录，最新在前；可按状态筛选（problems 待整改 / clean 通过 / signed 已签订）"""
        stmt = db.select(ContractReview).order_by(ContractReview.id.desc())
        if args.get("status"):
            stmt = stmt.where(ContractReview.status == args["status"])
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("prevention.write")
    @blp.arguments(ReviewWriteSchema)
    @blp.response(201, ReviewSchema)
    def post(self, data):
        """提交合同主要条款进行审查，返回每个问题及其条文依据和建议表述"""
        unit = writable_unit(data.pop("unit_id", None))
        review = service.create(unit, _prepare(data, unit.id), current_user())
        db.session.commit()
        return review, 201, {"ETag": review.etag, "Location": f"/api/v1/prevention/reviews/{review.id}"}


@blp.route("/<int:review_id>")
class ReviewItem(MethodView):
    @permission("prevention.read")
    @blp.response(200, ReviewSchema)
    def get(self, review_id):
        """一份合同审查：条款、审查意见、单位说明和审查记录"""
        review = get_or_404(ContractReview, review_id)
        return review, 200, {"ETag": review.etag}

    @permission("prevention.write")
    @blp.arguments(ReviewUpdateSchema(partial=True))
    @blp.response(200, ReviewSchema)
    @_refused
    def patch(self, data, review_id):
        """修改条款（整改）后重新审查；已不存在的问题计为已整改。须带 If-Match"""
        review = get_or_404(ContractReview, review_id)
        require_write(review)
        require_if_match(review)
        service.update(review, _prepare(data, review.unit_id), current_user())
        db.session.commit()
        return review, 200, {"ETag": review.etag}


@blp.route("/<int:review_id>/answers")
class ReviewAnswers(MethodView):
    @permission("prevention.write")
    @blp.arguments(ReviewAnswerSchema)
    @blp.response(200, ReviewSchema)
    @_refused
    def post(self, data, review_id):
        """单位对某条审查意见作出书面说明（保留该条款的理由），记入审查记录"""
        review = get_or_404(ContractReview, review_id)
        require_write(review)
        service.answer(review, data["code"], data["note"], current_user())
        db.session.commit()
        return review, 200, {"ETag": review.etag}


@blp.route("/<int:review_id>/sign")
class ReviewSign(MethodView):
    @permission("prevention.write")
    @blp.arguments(ReviewSignSchema)
    @blp.response(200, ReviewSchema)
    @_refused
    def post(self, data, review_id):
        """登记合同签订：所有审查意见均已整改或说明后方可登记；签订后审查记录保留、不再修改"""
        review = get_or_404(ContractReview, review_id)
        require_write(review)
        service.sign(review, data["signed_on"], data.get("contract_no"), current_user())
        db.session.commit()
        return review, 200, {"ETag": review.etag}


@blp.route("/<int:review_id>/opinion.docx")
class ReviewOpinion(MethodView):
    @permission("prevention.read")
    @blp.doc(**download_doc(DOCX, description="合同审查意见书"))
    def get(self, review_id):
        """合同审查意见书（Word）"""
        from plugins.prevention.reviews.opinion import opinion_docx

        review = get_or_404(ContractReview, review_id)
        data = opinion_docx(review)
        name = f"合同审查意见书-{review.title}.docx"
        return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True, download_name=name)


@blp.route("/<int:review_id>/documents")
class ReviewDocuments(MethodView):
    @permission("prevention.write")
    @blp.response(201, ReviewDocumentSchema)
    def post(self, review_id):
        """上传合同文本（Word .docx 或 PDF，表单字段 file，不超过10MB），按文件内容核验类型"""
        review = get_or_404(ContractReview, review_id)
        require_write(review)
        if review.status == "signed":
            raise ApiError(422, errors={"status": ["合同已签订，审查记录不再修改"]})
        upload = request.files.get("file")
        data = upload.stream.read(documents.MAX_BYTES + 1) if upload else b""
        try:
            document = documents.attach(review, upload.filename if upload else "", data, current_user())
        except Refused as exc:
            db.session.rollback()
            raise ApiError(413 if len(data) > documents.MAX_BYTES else 422, errors=exc.errors) from exc
        db.session.commit()
        return document, 201


@blp.route("/<int:review_id>/documents/<int:review_document_id>")
class ReviewDocumentItem(MethodView):
    @permission("prevention.read")
    @blp.doc(**download_doc(documents.DOCX, documents.PDF, description="合同文本（按上传时的类型）"))
    def get(self, review_id, review_document_id):
        """下载上传的合同文本"""
        document = get_or_404(ReviewDocument, review_document_id)
        if document.review_id != review_id:
            raise ApiError(404)
        return send_file(
            io.BytesIO(document.data),
            mimetype=document.content_type,
            as_attachment=True,
            download_name=document.filename,
        )
