"""/api/v1/agreements/progress: progress, payment-practice metrics and the exported report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields

from core import clock
from core.api.base import ApiError, Blueprint
from core.api.debts import unit_or_404
from core.api.money import Money
from core.auth.permissions import permission
from plugins.agreements.progress import compute, export, metrics

blp = Blueprint(
    "agreements_progress", __name__, url_prefix="/agreements/progress", description="化解进度与付款行为指标"
)


class ProgressArgs(Schema):
    unit = fields.Integer(metadata={"description": "单位（含下级），默认本人所在单位或辖区"})
    as_of = fields.Date(metadata={"description": "统计日期，默认今天"})


def _ratio(description: str) -> fields.Decimal:
    return fields.Decimal(
        places=4,
        as_string=True,
        metadata={
            "type": "string",
            "pattern": r"^[0-9]+\.[0-9]{4}$",
            "example": "0.2727",
            "description": description,
        },
    )


class PracticeBandSchema(Schema):
    key = fields.String(metadata={"description": "within_30 | 31_60 | over_60"})
    label = fields.String()
    count = fields.Integer(metadata={"description": "该区间的付款笔数"})
    value = Money(metadata={"description": "该区间的付款金额（元）"})
    share_count = _ratio("笔数占比（分母为能确定付款天数的付款笔数）")
    share_value = _ratio("金额占比（分母为能确定付款天数的付款金额）")


class PracticeSummarySchema(Schema):
    payments = fields.Integer(metadata={"description": "统计日及以前的有效付款笔数（冲正的不计）"})
    value = Money(metadata={"description": "这些付款的金额合计（元）"})
    average_days = fields.Decimal(
        places=1,
        as_string=True,
        allow_none=True,
        metadata={
            "type": "string",
            "example": "47.5",
            "description": "平均付款天数（自付款期限起算日至付款日）",
        },
    )
    bands = fields.List(fields.Nested(PracticeBandSchema))
    late_share_count = _ratio("晚于到期日付款的笔数占比")
    late_share_value = _ratio("晚于到期日付款的金额占比")


class PracticeUnitSchema(PracticeSummarySchema):
    unit_id = fields.Integer()
    unit_name = fields.String()


class OpenPastTermsSchema(Schema):
    count = fields.Integer(metadata={"description": "统计日已过到期日且仍有未付余额的欠款笔数"})
    value = Money(metadata={"description": "这些欠款在统计日的未付余额合计（元）"})


class PaymentPracticeSchema(Schema):
    """Counted: the debts of the unit's subtree now confirmed, disputed, under agreement, partly repaid or
    cleared (not those awaiting verification, in court or out of scope), with their unreversed payments."""

    as_of = fields.Date(metadata={"description": "统计日期"})
    total = fields.Nested(PracticeSummarySchema)
    units = fields.List(
        fields.Nested(PracticeUnitSchema), metadata={"description": "有付款的单位，按名称排序"}
    )
    open_past_terms = fields.Nested(
        OpenPastTermsSchema,
        metadata={"description": "统计日逾期未付：到期日早于统计日、扣除统计日及以前付款后仍有余额的欠款"},
    )


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return (
            f"{value:.4f}"
            if value.as_tuple().exponent == -4
            else f"{value:.{max(1, -value.as_tuple().exponent)}f}"
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def scope_of(args: dict):
    node = unit_or_404(args.get("unit"), "unit")
    if node is None:
        raise ApiError(404)
    return node, args.get("as_of") or clock.today(node)


@blp.route("")
class Progress(MethodView):
    @permission("agreements.progress.read")
    @blp.arguments(ProgressArgs, location="query")
    def get(self, args):
        """清偿进度：清偿金额与比例、笔数、分类金额、方案时间节点、燃尽图数据、进度滞后单位排名、无分歧欠款从确认到清偿的天数"""
        node, as_of = scope_of(args)
        return jsonable(compute.progress(node, as_of))


@blp.route("/metrics")
class PaymentPractice(MethodView):
    @permission("agreements.progress.read")
    @blp.arguments(ProgressArgs, location="query")
    @blp.response(200, PaymentPracticeSchema)
    def get(self, args):
        """付款行为指标（参照英国、澳大利亚付款时间报告制度）：平均付款天数、30/31–60/60天以上付款占比（笔数与金额）、未按期付款占比

        统计范围：该单位（含下级）现为已确认、有争议、已签协议、部分清偿或已清偿的欠款（不含待核实、已进入司法程序和不属于清欠范围的），
        只计统计日及以前、未冲正的付款；逾期未付按统计日的余额计算。
        """
        node, as_of = scope_of(args)
        return metrics.metrics(node, as_of)


@blp.route("/export.xlsx")
class ProgressXlsx(MethodView):
    @permission("agreements.progress.read")
    @blp.arguments(ProgressArgs, location="query")
    def get(self, args):
        """导出化解进度表（Excel，万元）"""
        node, as_of = scope_of(args)
        data = export.to_xlsx(compute.progress(node, as_of))
        return _download(
            data, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_of
        )


@blp.route("/export.docx")
class ProgressDocx(MethodView):
    @permission("agreements.progress.read")
    @blp.arguments(ProgressArgs, location="query")
    def get(self, args):
        """导出化解进展情况报告（Word，万元）"""
        node, as_of = scope_of(args)
        data = export.to_docx(compute.progress(node, as_of))
        return _download(
            data, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", as_of
        )


def _download(data: bytes, ext: str, mime: str, as_of: dt.date) -> Response:
    from urllib.parse import quote

    name = quote(f"化解进度{as_of.isoformat()}.{ext}")
    return Response(
        data,
        mimetype=mime,
        headers={
            "Content-Disposition": (
                f"attachment; filename=progress-{as_of.isoformat()}.{ext}; filename*=UTF-8''{name}"
            )
        },
    )
