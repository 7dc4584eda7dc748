"""Schemas of /api/v1/prevention/projects."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.api.base import PageArgs
from core.api.money import MONEY_SUM_PATTERN
from core.api.schemas import MoneyField

NAME = validate.Length(min=1, max=200)


class ProjectFundingSchema(Schema):
    source = fields.String(required=True, validate=validate.Length(min=1, max=100))
    amount = MoneyField(required=True, validate=validate.Range(min=0))
    secured = fields.Boolean(required=True, metadata={"description": "true 已落实 | false 未落实"})


BOTH_APPROVAL = {
    "required": ["approval_doc", "approved_on"],
    "properties": {"approval_doc": {"type": "string", "minLength": 1}, "approved_on": {"type": "string"}},
}
NO_APPROVAL = {
    "properties": {
        "approval_doc": {"not": {"type": "string", "minLength": 1}},
        "approved_on": {"not": {"type": "string"}},
    }
}


class ProjectWriteSchema(Schema):
    # 批复文号和批复日期须同时填写 (_approval_pair), stated for the document: both given, or neither.
    OPENAPI_EXTRA = {"anyOf": [BOTH_APPROVAL, NO_APPROVAL]}

    unit_id = fields.Integer(load_default=None, metadata={"description": "项目单位（默认本人单位）"})
    name = fields.String(required=True, validate=NAME)
    approval_doc = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "批复文号"},
    )
    approved_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "批复日期"})
    budget = MoneyField(required=True, validate=validate.Range(min=0, min_inclusive=False))
    planned_start = fields.Date(load_default=None, allow_none=True)
    remarks = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    funding = fields.List(fields.Nested(ProjectFundingSchema), load_default=list)

    @validates_schema
    def _approval_pair(self, data, **kwargs):
        # A partial update may name one of them; the other then stays as it is.
        both = "approval_doc" in data and "approved_on" in data
        if both and bool(data["approval_doc"]) != bool(data["approved_on"]):
            raise ValidationError("批复文号和批复日期须同时填写", "approved_on")


class ProjectUpdateSchema(ProjectWriteSchema):
    # A partial update may also name only one of the pair.
    OPENAPI_EXTRA = {
        "anyOf": [BOTH_APPROVAL, NO_APPROVAL, {"not": {"required": ["approval_doc", "approved_on"]}}]
    }

    class Meta:
        exclude = ("unit_id",)


class ProjectFundingOutSchema(ProjectFundingSchema):
    amount = MoneyField()


class ProjectSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda p: p.unit.name if getattr(p, "unit", None) else None)
    name = fields.String()
    approval_doc = fields.String(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    budget = MoneyField()
    # Sums of funding lines (each at most 16 integer digits) may be longer: the unbounded pattern.
    secured_amount = MoneyField(metadata={"pattern": MONEY_SUM_PATTERN})
    funding_total = MoneyField(metadata={"pattern": MONEY_SUM_PATTERN})
    planned_start = fields.Date(allow_none=True)
    actual_start = fields.Date(allow_none=True)
    start_violations = fields.List(fields.String())
    violation_labels = fields.Function(lambda p: [VIOLATIONS[v] for v in p.start_violations or []])
    override_reason = fields.String(allow_none=True)
    remarks = fields.String(allow_none=True)
    version = fields.Integer()
    funding = fields.List(fields.Nested(ProjectFundingOutSchema))


VIOLATIONS = {"unapproved": "未批先建", "unfunded": "资金未落实先开工"}


class ProjectQuerySchema(PageArgs):
    started = fields.Boolean(load_default=None)


class ProjectStartSchema(Schema):
    actual_start = fields.Date(required=True, metadata={"description": "实际开工日期"})
    override_reason = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata={"description": "未取得批复或资金未全部落实仍开工时必填：原因（将列入违规开工清单）"},
    )
