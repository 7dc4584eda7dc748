"""API schemas of the clearance part (money as strings with two decimals)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.api import PAGE
from core.api.money import Money
from core.api.schemas import choice
from core.models.debt import PaymentMethod
from plugins.agreements.clearance.models import DebtClass, StepKind


class ClassifySchema(Schema):
    debt_class = choice(DebtClass, required=True, metadata={"description": "undisputed/difficulty/disputed"})
    confirmed_on = fields.Date(metadata={"description": "确认日期，默认今天"})
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class DisputeStepSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = choice(StepKind, required=True)
    kind_label = fields.String(dump_only=True)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True, validate=validate.Length(max=2000))


class ClassificationSchema(Schema):
    id = fields.Integer(dump_only=True, allow_none=True)
    debt_id = fields.Integer(dump_only=True, allow_none=True)
    unit_id = fields.Integer(dump_only=True, allow_none=True)
    debt_class = fields.String(dump_only=True, allow_none=True)
    class_label = fields.String(dump_only=True, allow_none=True)
    confirmed_on = fields.Date(dump_only=True, allow_none=True)
    pay_by = fields.Date(dump_only=True, allow_none=True)
    agreement_by = fields.Date(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True, allow_none=True)
    undisputed_payable = Money(dump_only=True, allow_none=True)
    steps = fields.List(fields.Nested(DisputeStepSchema), dump_only=True)


class InstallmentInSchema(Schema):
    due_on = fields.Date(required=True)
    amount = Money(required=True)


class InstallmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    seq = fields.Integer(dump_only=True)
    due_on = fields.Date(dump_only=True)
    amount = Money(dump_only=True)
    paid_amount = Money(dump_only=True)
    outstanding = Money(dump_only=True)
    status = fields.String(dump_only=True)
    status_label = fields.String(dump_only=True)


class AgreementCreateSchema(Schema):
    debt_id = fields.Integer(required=True)
    debtor_party = fields.String(validate=validate.Length(max=200))
    creditor_party = fields.String(validate=validate.Length(max=200))
    agreed_amount = Money(required=True)
    signed_on = fields.Date(allow_none=True)
    planned_method = choice(PaymentMethod, load_default="transfer")
    late_reason = fields.String(allow_none=True, validate=validate.Length(max=2000))
    installments = fields.List(
        fields.Nested(InstallmentInSchema), required=True, validate=validate.Length(min=1, max=120)
    )


class AgreementSchema(Schema):
    id = fields.Integer(dump_only=True)
    debt_id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    debtor_party = fields.String(dump_only=True)
    creditor_party = fields.String(dump_only=True)
    agreed_amount = Money(dump_only=True)
    signed_on = fields.Date(dump_only=True)
    status = fields.String(dump_only=True)
    status_label = fields.String(dump_only=True)
    planned_method = fields.String(dump_only=True)
    term_extension_flag = fields.Boolean(dump_only=True)
    late_reason = fields.String(dump_only=True)
    scan_name = fields.String(dump_only=True)
    scan_mime = fields.String(dump_only=True)
    scan_size = fields.Integer(dump_only=True)
    installments = fields.List(fields.Nested(InstallmentSchema), dump_only=True)
    warnings = fields.List(fields.Dict(), dump_only=True)


class AgreementQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=PAGE)
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    status = fields.String()


class SignSchema(Schema):
    signed_on = fields.Date(required=True)


class InstallmentPaymentSchema(Schema):
    id = fields.Integer(dump_only=True)
    debt_id = fields.Integer(dump_only=True)
    paid_on = fields.Date(required=True)
    amount = Money(required=True)
    method = choice(PaymentMethod, load_default="transfer")
    flagged = fields.Boolean(dump_only=True)
    evidence = fields.String(allow_none=True, validate=validate.Length(max=2000))
    wage_amount = Money(load_default=Decimal("0"))
    reversed_at = fields.DateTime(dump_only=True)
    reversal_reason = fields.String(dump_only=True)


class AsOfSchema(Schema):
    as_of = fields.Date(metadata={"description": "统计日期，默认今天"})


class InterestPeriodSchema(Schema):
    from_ = fields.Date(
        attribute="from", data_key="from", metadata={"description": "起息日：到期日或上次付款日的次日"}
    )
    to = fields.Date(metadata={"description": "止息日（含当日）：付款日或统计日"})
    balance = Money(metadata={"description": "本时段的未付余额（元）"})
    days = fields.Integer(metadata={"description": "计息天数，含起止两日"})
    interest = Money(metadata={"description": "余额 × 日利率 × 天数，四舍五入到分"})


class InterestStatementSchema(Schema):
    """逾期利息计算单。计息天数：自到期日次日起，至付款日（含当日）或统计日（含当日）止；统计日以后的付款不计。"""

    debt_id = fields.Integer()
    as_of = fields.Date(metadata={"description": "统计日期"})
    due_date = fields.Date(allow_none=True)
    daily_rate = fields.Decimal(as_string=True, metadata={"type": "string", "example": "0.0005"})
    principal = Money(metadata={"description": "欠款金额（元）"})
    outstanding = Money(metadata={"description": "统计日的未付余额（元）"})
    cleared_on = fields.Date(allow_none=True, metadata={"description": "统计日以前已清偿的，为清偿之日"})
    overdue_days = fields.Integer(metadata={"description": "统计日的逾期天数（已清偿的为0）"})
    interest_days = fields.Integer(metadata={"description": "各时段计息天数之和"})
    periods = fields.List(fields.Nested(InterestPeriodSchema))
    total = Money(metadata={"description": "逾期利息合计（元），与欠款的逾期利息同一算法"})
