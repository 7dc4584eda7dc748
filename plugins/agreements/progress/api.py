"""/api/v1/agreements/progress: progress, payment-practice metrics and the exported report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields

from core.api.base import ApiError, Blueprint
from core.api.debts import unit_or_422
from core.auth.permissions import permission
from plugins.agreements.progress import compute, export, metrics

blp = Blueprint(
    "agreements_progress", __name__, url_prefix="/agreements/progress", description="化解进度与付款行为指标"
)


class ProgressArgs(Schema):
    unit = fields.Integer(metadata={"description": "单位（含下级），默认本人所在单位或辖区"})
    as_of = fields.Date(metadata={"description": "统计日期，默认今天"})


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
    node = unit_or_422(args.get("unit"), "unit")
    if node is None:
        raise ApiError(404)
    return node, args.get("as_of") or dt.date.today()


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
    def get(self, args):
        """付款行为指标（参照英国、澳大利亚付款时间报告制度）：平均付款天数、30/31–60/60天以上付款占比（笔数与金额）、未按期付款占比"""
        node, as_of = scope_of(args)
        return jsonable(metrics.metrics(node, as_of))


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
