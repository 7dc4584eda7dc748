"""Schemas of /api/v1/prevention/deposits."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.base import PageArgs
from core.api.schemas import CREDIT_CODE_DOC, MoneyField
from plugins.prevention.deposits.service import STATE_LABELS
from plugins.prevention.reviews.rules import DEPOSIT_KIND_LABELS, FORM_LABELS

STATES = list(STATE_LABELS)


class DepositWriteSchema(Schema):
    unit_id = fields.Integer(load_default=None)
    enterprise_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=30),
        metadata={
            **CREDIT_CODE_DOC,
            "description": "缴纳企业统一社会信用代码（逾期未退转为欠款时据此找到债权人）",
        },
    )
    contract_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    kind = fields.String(required=True, validate=validate.OneOf(list(DEPOSIT_KIND_LABELS)))
    form = fields.String(required=True, validate=validate.OneOf(list(FORM_LABELS)))
    amount = MoneyField(required=True, validate=validate.Range(min=0, min_inclusive=False))
    received_on = fields.Date(required=True)
    due_back_on = fields.Date(required=True, metadata={"description": "约定退还日期（保证金到期日）"})
    remarks = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class DepositSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    enterprise_name = fields.String()
    credit_code = fields.String(allow_none=True)
    contract_no = fields.String(allow_none=True)
    kind = fields.String()
    kind_label = fields.Function(lambda d: DEPOSIT_KIND_LABELS.get(d.kind, d.kind))
    form = fields.String()
    amount = MoneyField()
    received_on = fields.Date()
    due_back_on = fields.Date()
    returned_on = fields.Date(allow_none=True)
    state = fields.String(
        metadata={
            "description": "held 未到期 | overdue 逾期未退 | converted 逾期未退已转为欠款 | returned 已退还"
        }
    )
    state_label = fields.Function(lambda d: STATE_LABELS.get(getattr(d, "state", ""), ""))
    debt_id = fields.Integer(allow_none=True, metadata={"description": "逾期未退转成的欠款"})
    converted_on = fields.Date(allow_none=True)
    remarks = fields.String(allow_none=True)
    version = fields.Integer()


class DepositQuerySchema(PageArgs):
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))


class DepositRefundSchema(Schema):
    returned_on = fields.Date(required=True)
