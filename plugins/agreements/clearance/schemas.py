"""API schemas of the clearance part (money as strings with two decimals)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.api.schemas import MoneyField, choice
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
    id = fields.Integer(dump_only=True)
    debt_id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    debt_class = fields.String(dump_only=True)
    class_label = fields.String(dump_only=True)
    confirmed_on = fields.Date(dump_only=True)
    pay_by = fields.Date(dump_only=True)
    agreement_by = fields.Date(dump_only=True)
    reason = fields.String(dump_only=True)
    undisputed_payable = MoneyField(dump_only=True)
    steps = fields.List(fields.Nested(DisputeStepSchema), dump_only=True)


class InstallmentInSchema(Schema):
    due_on = fields.Date(required=True)
    amount = MoneyField(required=True)


class InstallmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    seq = fields.Integer(dump_only=True)
    due_on = fields.Date(dump_only=True)
    amount = MoneyField(dump_only=True)
    paid_amount = MoneyField(dump_only=True)
    outstanding = MoneyField(dump_only=True)
    status = fields.String(dump_only=True)
    status_label = fields.String(dump_only=True)


class AgreementCreateSchema(Schema):
    debt_id = fields.Integer(required=True)
    debtor_party = fields.String(validate=validate.Length(max=200))
    creditor_party = fields.String(validate=validate.Length(max=200))
    agreed_amount = MoneyField(required=True)
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
    agreed_amount = MoneyField(dump_only=True)
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
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    status = fields.String()


class SignSchema(Schema):
    signed_on = fields.Date(required=True)


class InstallmentPaymentSchema(Schema):
    id = fields.Integer(dump_only=True)
    debt_id = fields.Integer(dump_only=True)
    paid_on = fields.Date(required=True)
    amount = MoneyField(required=True)
    method = choice(PaymentMethod, load_default="transfer")
    flagged = fields.Boolean(dump_only=True)
    evidence = fields.String(allow_none=True, validate=validate.Length(max=2000))
    wage_amount = MoneyField(load_default=Decimal("0"))
    reversed_at = fields.DateTime(dump_only=True)
    reversal_reason = fields.String(dump_only=True)


class AsOfSchema(Schema):
    as_of = fields.Date(metadata={"description": "统计日期，默认今天"})
