"""Pages: the projects register and the 人社 cases, imports with preview, a project's payments and
advance, manual linking of unmatched cases."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core import list_exports as core_list_exports
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import Debt
from core.rules.validation import ValidationFailed
from core.services.debts import PaymentRefused
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from core.web.nav import NavItem
from core.web.views import page_number, paginate_stmt
from plugins.wages.linkage import cases as case_service
from plugins.wages.linkage import list_exports, priority, shared, sheets
from plugins.wages.linkage import payments as wage_payments
from plugins.wages.linkage import projects as project_service
from plugins.wages.linkage.models import CaseStatus, WageCase, WagePaymentKind, WageProject

bp = Blueprint("wages_ui", __name__, template_folder="../templates")

KINDS = {
    "projects": ("工程项目", project_service, project_service.FIELD_LABELS),
    "cases": ("人社欠薪案件", case_service, case_service.FIELD_LABELS),
}


def _jurisdiction():
    node = g.principal.jurisdiction
    if node is None:
        abort(404)
    return node


@bp.route("/wages")
@permission("wages.read")
def index():
    projects = list(db.session.scalars(list_exports.projects_stmt()))
    cases = list(db.session.scalars(list_exports.cases_stmt()))
    # Wage debts can run to thousands in a county ledger: paged, with the 合计 over all of them.
    flagged_stmt = shared.flagged_stmt(open_only=True)
    flagged, pager = paginate_stmt(flagged_stmt, page_number())
    return render_template(
        "wages/index.html",
        projects=projects,
        cases=cases,
        advances={p.id: wage_payments.advance_of(p) for p in projects},
        can_manage=g.principal.can("wages.manage"),
        ledger_links=shared.sees_whole_ledger(),
        flagged=shared.rows_for(flagged),
        flagged_pager=pager,
        flagged_totals=shared.flagged_totals(flagged_stmt),
        complaints=shared.wage_complaints(),
    )


def _export(which: str):
    """A list of the wages page in Excel, as shown (the reader's money unit)."""
    return core_list_exports.respond(list_exports.EXPORTS[which], request.args)


@bp.route("/wages/cases/export.xlsx")
@permission("wages.read")
def cases_export():
    return _export("cases")


@bp.route("/wages/debts/export.xlsx")
@permission("wages.read")
def debts_export():
    return _export("debts")


@bp.route("/wages/complaints/export.xlsx")
@permission("wages.read")
def complaints_export():
    return _export("complaints")


@bp.route("/wages/projects/export.xlsx")
@permission("wages.read")
def projects_export():
    return _export("projects")


@bp.route("/wages/priority")
@permission("debt.read")
def priority_page():
    units = list(
        db.session.scalars(
            db.select(TenantNode)
            .where(TenantNode.id.in_(db.select(Debt.unit_id).where(Debt.deleted_at.is_(None))))
            .order_by(TenantNode.path)
        )
    )
    unit_id = request.args.get("unit_id", type=int) or (units[0].id if units else None)
    unit = visible(TenantNode, unit_id) if unit_id else None
    order = priority.clearance_order(priority.unit_debts(unit.id)) if unit is not None else []
    return render_template("wages/priority.html", units=units, unit=unit, order=order)


def _cell(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


@bp.route("/wages/import/projects", methods=["GET", "POST"])
@permission("wages.manage")
def import_projects():
    return import_page("projects")


@bp.route("/wages/import/cases", methods=["GET", "POST"])
@permission("wages.manage")
def import_cases():
    return import_page("cases")


def import_page(kind: str):
    label, service, labels = KINDS[kind]
    jurisdiction = _jurisdiction()
    if request.method == "GET":
        return render_template("wages/import.html", kind=kind, label=label, result=None, labels=labels)
    try:
        if request.form.get("grid"):
            grid = json.loads(request.form["grid"])
        else:
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash("请选择要导入的 Excel 文件", "error")
                return redirect(url_for(f".import_{kind}"))
            grid = [[_cell(v) for v in row] for row in sheets.read_cells(upload.stream)]
        result = service.analyse(jurisdiction, grid)
    except (sheets.SheetUnreadable, ValueError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, sheets.SheetUnreadable) else "文件内容无法读取", "error")
        return redirect(url_for(f".import_{kind}"))
    if request.form.get("action") == "commit":
        creator = project_service.create_project if kind == "projects" else case_service.create_case
        for row in result.accepted:
            creator(jurisdiction, row.values, actor=current_user())
        db.session.commit()
        s = result.summary()
        flash(
            f"已导入{label} {s['accepted']} 条（读取 {s['read']} 行：有错误 {s['rejected']}、"
            f"重复 {s['duplicates']}、空行 {s['skipped']}）",
            "success",
        )
        return redirect(url_for(".index"))
    db.session.rollback()
    return render_template(
        "wages/import.html", kind=kind, label=label, result=result, labels=labels, grid=json.dumps(grid)
    )


@bp.route("/wages/projects/<int:wage_project_id>")
@permission("wages.read")
def project_page(wage_project_id: int):
    project = visible(WageProject, wage_project_id)
    if project is None:
        abort(404)
    return render_template(
        "wages/project.html",
        project=project,
        debts=shared.visible_debts(project.debts),
        ledger_links=shared.sees_whole_ledger(),
        advance=wage_payments.advance_of(project),
        payments=[
            r
            for r in wage_payments.payments_of(project)
            if r.payment.debt_id in {d.id for d in shared.visible_debts(project.debts)}
        ],
        can_pay=g.principal.can("wages.pay"),
        can_manage=g.principal.can("wages.manage"),
    )


@bp.route("/wages/projects/<int:wage_project_id>/edit", methods=["POST"])
@permission("wages.manage")
def project_edit(wage_project_id: int):
    """The register's facts edited on the page; the form carries the version it was read at, so an edit
    made meanwhile by someone else is not overwritten (as If-Match does for the API)."""
    from decimal import Decimal, InvalidOperation

    from plugins.wages.linkage.cells import mask_account

    project = visible(WageProject, wage_project_id)
    if project is None:
        abort(404)
    page = url_for(".project_page", wage_project_id=project.id)
    form = request.form
    if form.get("version") != str(project.version):
        flash("该项目已被他人修改，请刷新页面后重新修改", "error")
        return redirect(page)
    try:
        changes = {
            "contract_no": (form.get("contract_no") or "").strip() or None,
            "wage_bank": (form.get("wage_bank") or "").strip() or None,
            "labour_share_amount": _money(
                form.get("labour_share_amount"), "labour_share_amount", optional=True
            ),
            "wage_deposit": _money(form.get("wage_deposit"), "wage_deposit", optional=True),
            "remarks": (form.get("remarks") or "").strip() or None,
        }
        percent = (form.get("labour_share_percent") or "").replace("%", "").strip()
        try:
            changes["labour_share_percent"] = Decimal(percent).quantize(Decimal("0.01")) if percent else None
        except InvalidOperation:
            raise PaymentRefused("labour_share_percent", "人工费用比例应为0到100之间的数") from None
        if changes["labour_share_percent"] is not None and not 0 < changes["labour_share_percent"] <= 100:
            raise PaymentRefused("labour_share_percent", "人工费用比例应为0到100之间的数")
        workforce = (form.get("workforce") or "").strip()
        if workforce and not workforce.isdigit():
            raise PaymentRefused("workforce", "用工人数应为整数")
        changes["workforce"] = int(workforce) if workforce else None
        account = (form.get("wage_account") or "").strip()
        if account:  # left empty: the account on record stays
            changes["wage_account_masked"] = mask_account(account)
        changed = project_service.update_project(
            project, changes, actor=current_user(), note=(form.get("note") or "").strip()[:500] or None
        )
    except PaymentRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(page)
    except ValidationFailed as exc:
        db.session.rollback()
        flash("；".join(i.message for i in exc.issues), "error")
        return redirect(page)
    db.session.commit()
    flash("已修改项目登记信息" if changed else "没有修改", "success")
    return redirect(page)


@bp.route("/wages/projects/<int:wage_project_id>/payments", methods=["POST"])
@permission("wages.pay")
def project_pay(wage_project_id: int):
    project = visible(WageProject, wage_project_id)
    debt = visible(Debt, request.form.get("debt_id", type=int) or 0)
    if project is None or debt is None:
        abort(404)
    form = request.form
    try:
        data = {
            "kind": form.get("kind") if form.get("kind") in {k.value for k in WagePaymentKind} else "works",
            "paid_on": dt.date.fromisoformat(form.get("paid_on", "")),
            "amount": _money(form.get("amount"), "amount"),
            "wage_amount": _money(form.get("wage_amount"), "wage_amount", optional=True),
            "to_wage_account": _money(form.get("to_wage_account"), "to_wage_account", optional=True),
        }
        wage_payments.record(project, debt, data, actor=current_user())
    except PaymentRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".project_page", wage_project_id=project.id))
    except ValueError:
        db.session.rollback()
        flash("请填写付款日期（年-月-日）和金额", "error")
        return redirect(url_for(".project_page", wage_project_id=project.id))
    db.session.commit()
    flash("已登记付款", "success")
    return redirect(url_for(".project_page", wage_project_id=project.id))


def _money(raw: str | None, field: str, optional: bool = False):
    from decimal import Decimal, InvalidOperation

    text = (raw or "").replace(",", "").strip()
    if not text and optional:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PaymentRefused(field, "金额格式不正确") from None
    if value != value.quantize(Decimal("0.01")) or value < 0:
        raise PaymentRefused(field, "金额格式不正确（最多两位小数，不能为负）")
    return value


@bp.route("/wages/cases/<int:case_id>")
@permission("wages.read")
def case_page(case_id: int):
    case = visible(WageCase, case_id)
    if case is None:
        abort(404)
    candidates = []
    if case.status == CaseStatus.UNMATCHED and g.principal.can("wages.manage"):
        candidates = [
            d
            for d in db.session.scalars(
                db.select(Debt).where(Debt.deleted_at.is_(None)).order_by(Debt.unit_id, Debt.id).limit(500)
            )
            if d.outstanding > 0
        ]
    return render_template("wages/case.html", case=case, candidates=candidates)


@bp.route("/wages/cases/<int:case_id>/link", methods=["POST"])
@permission("wages.manage")
def case_link(case_id: int):
    case = visible(WageCase, case_id)
    debt = visible(Debt, request.form.get("debt_id", type=int) or 0)
    if case is None:
        abort(404)
    if debt is None:
        flash("请选择要关联的欠款", "error")
        return redirect(url_for(".case_page", case_id=case_id))
    try:
        case_service.link_case(case, debt, None, actor=current_user(), note="手工关联")
    except (case_service.LinkRefused, ValidationFailed) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", None) or str(exc), "error")
        return redirect(url_for(".case_page", case_id=case_id))
    db.session.commit()
    flash(f"已关联欠款，欠款已标记涉薪（工资部分 {debt.migrant_wage_amount:,.2f} 元）", "success")
    return redirect(url_for(".case_page", case_id=case_id))


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem("农民工工资", endpoint="wages_ui.index", order=65, permission="wages.read", plugin="wages")
    ]


@bp.route("/wages/festival")
@permission("wages.read")
def festival_page():
    from plugins.wages.linkage.api import festival_json

    return render_template("wages/festival.html", f=festival_json())
