"""Marshmallow schemas of the API. Money travels as strings with two decimals, never floats."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.api.base import PAGE
from core.api.money import DailyRate, Money
from core.models.debt import Category, ClockStart, PaymentMethod, Source
from core.models.enterprise import SizeClass
from core.rules.status import DebtStatus
from core.tenancy.models import NodeKind

# The one money field (core.api.money); ``MoneyField`` is its former name, kept for plugins that use it.
MoneyField = Money


def choice(enum_cls, **kwargs):
    return fields.String(validate=validate.OneOf([e.value for e in enum_cls]), **kwargs)


# What core.rules.credit_code accepts, written canonically (18 characters of GB 32100's alphabet, the 3rd–8th
# an area code); the server also takes lower case, spaces and full-width forms. Empty means "no code".
CREDIT_CODE_PATTERN = (
    r"^([0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10})?$"
)
CREDIT_CODE_DOC = {
    "pattern": CREDIT_CODE_PATTERN,
    "description": "统一社会信用代码（18位）；方案要求严格校验时校验位须正确",
}
# A name is stored with its spaces collapsed: it must keep at least one visible character.
# (Python's str.strip also removes \x1c-\x1f and \x85, which a JSON-schema \s does not cover.)
VISIBLE_TEXT = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"  # and no NUL (refused everywhere)
# A code that must pass its check digit (public filings): the ``credit-code`` format names the rule a pattern
# cannot hold, so a client (or a fuzzer taught the format) knows what is meant.
CHECKED_CREDIT_CODE_DOC = {
    "pattern": CREDIT_CODE_PATTERN.replace(")?$", ")$"),
    "format": "credit-code",
    "description": "统一社会信用代码（18位，GB 32100 校验位须正确）",
}
# A phone number as the filing forms take it, digits only (the server also takes + - ( ) and spaces).
PHONE_PATTERN = r"^[0-9]{7,20}$"
# An amount a person writes (core.rules.amounts: “12.5万” too), in its plain form: yuan above zero, at most
# 9,999,999,999,999.99.
WRITTEN_AMOUNT_PATTERN = r"^(?=[0-9.]*[1-9])[0-9]{1,13}(\.[0-9]{1,2})?$"


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = choice(NodeKind, required=True)
    kind_label = fields.String(dump_only=True)
    parent_id = fields.Integer(
        allow_none=True,
        metadata={"description": "上级单位；只有平台管理员可以不填（新建辖区），其他用户不填时答 403"},
    )
    jurisdiction_id = fields.Integer(dump_only=True)
    depth = fields.Integer(dump_only=True)
    active = fields.Boolean(
        dump_only=True, metadata={"description": "false 表示已停用（DELETE 停用单位，不删除）"}
    )
    halted = fields.Boolean(load_default=False)
    plan_name = fields.String(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class TenantUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    parent_id = fields.Integer()
    active = fields.Boolean()
    halted = fields.Boolean()
    reason = fields.String(validate=validate.Length(max=500))


class TenantQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=PAGE)
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
    OPENAPI_EXTRA = {"properties": {"name": {"pattern": VISIBLE_TEXT}}}

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(allow_none=True, validate=validate.Length(max=40), metadata=CREDIT_CODE_DOC)
    credit_code_warning = fields.String(dump_only=True, allow_none=True)
    size_class = choice(SizeClass, load_default="small")
    size_label = fields.String(dump_only=True)
    is_private = fields.Boolean(load_default=True)
    contacts = fields.List(fields.Nested(ContactSchema), load_default=list)
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    unit_id = fields.Integer(load_only=True, metadata={"description": "登记该企业的单位（默认为当前辖区）"})
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    proposal = fields.Nested(
        "EnterpriseProposalSchema",
        dump_only=True,
        allow_none=True,
        metadata={"description": "单位用户修改共享字段时提交给清欠办的申请"},
    )


class EnterpriseProposalSchema(Schema):
    id = fields.Integer(dump_only=True)
    enterprise_id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    changes = fields.Dict(dump_only=True, metadata={"description": "申请修改的共享字段及新值"})
    status = fields.String(dump_only=True, metadata={"description": "pending / accepted / rejected"})
    created_at = fields.DateTime(dump_only=True)
    decided_at = fields.DateTime(dump_only=True)
    decision_note = fields.String(dump_only=True)


class EnterpriseProposalDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "reject"]))
    note = fields.String(validate=validate.Length(max=500))


class EnterpriseUpdateSchema(Schema):
    # An empty change is refused (422 "没有要修改的字段"): at least one field.
    OPENAPI_EXTRA = {"minProperties": 1, "properties": {"name": {"pattern": VISIBLE_TEXT}}}

    name = fields.String(validate=validate.Length(min=1, max=200))
    credit_code = fields.String(allow_none=True, validate=validate.Length(max=40), metadata=CREDIT_CODE_DOC)
    size_class = choice(SizeClass)
    is_private = fields.Boolean()
    contacts = fields.List(fields.Nested(ContactSchema))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))


class EnterpriseQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=PAGE)
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    q = fields.String(metadata={"description": "名称或信用代码"})
    size_class = choice(SizeClass)


class CreditorRefSchema(Schema):
    """Either an existing creditor id or the data to find-or-create one by credit code."""

    OPENAPI_EXTRA = {
        "anyOf": [{"required": ["id"]}, {"required": ["name"]}],
        "description": "债权企业：给出 id（已登记的企业），或给出名称（及信用代码）以查找或登记",
        "properties": {"id": {"minimum": 1}, "name": {"pattern": VISIBLE_TEXT}},
    }

    id = fields.Integer()
    name = fields.String(validate=validate.Length(min=1, max=200))
    credit_code = fields.String(allow_none=True, validate=validate.Length(max=40), metadata=CREDIT_CODE_DOC)
    size_class = choice(SizeClass)
    is_private = fields.Boolean()


# core.rules.core_validation's rules on amounts, stated in the schema so the document's patterns carry them.
OWED_ABOVE_ZERO = validate.Range(min=0, min_inclusive=False, error="欠款金额必须大于0")
NOT_NEGATIVE = validate.Range(min=0, error="无争议金额和有争议金额不能为负")


class DebtWriteFields(Schema):
    project_name = fields.String(validate=validate.Length(max=300))
    contract_no = fields.String(allow_none=True, validate=validate.Length(max=120))
    contract_date = fields.Date(allow_none=True)
    contract_amount = Money(allow_none=True, validate=validate.Range(min=0, error="合同金额不能为负"))
    category = choice(Category)
    amount_owed = Money(validate=OWED_ABOVE_ZERO)
    undisputed_amount = Money(validate=NOT_NEGATIVE)
    disputed_amount = Money(validate=NOT_NEGATIVE)
    origin_date = fields.Date(allow_none=True)
    clock_start = choice(ClockStart)
    delivery_date = fields.Date(allow_none=True)
    settlement_date = fields.Date(allow_none=True)
    acceptance_date = fields.Date(allow_none=True)
    acceptance_period_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=3650))
    agreed_term_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=3650))
    agreed_payment_date = fields.Date(allow_none=True)
    planned_repayment_date = fields.Date(allow_none=True, metadata={"description": "计划偿还时间"})
    agreed_daily_rate = DailyRate(allow_none=True, metadata={"description": "约定的逾期日利率（如 0.0005）"})
    source = choice(Source)
    migrant_wages = fields.Boolean()
    migrant_wage_amount = Money()
    judicial = fields.Boolean()
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))
    remarks = fields.String(allow_none=True, validate=validate.Length(max=2000))


class DebtCreateSchema(DebtWriteFields):
    unit_id = fields.Integer(metadata={"description": "债务单位；默认为当前用户所在单位"})
    creditor = fields.Nested(CreditorRefSchema, required=True)
    category = choice(Category, required=True)
    amount_owed = Money(required=True, validate=OWED_ABOVE_ZERO)
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
    name = fields.String(attribute="display_name")
    credit_code = fields.String(allow_none=True)
    size_class = fields.String()


class DebtSchema(DebtWriteFields):
    # What is stored, as stored: the write rules above do not bind older or imported records.
    contract_amount = Money(allow_none=True)
    amount_owed = Money()
    undisputed_amount = Money()
    disputed_amount = Money()
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer()
    unit = fields.Nested(UnitRefSchema, dump_only=True)
    creditor_id = fields.Integer()
    creditor = fields.Nested(EnterpriseRefSchema, dump_only=True)
    category_label = fields.String(dump_only=True)
    source_label = fields.String(dump_only=True)
    status = fields.String()
    status_label = fields.Method("_status_label", dump_only=True)
    paid_amount = Money(dump_only=True)
    outstanding = Money(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    overdue_days = fields.Integer(dump_only=True)
    late_interest = Money(dump_only=True)
    computed_on = fields.Date(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    wage_amount_pending = fields.Boolean(
        dump_only=True, metadata={"description": "涉及农民工工资但工资金额待补充"}
    )
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
    page = fields.Integer(load_default=1, validate=PAGE)
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    unit = fields.Integer(metadata={"description": "只看该单位及其下级（子树）"})
    status = fields.List(
        choice(DebtStatus), metadata={"description": "可重复：status=confirmed&status=disputed"}
    )
    category = fields.List(choice(Category))
    source = fields.List(choice(Source))
    overdue = fields.Boolean(metadata={"description": "true 仅逾期；false 仅未逾期"})
    creditor = fields.Integer(metadata={"description": "债权企业 id"})
    min_amount = Money(metadata={"description": "欠款金额下限（元）"})
    max_amount = Money(metadata={"description": "欠款金额上限（元）"})
    migrant_wages = fields.Boolean()
    wage_amount_pending = fields.Boolean(
        metadata={"description": "true 仅“工资金额待补充”（涉及农民工工资但未填工资金额）"}
    )
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
    amount = Money(required=True)
    method = choice(PaymentMethod, load_default="transfer")
    method_label = fields.String(dump_only=True)
    flagged = fields.Boolean(dump_only=True)
    opening = fields.Boolean(dump_only=True, metadata={"description": "导入时已偿还（登记前已付）"})
    evidence = fields.String(allow_none=True, validate=validate.Length(max=2000))
    wage_amount = Money(load_default=Decimal("0"))
    reversed_at = fields.DateTime(dump_only=True, allow_none=True)
    reversal_reason = fields.String(dump_only=True, allow_none=True)
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
