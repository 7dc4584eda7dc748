"""/api/v1/wages: the projects register, the 人社 wage cases, wage-account payments and advances."""

from __future__ import annotations

import io

from flask import g, request, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api import FORM_FLAG, XLSX, upload_doc
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate, require_if_match
from core.api.money import PatternDecimal
from core.api.openapi import versioned_doc
from core.api.schemas import CREDIT_CODE_DOC, MoneyField
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import Debt, PaymentMethod
from core.rules.validation import ValidationFailed
from core.services.debts import PaymentRefused
from plugins.wages.linkage import cases as case_service
from plugins.wages.linkage import payments as wage_payments
from plugins.wages.linkage import priority, shared
from plugins.wages.linkage import projects as project_service
from plugins.wages.linkage.models import CaseStatus, WageCase, WagePaymentKind, WageProject
from plugins.wages.linkage.sheets import SheetUnreadable

blp = Blueprint(
    "wages", __name__, url_prefix="/wages", description="农民工工资联动：工程项目、人社欠薪案件、工资专用账户"
)


# Above 0, at most 100 per cent, two places (NUMERIC(5, 2)), stated as a pattern.
LABOUR_SHARE_PATTERN = r"^(?=[0-9.]*[1-9])((0|[1-9][0-9]?)(\.[0-9]{1,2})?|100(\.0{1,2})?)$"
LABOUR_SHARE_HINT = '人工费用比例应为大于0、不超过100、最多两位小数的数字字符串，如 "20.00"'


class WageDebtRefSchema(Schema):
    id = fields.Integer()
    project_name = fields.String()
    contract_no = fields.String(allow_none=True)
    amount_owed = MoneyField()
    outstanding = MoneyField()
    migrant_wages = fields.Boolean()
    migrant_wage_amount = MoneyField()
    due_date = fields.Date(allow_none=True)


class WageProjectSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    name = fields.String()
    contractor_name = fields.String()
    contractor_credit_code = fields.String(allow_none=True)
    contractor_id = fields.Integer(allow_none=True)
    contract_no = fields.String(allow_none=True)
    wage_bank = fields.String(allow_none=True)
    wage_account_masked = fields.String(
        allow_none=True, metadata={"description": "专用账户账号（仅保留后四位）"}
    )
    labour_share_percent = fields.Decimal(
        as_string=True, places=2, allow_none=True, metadata={"type": "string", "example": "20.00"}
    )
    labour_share_amount = MoneyField(allow_none=True)
    wage_deposit = MoneyField()
    workforce = fields.Integer(allow_none=True)
    remarks = fields.String(allow_none=True)
    debts = fields.List(fields.Nested(WageDebtRefSchema))


class WagePaymentSchema(Schema):
    id = fields.Integer()
    payment_id = fields.Integer()
    debt_id = fields.Function(lambda r: r.payment.debt_id)
    paid_on = fields.Date(attribute="payment.paid_on", dump_only=True)
    amount = MoneyField(attribute="payment.amount", dump_only=True)
    wage_amount = MoneyField(attribute="payment.wage_amount", dump_only=True)
    kind = fields.String()
    kind_label = fields.String()
    to_wage_account = MoneyField()
    labour_share_due = MoneyField()
    bypassed = fields.Boolean(metadata={"description": "人工费用未足额拨入工资专用账户"})


class WageProjectDetailSchema(WageProjectSchema):
    advance = fields.Dict(metadata={"description": "应先行垫付：min(欠薪, 未付工程款)"})
    payments = fields.List(fields.Nested(WagePaymentSchema))


class WageCaseSchema(Schema):
    id = fields.Integer()
    case_no = fields.String()
    project_text = fields.String()
    contractor_name = fields.String()
    contractor_credit_code = fields.String(allow_none=True)
    workers = fields.Integer(allow_none=True)
    amount_owed = MoneyField()
    period = fields.String(allow_none=True)
    received_on = fields.Date()
    status = fields.String()
    status_label = fields.String()
    match_note = fields.String(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    debt_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    cleared_on = fields.Date(allow_none=True)


class WageCaseQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]))


class WageLinkCaseSchema(Schema):
    debt_id = fields.Integer(required=True)
    project_id = fields.Integer(load_default=None)


class WageLinkDebtSchema(Schema):
    debt_id = fields.Integer(required=True)


class WagePaymentInSchema(Schema):
    debt_id = fields.Integer(required=True)
    paid_on = fields.Date(required=True)
    amount = MoneyField(required=True)
    wage_amount = MoneyField(load_default=None)
    to_wage_account = MoneyField(
        load_default=None, metadata={"description": "其中拨入农民工工资专用账户的金额"}
    )
    kind = fields.String(
        load_default=WagePaymentKind.WORKS.value, validate=validate.OneOf([k.value for k in WagePaymentKind])
    )
    method = fields.String(load_default=None, validate=validate.OneOf([m.value for m in PaymentMethod]))
    evidence = fields.String(load_default=None, validate=validate.Length(max=2000))


class WageImportResultSchema(Schema):
    summary = fields.Dict()
    rows = fields.List(fields.Dict())


def jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        raise ApiError(404)
    return node


# An upload's body, and its answer: 200 for a preview (dry_run), 201 once imported.
IMPORT_DOC = upload_doc(
    XLSX,
    "application/vnd.ms-excel",
    description="Excel 表格（前10行中须有表头）",
    fields={"dry_run": FORM_FLAG},
) | {
    "responses": {
        201: {
            "description": "已导入",
            "content": {"application/json": {"schema": WageImportResultSchema}},
        }
    }
}


def run_import(importer):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(422, errors={"file": ["请上传 Excel 文件"]})
    dry_run = (request.form.get("dry_run") or request.args.get("dry_run") or "true").lower() not in (
        "0",
        "false",
        "no",
    )
    try:
        result = importer(jurisdiction(), upload.stream, commit=not dry_run, actor=current_user())
    except SheetUnreadable as exc:
        db.session.rollback()
        raise ApiError(422, str(exc), errors={"file": [str(exc)]}) from exc
    except ValidationFailed as exc:
        db.session.rollback()
        raise ApiError(422, errors=exc.errors()) from exc
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return result.as_json(), (200 if dry_run else 201)


def project_json(project: WageProject) -> dict:
    return {
        **{k: getattr(project, k) for k in WageProjectSchema().fields if k != "debts"},
        "debts": shared.visible_debts(project.debts),
        "advance": wage_payments.advance_of(project).as_json(),
        "payments": [
            r
            for r in wage_payments.payments_of(project)
            if r.payment.debt_id in {d.id for d in shared.visible_debts(project.debts)}
        ],
    }


class WageProjectInSchema(Schema):
    # Labour cost is a share or an amount per payment, not both (422 "二选一" otherwise).
    OPENAPI_EXTRA = {"not": {"required": ["labour_share_percent", "labour_share_amount"]}}

    unit_id = fields.Integer(required=True, metadata={"description": "建设单位（债务单位）"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    contractor_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contractor_credit_code = fields.String(
        load_default=None, validate=validate.Length(max=40), metadata=CREDIT_CODE_DOC
    )
    contract_no = fields.String(load_default=None, validate=validate.Length(max=120))
    wage_bank = fields.String(load_default=None, validate=validate.Length(max=120))
    wage_account = fields.String(
        load_default=None,
        validate=validate.Length(max=60),
        metadata={"description": "专用账户账号（只保存后四位）"},
    )
    labour_share_percent = PatternDecimal(
        LABOUR_SHARE_PATTERN, LABOUR_SHARE_HINT, example="20.00", load_default=None, places=2
    )
    labour_share_amount = MoneyField(load_default=None)
    wage_deposit = MoneyField(load_default=None)
    workforce = fields.Integer(load_default=None, validate=validate.Range(min=0, max=1_000_000))
    remarks = fields.String(load_default=None, validate=validate.Length(max=2000))


class WageProjectUpdateSchema(Schema):
    """Only the fields given change; give null to clear one."""

    name = fields.String(validate=validate.Length(min=1, max=300))
    contractor_name = fields.String(validate=validate.Length(min=1, max=200))
    contractor_credit_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    contract_no = fields.String(allow_none=True, validate=validate.Length(max=120))
    wage_bank = fields.String(allow_none=True, validate=validate.Length(max=120))
    wage_account = fields.String(
        allow_none=True,
        validate=validate.Length(max=60),
        metadata={"description": "专用账户账号（只保存后四位）"},
    )
    labour_share_percent = PatternDecimal(
        LABOUR_SHARE_PATTERN, LABOUR_SHARE_HINT, example="20.00", allow_none=True, places=2
    )
    labour_share_amount = MoneyField(allow_none=True)
    wage_deposit = MoneyField(allow_none=True)
    workforce = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    remarks = fields.String(allow_none=True, validate=validate.Length(max=2000))
    note = fields.String(validate=validate.Length(max=500), metadata={"description": "修改说明（记入历史）"})


def _checked_code(code: str | None) -> str | None:
    from core.rules import credit_code

    if not code:
        return None
    checked = credit_code.check(code)
    if not checked.valid:
        raise ApiError(422, errors={"contractor_credit_code": [checked.message or "统一社会信用代码无效"]})
    return checked.code


@blp.route("/projects")
class Projects(MethodView):
    @permission("wages.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, WageProjectSchema(many=True))
    def get(self, args):
        """工程建设项目登记表（分页）"""
        rows, headers = paginate(db.select(WageProject).order_by(WageProject.id), args)
        if not shared.sees_whole_ledger():
            rows = [_ProjectView(p) for p in rows]
        return rows, 200, headers

    @permission("wages.manage")
    @blp.arguments(WageProjectInSchema)
    @blp.response(201, WageProjectDetailSchema)
    def post(self, args):
        """登记一个工程建设项目（自动关联建设单位欠总承包单位的同合同或同名工程欠款）"""
        from core.tenancy.models import TenantNode

        unit = get_or_404(TenantNode, args["unit_id"])
        if unit.jurisdiction_id != jurisdiction().id and unit.id != jurisdiction().id:
            raise ApiError(404)
        if args["labour_share_percent"] is not None and args["labour_share_amount"] is not None:
            raise ApiError(422, errors={"labour_share_amount": ["人工费用填比例或每期金额，二选一"]})
        code = _checked_code(args.pop("contractor_credit_code"))
        from plugins.wages.linkage.cells import mask_account

        values = {
            **args,
            "contractor_credit_code": code,
            "wage_account_masked": mask_account(args.pop("wage_account")),
            "wage_deposit": args.get("wage_deposit") or wage_payments.ZERO,
        }
        project = project_service.create_project(jurisdiction(), values, actor=current_user())
        db.session.commit()
        return project_json(project)


class _ProjectView:
    """A project as the liaison sees it: only its wage-flagged debts."""

    def __init__(self, project: WageProject) -> None:
        self._project = project
        self.debts = shared.visible_debts(project.debts)

    def __getattr__(self, name):
        return getattr(self._project, name)


@blp.route("/projects/imports")
class ProjectImports(MethodView):
    @permission("wages.manage")
    @blp.response(200, WageImportResultSchema)
    @blp.doc(**IMPORT_DOC)
    def post(self):
        """从 Excel 导入工程项目（表单字段 file；dry_run=true 仅预览，false 导入）"""
        return run_import(project_service.import_projects)


@blp.route("/projects/<int:wage_project_id>")
class ProjectItem(MethodView):
    @permission("wages.read")
    @blp.response(200, WageProjectDetailSchema)
    @blp.doc(**versioned_doc(200))
    def get(self, wage_project_id):
        """项目详情：欠款、拨入工资专用账户情况、应先行垫付金额（响应头 ETag 用于修改时的 If-Match）"""
        project = get_or_404(WageProject, wage_project_id)
        return project_json(project), 200, {"ETag": project.etag}

    @permission("wages.manage")
    @blp.arguments(WageProjectUpdateSchema)
    @blp.response(200, WageProjectDetailSchema)
    @blp.doc(**versioned_doc(200, if_match="required"))
    def patch(self, args, wage_project_id):
        """修改项目登记信息（须带 If-Match；版本过期返回 412）；修改前后的值记入历史"""
        from plugins.wages.linkage.cells import mask_account

        project = get_or_404(WageProject, wage_project_id)
        require_if_match(project)
        note = args.pop("note", None)
        if "contractor_credit_code" in args:
            args["contractor_credit_code"] = _checked_code(args["contractor_credit_code"])
        if "wage_account" in args:
            args["wage_account_masked"] = mask_account(args.pop("wage_account"))
        project_service.update_project(project, args, actor=current_user(), note=note)
        db.session.commit()
        return project_json(project), 200, {"ETag": project.etag}


@blp.route("/projects/<int:wage_project_id>/debts")
class ProjectDebts(MethodView):
    @permission("wages.manage")
    @blp.arguments(WageLinkDebtSchema)
    @blp.response(201, WageProjectDetailSchema)
    def post(self, args, wage_project_id):
        """把一笔工程欠款关联到项目"""
        project = get_or_404(WageProject, wage_project_id)
        debt = get_or_404(Debt, args["debt_id"])
        if debt.unit_id != project.unit_id:
            raise ApiError(422, errors={"debt_id": ["该欠款不是本项目建设单位的欠款"]})
        if project_service.link_debt(project, debt, actor=current_user()) is None:
            raise ApiError(409, errors={"debt_id": ["该欠款已关联到项目"]})
        db.session.commit()
        return project_json(project)


@blp.route("/projects/<int:wage_project_id>/payments")
class ProjectPayments(MethodView):
    @permission("wages.pay")
    @blp.arguments(WagePaymentInSchema)
    @blp.response(201, WagePaymentSchema)
    def post(self, args, wage_project_id):
        """登记工程款支付（注明拨入工资专用账户的金额）或建设单位先行垫付工资（kind=advance）"""
        project = get_or_404(WageProject, wage_project_id)
        debt = get_or_404(Debt, args["debt_id"])
        try:
            row = wage_payments.record(project, debt, args, actor=current_user())
        except PaymentRefused as exc:
            db.session.rollback()
            raise ApiError(422, exc.message, errors={exc.field: [exc.message]}) from exc
        db.session.commit()
        return row


@blp.route("/cases")
class Cases(MethodView):
    @permission("wages.read")
    @blp.arguments(WageCaseQuerySchema, location="query")
    @blp.response(200, WageCaseSchema(many=True))
    def get(self, args):
        """人社欠薪案件（分页；status=unmatched 为待手工关联）"""
        stmt = db.select(WageCase).order_by(WageCase.received_on.desc(), WageCase.id.desc())
        if args.get("status"):
            stmt = stmt.where(WageCase.status == args["status"])
        rows, headers = paginate(stmt, args)
        return rows, 200, headers


@blp.route("/cases/imports")
class CaseImports(MethodView):
    @permission("wages.manage")
    @blp.response(200, WageImportResultSchema)
    @blp.doc(**IMPORT_DOC)
    def post(self):
        """导入人社部门的欠薪案件清单（表单字段 file；dry_run=true 仅预览），按信用代码和名称匹配项目、欠款"""
        return run_import(case_service.import_cases)


@blp.route("/cases/<int:case_id>")
class CaseItem(MethodView):
    @permission("wages.read")
    @blp.response(200, WageCaseSchema)
    def get(self, case_id):
        """欠薪案件详情"""
        return get_or_404(WageCase, case_id)


@blp.route("/cases/<int:case_id>/link")
class CaseLink(MethodView):
    @permission("wages.manage")
    @blp.arguments(WageLinkCaseSchema)
    @blp.response(200, WageCaseSchema)
    def post(self, args, case_id):
        """手工把欠薪案件关联到欠款（及项目）：欠款标记涉薪，工资部分按案件补足，付款须先付工资"""
        case = get_or_404(WageCase, case_id)
        debt = get_or_404(Debt, args["debt_id"])
        project = get_or_404(WageProject, args["project_id"]) if args.get("project_id") else None
        try:
            case_service.link_case(case, debt, project, actor=current_user(), note="手工关联")
        except case_service.LinkRefused as exc:
            db.session.rollback()
            raise ApiError(422, exc.message, errors={exc.field: [exc.message]}) from exc
        except ValidationFailed as exc:
            db.session.rollback()
            raise ApiError(422, errors=exc.errors()) from exc
        db.session.commit()
        return case


@blp.route("/exchange.xlsx")
class Exchange(MethodView):
    @permission("wages.read")
    def get(self):
        """清欠办与人社部门交换的农民工工资联动情况表（Excel）：项目、建设单位、施工总承包单位、欠薪金额、
        拖欠工程款、已拨入工资专用账户、应先行垫付、状态"""
        from plugins.wages.linkage.exchange import workbook

        return send_file(
            io.BytesIO(workbook()),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name="农民工工资联动情况表.xlsx",
        )


class WageFestivalUnitSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    debts = fields.Integer(metadata={"description": "尚欠工资的涉薪欠款笔数"})
    wages_left = MoneyField()
    cleared = fields.Boolean(metadata={"description": "已清零"})


class WageFestivalSchema(Schema):
    start = fields.Date()
    festival = fields.Date()
    active = fields.Boolean()
    days_left = fields.Integer()
    total = MoneyField()
    units = fields.List(fields.Nested(WageFestivalUnitSchema))


def festival_json() -> dict:
    from core import clock
    from core.tenancy.plans import plan_for
    from plugins.wages.linkage import festival

    node = jurisdiction()
    day = clock.today(node)
    run = festival.campaign(day, plan_for(node, on=day))
    units = festival.board()
    return {
        "start": run.start,
        "festival": run.festival,
        "active": run.active,
        "days_left": run.days_left,
        "total": sum((u.wages_left for u in units), start=wage_payments.ZERO),
        "units": units,
    }


@blp.route("/festival")
class Festival(MethodView):
    @permission("wages.read")
    @blp.response(200, WageFestivalSchema)
    def get(self):
        """冬季根治欠薪专项行动：春节倒计时，各单位涉薪欠款尚欠农民工工资（目标：春节前清零）"""
        return festival_json()


class WageDebtSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    creditor_name = fields.String()
    project_name = fields.String(allow_none=True)
    contract_no = fields.String(allow_none=True)
    amount_owed = MoneyField()
    outstanding = MoneyField()
    migrant_wage_amount = MoneyField()
    wages_left = MoneyField(metadata={"description": "尚未支付的农民工工资"})
    due_date = fields.Date(allow_none=True)
    planned_repayment_date = fields.Date(allow_none=True)
    status = fields.String()
    source = fields.String(allow_none=True)
    case_nos = fields.List(fields.String(), metadata={"description": "关联的人社欠薪案件编号"})
    project_id = fields.Integer(allow_none=True)
    linked_case = fields.Boolean(metadata={"description": "关联未清偿的人社欠薪案件（清偿计划中最先偿还）"})


class WageDebtQuerySchema(PageArgs):
    open = fields.Boolean(load_default=False, metadata={"description": "只列未清偿的"})
    unit_id = fields.Integer()


@blp.route("/debts")
class WageDebts(MethodView):
    @permission("wages.read")
    @blp.arguments(WageDebtQuerySchema, location="query")
    @blp.response(200, WageDebtSchema(many=True))
    def get(self, args):
        """涉薪欠款（与人社部门共享的清单；分页）：标记涉及农民工工资的欠款、关联的欠薪案件、尚欠工资"""
        stmt = shared.flagged_stmt(open_only=args.get("open", False), unit_id=args.get("unit_id"))
        rows, headers = paginate(stmt, args)
        return [r.as_json() for r in shared.rows_for(list(rows))], 200, headers


class WageComplaintSchema(Schema):
    id = fields.Integer()
    tracking_code = fields.String()
    received_on = fields.Date()
    unit_id = fields.Integer()
    unit_name = fields.String()
    debtor_text = fields.String()
    creditor_name = fields.String()
    amount = MoneyField(allow_none=True)
    migrant_wage_amount = MoneyField(allow_none=True)
    status = fields.String()
    status_label = fields.String()


@blp.route("/complaints")
class WageComplaints(MethodView):
    @permission("wages.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, WageComplaintSchema(many=True))
    def get(self, args):
        """投诉线索中涉及农民工工资的（来自投诉受理的“是否涉及农民工工资”；未安装投诉插件时为空；分页）"""
        found = shared.wage_complaints()
        size = args.get("page_size") or 50
        start = ((args.get("page") or 1) - 1) * size
        return [c.as_json() for c in found[start : start + size]], 200, {"X-Total-Count": str(len(found))}


class WagePriorityItemSchema(Schema):
    rank = fields.Integer()
    debt_id = fields.Integer()
    project_name = fields.String(allow_none=True)
    creditor_name = fields.String()
    outstanding = MoneyField()
    wages_left = MoneyField()
    due_date = fields.Date(allow_none=True)
    planned_repayment_date = fields.Date(allow_none=True)
    tier = fields.Integer()
    tier_label = fields.String()


class WagePriorityQuerySchema(Schema):
    unit_id = fields.Integer(required=True)


@blp.route("/priority")
class Priority(MethodView):
    @permission("debt.read")
    @blp.arguments(WagePriorityQuerySchema, location="query")
    @blp.response(200, WagePriorityItemSchema(many=True))
    def get(self, args):
        """单位清偿优先顺序：关联人社欠薪案件的欠款最先，其次其他涉薪欠款，再次其他欠款（同档按到期日）"""
        from core.tenancy.models import TenantNode

        get_or_404(TenantNode, args["unit_id"])
        order = priority.clearance_order(priority.unit_debts(args["unit_id"]))
        return [
            {
                "rank": n,
                "debt_id": r.debt.id,
                "project_name": r.debt.project_name,
                "creditor_name": r.debt.creditor.display_name if r.debt.creditor else "",
                "outstanding": r.debt.outstanding,
                "wages_left": r.wages_left,
                "due_date": r.debt.due_date,
                "planned_repayment_date": r.debt.planned_repayment_date,
                "tier": r.tier,
                "tier_label": r.tier_label,
            }
            for n, r in enumerate(order, start=1)
        ]
