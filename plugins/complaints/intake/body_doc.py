"""The request body of a complaint filing, for the OpenAPI document only.

The intake routes read the body themselves (a form from the public page, JSON from clients) and
``service.clean_complaint`` checks it; these schemas state the same rules so the document says what is
accepted: required fields, lengths, enums, a phone of 7–20 digits, an amount in yuan (at most
9,999,999,999,999.99), a credit code with its check digit (``format: credit-code``). What a schema cannot
express stays a 422: a wage amount larger than the total, attachments that are not what they claim.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api.schemas import (
    CHECKED_CREDIT_CODE_DOC as CREDIT_CODE,
)
from core.api.schemas import (
    PHONE_PATTERN,
    VISIBLE_TEXT,
)
from core.api.schemas import (
    WRITTEN_AMOUNT_PATTERN as AMOUNT_PATTERN,
)
from plugins.complaints.intake.service import CATEGORIES, SIZES
from plugins.complaints.models import Channel


def _text(max_len: int, required: bool = True, **metadata):
    meta = {"pattern": VISIBLE_TEXT, **metadata} if required else metadata
    return fields.String(required=required, validate=validate.Length(max=max_len), metadata=meta)


class ComplaintFilingSchema(Schema):
    creditor_name = _text(200, description="企业名称")
    creditor_code = fields.String(required=True, metadata=CREDIT_CODE)
    creditor_size = fields.String(validate=validate.OneOf(list(SIZES)), metadata={"description": "企业规模"})
    contact_name = _text(100, description="联系人")
    contact_phone = fields.String(
        required=True, metadata={"pattern": PHONE_PATTERN, "description": "联系电话"}
    )
    debtor = _text(200, description="被投诉单位")
    contract_no = _text(120, required=False)
    contract_name = _text(300, required=False)
    description = _text(5000, description="情况说明")
    retaliation = _text(2000, required=False, description="打击报复情况")
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    amount = fields.String(metadata={"pattern": AMOUNT_PATTERN, "description": "欠款金额（元），可留空"})
    migrant_wages = fields.Boolean(metadata={"description": "是否涉及农民工工资"})


class PublicComplaintFilingSchema(ComplaintFilingSchema):
    jurisdiction = fields.String(required=True, metadata={"description": "辖区编码（未知辖区答 404）"})


class StaffComplaintFilingSchema(ComplaintFilingSchema):
    channel = fields.String(
        required=True,
        validate=validate.OneOf([c.value for c in Channel if c != Channel.PUBLIC]),
        metadata={"description": "线索来源（网上投诉以外的渠道）"},
    )
    source_ref = _text(200, required=False, description="来源编号")


def request_body(schema, *media_types: str, created: dict | None = None) -> dict:
    """``blp.doc`` keywords: ``schema`` as the required request body in each of ``media_types`` (and the
    ``created`` answer, see ``created_doc``)."""
    doc: dict = {"requestBody": {"required": True, "content": {m: {"schema": schema} for m in media_types}}}
    if created:
        doc["responses"] = created
    return doc


def created_doc(description: str, schema: dict | None = None) -> dict:
    """The 201 of a route that serialises its answer itself (a JSON object)."""
    body = schema or {"type": "object"}
    return {201: {"description": description, "content": {"application/json": {"schema": body}}}}


TRACKING = {
    "type": "object",
    "properties": {
        "tracking_code": {"type": "string"},
        "message": {"type": "string"},
        "debtor_hint": {
            "type": "string",
            "description": "欠款单位未能识别或不在本辖区时给投诉人的说明（投诉照常登记）",
        },
    },
}
