"""Schemas of /api/v1/prevention/reviews: the contract's key terms, findings and decisions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.base import PageArgs
from core.api.money import PatternDecimal
from core.api.schemas import MoneyField
from plugins.prevention.reviews.rules import (
    CLOCK_START_LABELS,
    DEPOSIT_KIND_LABELS,
    FORM_LABELS,
    METHOD_LABELS,
)
from plugins.prevention.reviews.service import STATUS_LABELS

SIZES = ["large", "medium", "small", "micro"]
CATEGORIES = ["goods", "works", "services"]


class ReviewDepositTermSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(DEPOSIT_KIND_LABELS)))
    # 0 to 100 per cent with at most two places, stated as a pattern (a string has no numeric bounds).
    rate = PatternDecimal(
        r"^((0|[1-9][0-9]?)(\.[0-9]{1,2})?|100(\.0{1,2})?)$",
        '保证金比例应为 0 至 100 之间、最多两位小数的数字字符串，如 "2.00"',
        example="2.00",
        load_default=None,
        allow_none=True,
        places=2,
        metadata={"description": "占合同金额的百分比"},
    )
    form = fields.String(load_default="cash", validate=validate.OneOf(list(FORM_LABELS)))
    guarantee_refused = fields.Boolean(
        load_default=False, metadata={"description": "是否拒绝以银行保函替代现金"}
    )


class ReviewTermsSchema(Schema):
    payment_term_days = fields.Integer(required=True, validate=validate.Range(min=0, max=3650))
    term_specially_agreed = fields.Boolean(
        load_default=False, metadata={"description": "合同写明双方另行约定期限"}
    )
    clock_start = fields.String(load_default="delivery", validate=validate.OneOf(list(CLOCK_START_LABELS)))
    acceptance_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650)
    )
    payment_method = fields.String(load_default="transfer", validate=validate.OneOf(list(METHOD_LABELS)))
    sme_chose_method = fields.Boolean(load_default=False)
    bill_maturity_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=3650)
    )
    back_to_back = fields.Boolean(load_default=False, metadata={"description": "以收到第三方付款为付款条件"})
    audit_condition = fields.Boolean(
        load_default=False, metadata={"description": "以审计结论为付款条件或结算依据"}
    )
    audit_agreed = fields.Boolean(load_default=False, metadata={"description": "双方自愿明确约定"})
    advance_funding = fields.Boolean(load_default=False, metadata={"description": "要求垫资"})
    deposits = fields.List(fields.Nested(ReviewDepositTermSchema), load_default=list)


class ReviewWriteSchema(Schema):
    unit_id = fields.Integer(load_default=None)
    project_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    counterparty = fields.String(required=True, validate=validate.Length(min=1, max=200))
    counterparty_size = fields.String(required=True, validate=validate.OneOf(SIZES))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    contract_amount = MoneyField(load_default=None, allow_none=True, validate=validate.Range(min=0))
    contract_date = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "（拟）签订日期，决定适用2020或2025年规则"},
    )
    terms = fields.Nested(ReviewTermsSchema, required=True)


class ReviewUpdateSchema(ReviewWriteSchema):
    class Meta:
        exclude = ("unit_id",)


class ReviewFindingSchema(Schema):
    code = fields.String()
    field = fields.String()
    message = fields.String()
    article = fields.String()
    suggestion = fields.String()


class ReviewDecisionSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    status = fields.String()
    findings = fields.List(fields.Nested(ReviewFindingSchema))
    fixed = fields.List(fields.String())
    note = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ReviewDocumentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    created_at = fields.DateTime()


class ReviewSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    project_id = fields.Integer(allow_none=True)
    title = fields.String()
    counterparty = fields.String()
    counterparty_size = fields.String()
    category = fields.String()
    contract_amount = MoneyField(allow_none=True)
    contract_date = fields.Date(allow_none=True)
    terms = fields.Dict()
    findings = fields.List(fields.Nested(ReviewFindingSchema))
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    rule_set = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.Function(lambda r: STATUS_LABELS.get(r.status, r.status))
    problems_found = fields.Integer()
    problems_fixed = fields.Integer()
    signed_on = fields.Date(allow_none=True)
    contract_no = fields.String(allow_none=True)
    version = fields.Integer()
    decisions = fields.List(fields.Nested(ReviewDecisionSchema))
    documents = fields.List(fields.Nested(ReviewDocumentSchema))


class ReviewQuerySchema(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(list(STATUS_LABELS)))


class ReviewAnswerSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    note = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class ReviewSignSchema(Schema):
    signed_on = fields.Date(required=True)
    contract_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
