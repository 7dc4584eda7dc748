"""Schemas of /api/v1/prevention/budget."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.base import PageArgs
from core.api.schemas import MoneyField

YEAR = validate.Range(min=2000, max=2100)


class BudgetWriteSchema(Schema):
    debt_id = fields.Integer(required=True)
    year = fields.Integer(required=True, validate=YEAR)
    budget_line = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "预算科目或资金来源"},
    )
    amount = MoneyField(required=True, validate=validate.Range(min=0, min_inclusive=False))
    remarks = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class BudgetArrangementSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    debt_id = fields.Integer()
    year = fields.Integer()
    budget_line = fields.String()
    amount = MoneyField()
    remarks = fields.String(allow_none=True)
    version = fields.Integer()


class BudgetQuerySchema(PageArgs):
    year = fields.Integer(load_default=None, validate=YEAR)


class UnbudgetedQuerySchema(PageArgs):
    year = fields.Integer(load_default=None, validate=YEAR, metadata={"description": "默认今年"})


class UnbudgetedSchema(Schema):
    debt_id = fields.Integer(attribute="id")
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda d: d.unit.name)
    creditor_name = fields.Function(lambda d: d.creditor.display_name)
    project_name = fields.String()
    due_date = fields.Date()
    outstanding = MoneyField()


class UnbudgetedInstallmentSchema(Schema):
    installment_id = fields.Integer()
    agreement_id = fields.Integer(metadata={"description": "还款协议"})
    seq = fields.Integer(metadata={"description": "第几期"})
    due_on = fields.Date()
    amount = MoneyField(metadata={"description": "本期金额"})
    outstanding = MoneyField(metadata={"description": "本期未付金额"})
    debt_id = fields.Integer(metadata={"description": "预算安排登记在这笔欠款上"})
    unit_id = fields.Integer()
    unit_name = fields.String()
    creditor_name = fields.String()
    project_name = fields.String()
    year_total = MoneyField(
        metadata={"description": "该协议当年（含已逾期）尚未支付的分期合计，即应安排的预算金额"}
    )
