"""Marshmallow schemas of the API. Money travels as strings with two decimals, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.models.debt import Category, ClockStart, PaymentMethod, Source
from core.models.enterprise import SizeClass
from core.rules.status import DebtStatus
from core.tenancy.models import NodeKind


class MoneyField(fields.Decimal):
    """Yuan, two decimals, serialised as a string ("1234.50")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("places", 2)
        kwargs.setdefault("as_string", True)
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float):
            # Floats lose cents; insist on strings or integers at the edge.
            raise ValidationError('金额请以字符串或整数提交，例如 "1234.50"')
        result = super()._deserialize(value, attr, data, **kwargs)
        # super() has already rounded to two places; compare with the value as submitted.
        try:
            exact = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            exact = result
        if result is not None and exact.is_finite() and exact != result:
            raise ValidationError("金额最多两位小数")
        if result is not None and abs(result) >= Decimal("1e16"):
            raise ValidationError("金额过大")
        return result


def choice(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([e.value for e in enum_cls]), **kwargs)


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = choice(NodeKind, required=True)
    kind_label = fields.String(dump_only=True)
    parent_id = fields.Integer(allow_none=True)
    jurisdiction_id = fields.Integer(dump_only=True)
    depth = fields.Integer(dump_only=True)
    active = fields.Boolean(dump_only=True)
    halted = fields.Boolean(load_default=False)
    plan_name = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)


class TenantUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    parent_id = fields.Integer()
    active = fields.Boolean()
    halted = fields.Boolean()
    reason = fields.String(validate=validate.Length(max=500))


class TenantQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    under = fields.Integer(metadata={"description": "只列出该单位及其下级"})
    kind = choice(NodeKind)
    active = fields.Boolean()
    q = fields.String(metadata={"description": "按名称或编码搜索"})


class ContactSchema(Schema):
    name = fields.String(validate=validate.Length(max=60))
    phone = fields.String(validate=validate.Length(max=40))
    email = fields.Email()


class EnterpriseSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    credit_code_warning = fields.String(dump_only=True)
    size_class = choice(SizeClass, load_default="small")
    size_label = fields.String(dump_only=True)
    is_private = fields.Boolean(load_default=True)
    contacts = fields.List(fields.Nested(ContactSchema), load_default=list)
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    unit_id = fields.Integer(load_only=True, metadata={"description": "登记该企业的单位（默认为当前辖区）"})
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class EnterpriseUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    credit_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    size_class = choice(SizeClass)
    is_private = fields.Boolean()
    contacts = fields.List(fields.Nested(ContactSchema))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))


class EnterpriseQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    q = fields.String(metadata={"description": "名称或信用代码"})
    size_class = choice(SizeClass)


class CreditorRefSchema(Schema):
    """Either an existing creditor id or the data to find-or-create one by credit code."""

    id = fields.Integer()
    name = fields.String(validate=validate.Length(min=1, max=200))
    credit_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    size_class = choice(SizeClass)
    is_private = fields.Boolean()


class DebtWriteFields(Schema):
    project_name = fields.String(validate=validate.Length(max=300))
    contract_no = fields.String(allow_none=True, validate=validate.Length(max=120))
    contract_date = fields.Date(allow_none=True)
    contract_amount = MoneyField(allow_none=True)
    category = choice(Category)
    amount_owed = MoneyField()
    undisputed_amount = MoneyField()
    disputed_amount = MoneyField()
    origin_date = fields.Date(allow_none=True)
    clock_start = choice(ClockStart)
    delivery_date = fields.Date(allow_none=True)
    settlement_date = fields.Date(allow_none=True)
    acceptance_date = fields.Date(allow_none=True)
    acceptance_period_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=3650))
    agreed_term_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=3650))
    agreed_payment_date = fields.Date(allow_none=True)
    agreed_daily_rate = fields.Decimal(
        allow_none=True, as_string=True, validate=validate.Range(min=0, max=Decimal("0.01"))
    )
    source = choice(Source)
    migrant_wages = fields.Boolean()
    migrant_wage_amount = MoneyField()
    judicial = fields.Boolean()
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))
    remarks = fields.String(allow_none=True, validate=validate.Length(max=2000))


class DebtCreateSchema(DebtWriteFields):
    unit_id = fields.Integer(metadata={"description": "债务单位；默认为当前用户所在单位"})
    creditor = fields.Nested(CreditorRefSchema, required=True)
    category = choice(Category, required=True)
    amount_owed = MoneyField(required=True)
    status = choice(DebtStatus)


class DebtUpdateSchema(DebtWriteFields):
    unit_id = fields.Integer()
    status = choice(DebtStatus)
    note = fields.String(validate=validate.Length(max=500), load_only=True)


class UnitRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class EnterpriseRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    size_class = fields.String()


class DebtSchema(DebtWriteFields):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer()
    unit = fields.Nested(UnitRefSchema, dump_only=True)
    creditor_id = fields.Integer()
    creditor = fields.Nested(EnterpriseRefSchema, dump_only=True)
    category_label = fields.String(dump_only=True)
    source_label = fields.String(dump_only=True)
    status = fields.String()
    status_label = fields.Method("_status_label", dump_only=True)
    paid_amount = MoneyField(dump_only=True)
    outstanding = MoneyField(dump_only=True)
    due_date = fields.Date(dump_only=True)
    overdue_days = fields.Integer(dump_only=True)
    late_interest = MoneyField(dump_only=True)
    computed_on = fields.Date(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    warnings = fields.List(fields.Dict(), dump_only=True)

    def _status_label(self, obj):
        from core.rules.status import STATUS_LABELS

        return STATUS_LABELS.get(DebtStatus(obj.status), obj.status)


SORTABLE = (
    "id",
    "amount_owed",
    "outstanding",
    "due_date",
    "overdue_days",
    "origin_date",
    "updated_at",
    "late_interest",
)


class DebtQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    unit = fields.Integer(metadata={"description": "只看该单位及其下级（子树）"})
    status = fields.List(
        choice(DebtStatus), metadata={"description": "可重复：status=confirmed&status=disputed"}
    )
    category = fields.List(choice(Category))
    source = fields.List(choice(Source))
    overdue = fields.Boolean(metadata={"description": "true 仅逾期；false 仅未逾期"})
    creditor = fields.Integer(metadata={"description": "债权企业 id"})
    min_amount = MoneyField(metadata={"description": "欠款金额下限（元）"})
    max_amount = MoneyField(metadata={"description": "欠款金额上限（元）"})
    migrant_wages = fields.Boolean()
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "项目、合同号、企业名称或信用代码"}
    )
    sort = fields.String(
        load_default="-id",
        validate=validate.OneOf([s for f in SORTABLE for s in (f, "-" + f)]),
        metadata={"description": "排序字段，前加 - 为倒序"},
    )

    @validates_schema
    def _range(self, data, **kwargs):
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            raise ValidationError("下限不能大于上限", "min_amount")


class PaymentSchema(Schema):
    id = fields.Integer(dump_only=True)
    debt_id = fields.Integer(dump_only=True)
    paid_on = fields.Date(required=True)
    amount = MoneyField(required=True)
    method = choice(PaymentMethod, load_default="transfer")
    method_label = fields.String(dump_only=True)
    flagged = fields.Boolean(dump_only=True)
    evidence = fields.String(allow_none=True, validate=validate.Length(max=2000))
    wage_amount = MoneyField(load_default=Decimal("0"))
    reversed_at = fields.DateTime(dump_only=True)
    reversal_reason = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ReversalSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class EventSchema(Schema):
    id = fields.Integer()
    entity_type = fields.String()
    entity_id = fields.Integer()
    action = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    at = fields.DateTime()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)


class JobSchema(Schema):
    id = fields.String()
    name = fields.String()
    label = fields.Method("_label", metadata={"description": "作业的中文名称"})
    plugin = fields.String(allow_none=True)
    status = fields.String()
    progress_done = fields.Integer()
    progress_total = fields.Integer(allow_none=True)
    percent = fields.Float(allow_none=True)
    rate = fields.Float(allow_none=True, metadata={"description": "每秒处理条数"})
    message = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    heartbeat_at = fields.DateTime(
        allow_none=True, metadata={"description": "运行中的作业最近一次报告仍在运行的时间"}
    )

    def _label(self, job) -> str:
        from flask import g

        from core.jobs import job_labels
        from core.plugins import get_pm

        # Once per request, not per job listed; not on the schema, which every app in the process shares.
        if "qingqian_job_labels" not in g:
            g.qingqian_job_labels = job_labels(get_pm())
        return g.qingqian_job_labels.get(job.name, job.name)


class PluginSchema(Schema):
    name = fields.String()
    label = fields.String()
    description = fields.String()
    version = fields.String(allow_none=True)
    distribution = fields.String(allow_none=True)
    enabled = fields.Boolean()
    hooks = fields.List(fields.String())
