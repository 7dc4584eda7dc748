"""/api/v1/disclosure: the year-end figures and the published reports; /api/v1/public/<code>/disclosure."""

from __future__ import annotations

import io

from flask import Response, g, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core import clock
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.api.money import Money
from core.auth.context import current_user
from core.auth.permissions import permission, public
from core.extensions import db
from core.tenancy import service as tenancy
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, scope_context
from plugins.disclosure.annual import service
from plugins.disclosure.annual.figures import figures
from plugins.disclosure.annual.models import DisclosureReport

PLUGIN = "disclosure"

blp = Blueprint(
    "disclosure", __name__, url_prefix="/disclosure", description="信息公开：逾期未付中小企业账款年度公开"
)
public_blp = Blueprint(
    "disclosure_public",
    __name__,
    url_prefix="/public",
    description="公开接口：逾期未付中小企业账款年度公开（免登录）",
)


class YearArgs(Schema):
    year = fields.Integer(
        required=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "公开的年度（统计截至该年12月31日）"},
    )


class PublishSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    note = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata={"description": "重新公开时必填：更正原因"},
    )


class UnitFigureSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    kind_label = fields.String()
    channel = fields.String(metadata={"description": "public 政府信息公开 | annual_report 企业年度报告"})
    channel_label = fields.String()
    count = fields.Integer(metadata={"description": "年末逾期未支付的合同（欠款）笔数"})
    amount = Money(metadata={"description": "年末逾期未支付金额（元）"})


class ReportSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    version = fields.Integer()
    total_count = fields.Integer()
    total_amount = Money()
    note = fields.String(allow_none=True)
    published_at = fields.DateTime()
    rows = fields.List(fields.Nested(UnitFigureSchema))


class FiguresSchema(Schema):
    year = fields.Integer()
    deadline = fields.Date(metadata={"description": "公开截止日期（次年3月31日，可由方案调整）"})
    total_count = fields.Integer()
    total_amount = Money()
    undetermined = fields.Integer(metadata={"description": "缺少付款期限、无法判断是否逾期的欠款笔数"})
    units = fields.List(fields.Nested(UnitFigureSchema))
    published = fields.Nested(ReportSchema, allow_none=True)


def figures_json(year: int) -> dict:
    jurisdiction = g.principal.jurisdiction
    if jurisdiction is None:
        raise ApiError(404)
    current = figures(jurisdiction, year)
    return FiguresSchema().dump(
        {
            "year": year,
            "deadline": service.deadline(service.year_plan(jurisdiction, year), year),
            "total_count": current.total_count,
            "total_amount": current.total_amount,
            "undetermined": current.undetermined,
            "units": [u.as_json() for u in current.units],
            "published": service.report_of(jurisdiction, year),
        }
    )


@blp.route("/figures")
class Figures(MethodView):
    @permission("disclosure.read")
    @blp.arguments(YearArgs, location="query")
    def get(self, args):
        """某年度年末各单位逾期未支付中小企业账款的合同笔数和金额（按台账实时计算），及已公开的版本"""
        return figures_json(args["year"])


@blp.route("/reports")
class Reports(MethodView):
    @permission("disclosure.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, ReportSchema(many=True))
    def get(self, args):
        """已公开的年度报告（最新年度在前）"""
        stmt = db.select(DisclosureReport).order_by(DisclosureReport.year.desc())
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("disclosure.publish")
    @blp.arguments(PublishSchema)
    @blp.response(201, ReportSchema)
    def post(self, args):
        """公开某年度数据：按当前台账冻结为公开版本；已公开过的年度须填写更正原因，版本号加一

        409：该年度尚未结束，或已公开过而未填写更正原因（note）。
        """
        jurisdiction = g.principal.jurisdiction
        if jurisdiction is None:
            raise ApiError(404)
        try:
            report = service.publish(
                jurisdiction,
                args["year"],
                actor=current_user(),
                today=clock.today(jurisdiction),
                note=args["note"],
            )
        except service.PublishRefused as exc:
            # Both refusals depend on the state, not the body: the year has not ended yet, or it was
            # published already and republishing needs a reason. 409, as documented.
            db.session.rollback()
            raise ApiError(409, exc.message, errors={exc.field: [exc.message]}) from exc
        db.session.commit()
        return report


@blp.route("/reports/<int:report_id>")
class ReportItem(MethodView):
    @permission("disclosure.read")
    @blp.response(200, ReportSchema)
    def get(self, report_id):
        """一个年度的公开版本"""
        return get_or_404(DisclosureReport, report_id)


DOCUMENTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document(report_id: int, ext: str) -> Response:
    """The published table (agencies' and institutions' rows) as a file to post on the website."""
    from plugins.disclosure.annual import export

    report = get_or_404(DisclosureReport, report_id)
    jurisdiction = g.principal.jurisdiction
    view = service.public_view(report)
    data = (export.to_xlsx if ext == "xlsx" else export.to_docx)(jurisdiction, view)
    name = f"{export.title_of(jurisdiction, view)}.{ext}"
    return send_file(io.BytesIO(data), mimetype=DOCUMENTS[ext], as_attachment=True, download_name=name)


@blp.route("/reports/<int:report_id>/export.xlsx")
class ReportXlsx(MethodView):
    @permission("disclosure.read")
    def get(self, report_id):
        """公开表（Excel）：各机关、事业单位逾期未支付合同数和金额，供在政府网站发布"""
        return document(report_id, "xlsx")


@blp.route("/reports/<int:report_id>/export.docx")
class ReportDocx(MethodView):
    @permission("disclosure.read")
    def get(self, report_id):
        """公开表（Word）：同上"""
        return document(report_id, "docx")


def public_jurisdiction(code: str) -> TenantNode | None:
    return tenancy.public_jurisdiction(code, PLUGIN)


@public_blp.route("/<jurisdiction_code>/disclosure")
class PublicReports(MethodView):
    @public
    @public_blp.response(200, ReportSchema(many=True))
    def get(self, jurisdiction_code):
        """某辖区已公开的各年度逾期未支付中小企业账款信息（免登录）"""
        jurisdiction = public_jurisdiction(jurisdiction_code)
        if jurisdiction is None:
            raise ApiError(404)
        return [service.public_view(report) for report in published(jurisdiction)]


def published(jurisdiction) -> list[DisclosureReport]:
    """The jurisdiction's published reports, newest year first, read in its own scope (no user here)."""
    with scope_context(Scope(jurisdiction_id=jurisdiction.id)):
        return list(
            db.session.scalars(
                db.select(DisclosureReport)
                .where(DisclosureReport.jurisdiction_id == jurisdiction.id)
                .order_by(DisclosureReport.year.desc())
            )
        )
