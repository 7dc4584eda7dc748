"""/api/v1/agreements: classification, dispute tracks, agreements, installments, payments and reversals."""

from __future__ import annotations

from types import SimpleNamespace

from flask import request, send_file
from flask.views import MethodView

from core import clock
from core.api import ANY_FILE, download_doc, missing_reference
from core.api.base import ApiError, Blueprint, get_or_404, paginate
from core.api.debts import _require_write_at, domain_errors
from core.api.schemas import ReversalSchema
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import Debt, Payment
from core.rules.validation import ValidationFailed
from plugins.agreements.clearance import interest, scans, service
from plugins.agreements.clearance.models import Agreement, Classification, Installment
from plugins.agreements.clearance.schemas import (
    AgreementCreateSchema,
    AgreementQuerySchema,
    AgreementSchema,
    AsOfSchema,
    ClassificationSchema,
    ClassifySchema,
    DisputeStepSchema,
    InstallmentPaymentSchema,
    InterestStatementSchema,
    SignSchema,
)

blp = Blueprint(
    "agreements_clearance",
    __name__,
    url_prefix="/agreements",
    description="化解：欠款分类、还款协议、分期付款",
)


def plugin_errors(func):
    """Core's domain errors → 422, plus the plugin's conflicts → 409."""
    inner = domain_errors(func)

    def wrapper(*args, **kwargs):
        try:
            return inner(*args, **kwargs)
        except service.Conflict as exc:
            raise ApiError(409, exc.message) from exc

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    wrapper.__dict__.update(func.__dict__)
    return wrapper


def _with_payable(row):
    row.undisputed_payable = max(row.debt.undisputed_amount - row.debt.paid_amount, 0)
    return row


@blp.route("/debts/<int:debt_id>/classification")
class DebtClassification(MethodView):
    @permission("agreements.read")
    @blp.response(200, ClassificationSchema)
    def get(self, debt_id):
        """该笔欠款的分类（无分歧/确有困难/有分歧）、清偿期限与争议处理记录"""
        debt = get_or_404(Debt, debt_id)
        row = service.classification_of(debt.id)
        if row is None:
            # Not classified yet is a state of the debt, not a missing resource: answer it with a null class.
            row = SimpleNamespace(
                id=None,
                debt_id=debt.id,
                unit_id=debt.unit_id,
                debt_class=None,
                class_label="未分类",
                confirmed_on=None,
                pay_by=None,
                agreement_by=None,
                reason=None,
                steps=[],
                debt=debt,
            )
        return _with_payable(row)

    @permission("agreements.write")
    @blp.arguments(ClassifySchema)
    @blp.response(200, ClassificationSchema)
    @plugin_errors
    def put(self, data, debt_id):
        """对已确认的欠款分类：无分歧的立即清偿；确有困难的须在期限前签订还款协议；有分歧的走协商、调解或法律途径"""
        debt = get_or_404(Debt, debt_id)
        _require_write_at(debt.unit, "agreements.write")
        row = service.classify(debt, data, actor=current_user())
        db.session.commit()
        return _with_payable(row)


@blp.route("/classifications/<int:classification_id>/steps")
class DisputeSteps(MethodView):
    @permission("agreements.write")
    @blp.arguments(DisputeStepSchema)
    @blp.response(201, DisputeStepSchema)
    @plugin_errors
    def post(self, data, classification_id):
        """记录有分歧欠款的一个处理步骤（协商、调解、仲裁或诉讼），含日期与结果"""
        row = get_or_404(Classification, classification_id)
        _require_write_at(row.debt.unit, "agreements.write")
        step = service.add_step(row, data, actor=current_user())
        db.session.commit()
        return step


@blp.route("/missing-plans")
class MissingPlans(MethodView):
    @permission("agreements.progress.read")
    @blp.arguments(AsOfSchema, location="query")
    def get(self, args):
        """超过方案期限仍未签订还款协议的单位（确有支付困难的欠款）"""
        from core.auth.context import current_principal

        jurisdiction = current_principal().jurisdiction
        if jurisdiction is None:
            raise ApiError(404)
        result = service.missing_plans(jurisdiction, args.get("as_of"))
        return _jsonable(result)


def _jsonable(value):
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@blp.route("/agreements")
class AgreementList(MethodView):
    @permission("agreements.read")
    @blp.arguments(AgreementQuerySchema, location="query")
    @blp.response(200, AgreementSchema(many=True))
    def get(self, args):
        """还款协议列表（分页）"""
        stmt = db.select(Agreement).order_by(Agreement.id.desc())
        if args.get("status"):
            stmt = stmt.where(Agreement.status == args["status"])
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("agreements.write")
    @blp.arguments(AgreementCreateSchema)
    @blp.response(201, AgreementSchema)
    @plugin_errors
    def post(self, data):
        """登记还款协议：各期金额合计须等于协议金额；晚于最终清偿期限的须书面说明理由（不得以条例第十四条所列理由拖延）"""
        debt = db.session.get(Debt, data.pop("debt_id"))
        if debt is None or db.session.scalar(db.select(Debt.id).where(Debt.id == debt.id)) is None:
            raise missing_reference("debt_id", "欠款不存在或不在您的权限范围内")
        _require_write_at(debt.unit, "agreements.write")
        agreement, warnings = service.create_agreement(debt, data, actor=current_user())
        db.session.commit()
        agreement.warnings = [w.as_dict() for w in warnings]
        return (
            agreement,
            201,
            {"ETag": agreement.etag, "Location": f"/api/v1/agreements/agreements/{agreement.id}"},
        )


@blp.route("/agreements/<int:agreement_id>")
class AgreementItem(MethodView):
    @permission("agreements.read")
    @blp.response(200, AgreementSchema)
    def get(self, agreement_id):
        """查看还款协议及各期履行情况"""
        agreement = get_or_404(Agreement, agreement_id)
        return agreement, 200, {"ETag": agreement.etag}


@blp.route("/agreements/<int:agreement_id>/sign")
class AgreementSign(MethodView):
    @permission("agreements.write")
    @blp.arguments(SignSchema)
    @blp.response(200, AgreementSchema)
    @plugin_errors
    def post(self, data, agreement_id):
        """登记协议签订日期（协议生效）"""
        agreement = get_or_404(Agreement, agreement_id)
        _require_write_at(agreement.debt.unit, "agreements.write")
        service.sign(agreement, data["signed_on"], actor=current_user())
        db.session.commit()
        return agreement


@blp.route("/agreements/<int:agreement_id>/scan")
class AgreementScan(MethodView):
    @permission("agreements.read")
    @blp.doc(**download_doc(ANY_FILE, description="协议扫描件（PDF 或图片，按上传时的类型）"))
    def get(self, agreement_id):
        """下载已签协议扫描件（仅限权限范围内）"""
        agreement = get_or_404(Agreement, agreement_id)
        if not agreement.scan_path:
            raise ApiError(404, "该协议尚未上传扫描件")
        try:
            path = scans.path_of(agreement.scan_path)
        except FileNotFoundError as exc:
            raise ApiError(404) from exc
        if not path.exists():
            raise ApiError(404, "扫描件文件不存在")
        return send_file(
            path, mimetype=agreement.scan_mime, as_attachment=True, download_name=agreement.scan_name
        )

    @permission("agreements.write")
    @blp.response(200, AgreementSchema)
    def post(self, agreement_id):
        """上传已签协议扫描件（multipart 字段 file；PDF、JPEG、PNG，按文件内容识别类型，限制大小）"""
        agreement = get_or_404(Agreement, agreement_id)
        _require_write_at(agreement.debt.unit, "agreements.write")
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(422, errors={"file": ["请选择协议扫描件"]})
        data = upload.stream.read(scans.max_bytes() + 1)
        try:
            relative, mime = scans.store(agreement.jurisdiction_id, data, upload.filename or "")
        except ValidationFailed as exc:
            status = 413 if len(data) > scans.max_bytes() else 422
            raise ApiError(status, errors=exc.errors()) from exc
        service.attach_scan(
            agreement, relative, mime, upload.filename or "scan", len(data), actor=current_user()
        )
        db.session.commit()
        return agreement


@blp.route("/installments/<int:installment_id>/payments")
class InstallmentPayments(MethodView):
    @permission("agreements.write")
    @blp.arguments(InstallmentPaymentSchema)
    @blp.response(201, InstallmentPaymentSchema)
    @plugin_errors
    def post(self, data, installment_id):
        """按分期登记付款（记入欠款的付款记录；含农民工工资的须工资优先）"""
        inst = get_or_404(Installment, installment_id)
        _require_write_at(inst.agreement.debt.unit, "agreements.write")
        payment = service.pay_installment(inst, data, actor=current_user())
        db.session.commit()
        return payment


@blp.route("/payments/<int:payment_id>/reversal")
class PaymentReversal(MethodView):
    @permission("agreements.write")
    @blp.arguments(ReversalSchema)
    @blp.response(200, InstallmentPaymentSchema)
    @plugin_errors
    def post(self, data, payment_id):
        """冲正一笔付款（不删除，须写明原因；所付分期恢复为未付）"""
        payment = get_or_404(Payment, payment_id)
        _require_write_at(payment.debt.unit, "agreements.write")
        service.reverse(payment, data["reason"], actor=current_user())
        db.session.commit()
        return payment


@blp.route("/debts/<int:debt_id>/interest")
class DebtInterest(MethodView):
    @permission("agreements.read")
    @blp.arguments(AsOfSchema, location="query")
    @blp.response(200, InterestStatementSchema)
    def get(self, args, debt_id):
        """逾期利息计算单：各时段未付余额 × 天数 × 日利率，合计与欠款的逾期利息同一核心算法

        计息天数：自到期日（或上次付款日）次日起，至付款日（含当日）止；仍未清偿的部分计至统计日（as_of，含当日）。
        统计日以后的付款不计，余额为统计日的余额；统计日以前已清偿的，计至清偿之日。
        """
        debt = get_or_404(Debt, debt_id)
        return interest.statement(debt, args.get("as_of") or clock.today(debt.unit))
