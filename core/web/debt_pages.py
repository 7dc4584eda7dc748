"""Debt ledger and creditor pages, and the new-debt form."""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy.orm import lazyload, selectinload
from werkzeug.datastructures import MultiDict

from core import clock, list_exports
from core.api.base import ApiError
from core.api.debts import filtered_debts, filtered_totals
from core.api.money import parse_money
from core.api.schemas import DebtQuerySchema
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.list_exports import Counter, ListExport, Progress
from core.models.debt import CATEGORY_LABELS, SOURCE_LABELS, Debt, Payment
from core.models.enterprise import Enterprise, EnterpriseProposal
from core.rules.status import STATUS_LABELS
from core.rules.validation import ValidationFailed
from core.services import creditors
from core.services import debts as debt_service
from core.services.history import history_of
from core.tenancy.models import TenantNode
from core.units import UNITS, exact_total
from core.web import debt_list
from core.web.labels import CLOCK_LABELS, field_label, filter_error_messages, history_rows
from core.web.templating import cn_date
from core.web.views import PAGE_SIZE, bp, get_visible_or_404, page_number, paginate_stmt
from core.xlsx_report import Column, ReportSheet

SORT_OPTIONS = [
    ("-id", "最新登记在前"),
    ("-amount_owed", "欠款金额从高到低"),
    ("amount_owed", "欠款金额从低到高"),
    ("-outstanding", "未清偿金额从高到低"),
    ("-overdue_days", "逾期天数从长到短"),
    ("due_date", "应付款日期从早到晚"),
    ("-late_interest", "逾期利息从高到低"),
    ("-updated_at", "最近更新在前"),
]
LIST_KEYS = ("status", "category", "source")
SCALAR_KEYS = (
    "unit",
    "overdue",
    "min_amount",
    "max_amount",
    "q",
    "sort",
    "creditor",
    "wage_amount_pending",
)


def tree_order(nodes: list[TenantNode]) -> list[tuple[TenantNode, int]]:
    """Nodes depth-first in display order with their depth below the visible roots."""
    ids = {n.id for n in nodes}
    children: dict[int | None, list[TenantNode]] = {}
    for node in nodes:
        parent = node.parent_id if node.parent_id in ids else None
        children.setdefault(parent, []).append(node)
    out: list[tuple[TenantNode, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: (n.sort_order, n.id)):
            out.append((node, depth))
            walk(node.id, depth + 1)

    walk(None, 0)
    return out


def visible_units() -> list[tuple[TenantNode, int]]:
    return tree_order(list(db.session.scalars(db.select(TenantNode))))


def _query_args(source: MultiDict) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The list filters from the query string, validated by the API's own schema."""
    raw: dict[str, Any] = {}
    for key in SCALAR_KEYS:
        value = (source.get(key) or "").strip()
        if value:
            raw[key] = value
    for key in LIST_KEYS:
        values = [v for v in source.getlist(key) if v]
        if values:
            raw[key] = values
    schema = DebtQuerySchema()
    try:
        return schema.load(raw), {}
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        valid = {k: v for k, v in raw.items() if k not in errors}
        try:
            return schema.load(valid), errors
        except ValidationError:
            return schema.load({}), errors


def _filtered(source: MultiDict | None = None) -> tuple[Any, dict[str, Any], dict[str, Any], str]:
    """The list's statement under the query string's filters (``source``, default the request's), the
    parsed filters, their errors and the creditor-name text: the page and its export select the same debts."""
    source = request.args if source is None else source
    args, errors = _query_args(source)
    creditor_text = (source.get("creditor_name") or "").strip()[:100]
    try:
        stmt = filtered_debts(args)
    except ApiError as exc:
        errors.update(exc.errors)
        args.pop("unit", None)
        stmt = filtered_debts(args)
    if creditor_text:
        like = "%" + creditor_text.replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(creditors.name_matches(like))
    stmt = debt_list.apply_filters(stmt, source, debt_list.plugin_filters(), args, errors)
    return stmt, args, errors, creditor_text


EXPORT_COLUMNS = [
    Column("序号", "int", total=False),
    Column("编号", "int", total=False),
    Column("债务单位"),
    Column("债权企业"),
    Column("统一社会信用代码"),
    Column("项目名称"),
    Column("欠款类别"),
    Column("状态"),
    Column("欠款金额", "money"),
    Column("已偿还", "money"),
    Column("未清偿", "money"),
    Column("应付款日期", "date"),
    Column("逾期天数", "int", total=False),
]


def money_sum(value: Any) -> Decimal:
    """A SQL sum as exact money (SQLite hands sums back as floats; their repr keeps the cents)."""
    return exact_total([value])


def _count(stmt) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _write_debts(source: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    """The list as filtered on screen, as a printable sheet in ``unit`` with a 合计 row."""
    stmt, _args, _errors, _creditor = _filtered(source)
    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    name = jurisdiction.name if jurisdiction is not None else ""
    columns = [
        Column(c.header + (f"（{UNITS[unit]}）" if c.kind == "money" else ""), c.kind, c.total)
        for c in EXPORT_COLUMNS
    ]
    sheet = ReportSheet(
        f"{name}拖欠中小企业账款清单（截至{cn_date(today)}）",
        columns,
        unit=unit,
        reporter=name,
        sheet_name="欠款清单",
    )
    rows = Counter(_count(stmt) if progress is not None else 0, progress)
    # Streamed in batches; each row names its unit and creditor (joined), never its payments.
    stmt = stmt.options(lazyload(Debt.payments), selectinload(Debt.unit)).execution_options(yield_per=500)
    for debt in db.session.scalars(stmt):
        sheet.add(
            [
                rows.step(),
                debt.id,
                debt.unit.name,
                debt.creditor.display_name,
                debt.creditor.credit_code,
                debt.project_name,
                debt.category_label,
                STATUS_LABELS.get(debt.status, debt.status),
                debt.amount_owed,
                debt.paid_amount,
                debt.outstanding,
                debt.due_date,
                debt.overdue_days or None,
            ]
        )
    sheet.total_row(extra={1: f"共 {rows.done} 笔"})
    data = sheet.close()
    rows.finish()
    return data, f"欠款清单_{today.isoformat()}.xlsx"


DEBTS_EXPORT = ListExport(
    job="debts_export",
    label="欠款清单",
    count=lambda source: _count(_filtered(source)[0]),
    write=_write_debts,
)


@bp.route("/debts/export.xlsx")
@permission("debt.read")
def debts_export():
    """The list as filtered on screen; a large one is written in the background (core.list_exports)."""
    return list_exports.respond(DEBTS_EXPORT, request.args)


@bp.route("/debts")
@permission("debt.read")
def debts():
    stmt, args, errors, creditor_text = _filtered()
    try:
        size = int(request.args.get("page_size", PAGE_SIZE))
    except ValueError:
        size = PAGE_SIZE
    size = size if size in (20, 50, 100) else PAGE_SIZE
    rows, pager = paginate_stmt(stmt, page_number(), size)
    creditors.prefetch_names({d.creditor_id for d in rows})
    totals = filtered_totals(stmt)
    extra = debt_list.plugin_filters()
    messages = filter_error_messages(
        errors,
        {k: request.args.getlist(k) for k in errors},
        {
            **{f.key: f.options for f in extra},
            "status": {str(k): v for k, v in STATUS_LABELS.items()},
            "category": {str(k): v for k, v in CATEGORY_LABELS.items()},
            "source": {str(k): v for k, v in SOURCE_LABELS.items()},
            "sort": dict(SORT_OPTIONS),
            "overdue": {"true": "仅逾期", "false": "未逾期"},
            "wage_amount_pending": {"true": "工资金额待补充"},
        },
        {
            "unit": "单位",
            "min_amount": "金额下限",
            "max_amount": "金额上限",
            "q": "关键词",
            "sort": "排序",
            **{f.key: f.label for f in extra},
        },
    )
    return render_template(
        "debts.html",
        debts=rows,
        badges=debt_list.badges_for(rows),
        plugin_filters=extra,
        pager=pager,
        totals=totals,
        export_url=url_for("web.debts_export", **request.args.to_dict(flat=False)),
        args=args,
        creditor_name=creditor_text,
        errors=messages,
        units=visible_units(),
        status_labels=STATUS_LABELS,
        category_labels=CATEGORY_LABELS,
        source_labels=SOURCE_LABELS,
        sort_options=SORT_OPTIONS,
        can_write=g.principal.can("debt.write"),
    )


def _names_for(events: list) -> dict[tuple[str, int], str]:
    """Names of the units and creditors the events refer to, limited to what the user may see."""
    unit_ids: set[int] = set()
    creditor_ids: set[int] = set()
    for event in events:
        for side in (event.before or {}, event.after or {}):
            for key, bucket in (
                ("unit_id", unit_ids),
                ("parent_id", unit_ids),
                ("creditor_id", creditor_ids),
            ):
                if isinstance(side.get(key), int):
                    bucket.add(side[key])
    names: dict[tuple[str, int], str] = {}
    if unit_ids:
        for node in db.session.scalars(db.select(TenantNode).where(TenantNode.id.in_(unit_ids))):
            names[("unit", node.id)] = node.name
    if creditor_ids:
        creditors.prefetch_names(creditor_ids)
        for ent in db.session.scalars(db.select(Enterprise).where(Enterprise.id.in_(creditor_ids))):
            names[("creditor", ent.id)] = ent.display_name
    return names


@bp.route("/debts/<int:debt_id>")
@permission("debt.read")
def debt_detail(debt_id: int):
    debt = get_visible_or_404(Debt, debt_id)
    payments = list(
        db.session.scalars(db.select(Payment).where(Payment.debt_id == debt.id).order_by(Payment.paid_on))
    )
    timeline = None
    if g.principal.can("history.read"):
        events = history_of("debts", debt.id)
        for payment in payments:
            events += history_of("payments", payment.id)
        events.sort(key=lambda e: (e.at, e.id))
        timeline = history_rows(events, _names_for(events))
    return render_template(
        "debt_detail.html",
        debt=debt,
        badges=debt_list.badges_for([debt]).get(debt.id, []),
        payments=payments,
        history=timeline,
        status_label=STATUS_LABELS.get(debt.status, debt.status),
        clock_label=CLOCK_LABELS.get(debt.clock_start, debt.clock_start),
        label=field_label,
        can_edit=g.principal.can_at("debt.write", debt.unit),
    )


# --- New debt ---------------------------------------------------------------------------------------

FORM_FIELDS = (
    "project_name",
    "contract_no",
    "contract_date",
    "contract_amount",
    "category",
    "amount_owed",
    "disputed_amount",
    "origin_date",
    "delivery_date",
    "acceptance_date",
    "agreed_payment_date",
    "planned_repayment_date",
    "source",
    "migrant_wage_amount",
    "reason",
    "remarks",
)
MONEY_INPUTS = {"contract_amount", "amount_owed", "disputed_amount", "migrant_wage_amount"}
DATE_INPUTS = {
    "contract_date",
    "origin_date",
    "delivery_date",
    "acceptance_date",
    "agreed_payment_date",
    "planned_repayment_date",
}


def _parse_debt_form(form) -> tuple[dict[str, Any], dict[str, list[str]]]:
    import datetime as dt

    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in FORM_FIELDS:
        value = (form.get(name) or "").strip()
        if not value:
            continue
        if name in MONEY_INPUTS:
            try:
                amount = parse_money(value.replace(",", ""))
            except ValueError as exc:
                errors.setdefault(name, []).append(str(exc))
                continue
            if amount < 0:
                errors.setdefault(name, []).append("金额应为非负数，最多两位小数")
                continue
            data[name] = amount
        elif name in DATE_INPUTS:
            try:
                data[name] = dt.date.fromisoformat(value)
            except ValueError:
                errors.setdefault(name, []).append("日期格式应为 2023-08-25")
        else:
            data[name] = value
    for name in ("project_name", "category", "amount_owed"):
        if name not in data and name not in errors:
            errors.setdefault(name, []).append("此项必填")
    if data.get("category") and data["category"] not in {str(k) for k in CATEGORY_LABELS}:
        errors.setdefault("category", []).append("请选择欠款类别")
    if data.get("source") and data["source"] not in {str(k) for k in SOURCE_LABELS}:
        errors.setdefault("source", []).append("请选择来源")
    data["migrant_wages"] = form.get("migrant_wages") == "1"
    if "amount_owed" in data:
        # The form asks only for the disputed part; the rest of what is owed is undisputed.
        data["disputed_amount"] = data.get("disputed_amount") or Decimal("0")
        data["undisputed_amount"] = data["amount_owed"] - data["disputed_amount"]
    return data, errors


def _creditor_errors(form) -> dict[str, list[str]]:
    if not (form.get("creditor_name") or "").strip():
        return {"creditor_name": ["请填写债权企业名称"]}
    return {}


@bp.route("/debts/new", methods=["GET", "POST"])
@permission("debt.write")
def debt_new():
    units = [(n, d) for n, d in visible_units() if n.active and g.principal.can_at("debt.write", n)]
    if not units:
        abort(403, description="您没有可登记欠款的单位")
    errors: dict[str, list[str]] = {}
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        data, errors = _parse_debt_form(request.form)
        for key, messages in _creditor_errors(request.form).items():
            errors.setdefault(key, []).extend(messages)
        unit = next((n for n, _ in units if str(n.id) == request.form.get("unit_id")), None)
        if unit is None:
            errors.setdefault("unit_id", []).append("请选择债务单位")
        if not errors:
            try:
                creditor, _created = debt_service.register_enterprise(
                    unit,
                    {
                        "name": request.form["creditor_name"].strip(),
                        "credit_code": (request.form.get("credit_code") or "").strip().upper() or None,
                        "size_class": request.form.get("size_class") or "small",
                    },
                    actor=current_user(),
                )
                debt, warnings = debt_service.create_debt(unit, data, creditor, actor=current_user())
                db.session.commit()
            except ValidationFailed as exc:
                db.session.rollback()
                for field, messages in exc.errors().items():
                    key = "creditor_name" if field == "name" else field
                    errors.setdefault(key, []).extend(messages)
            else:
                flash("欠款已登记", "success")
                for warning in warnings:
                    flash(f"{field_label(warning.field)}：{warning.message}", "warning")
                return redirect(url_for("web.debt_detail", debt_id=debt.id))
    return render_template(
        "debt_new.html",
        units=units,
        form=form,
        errors=errors,
        category_labels=CATEGORY_LABELS,
        source_labels=SOURCE_LABELS,
        debt=None,
    ), 422 if errors else 200


def _form_values(debt: Debt) -> dict[str, str]:
    """The debt's current values as the form shows them (dates ISO, money plain)."""
    values = {}
    for name in FORM_FIELDS:
        value = getattr(debt, name)
        values[name] = (
            "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
        )
    values["unit_id"] = str(debt.unit_id)
    values["migrant_wages"] = "1" if debt.migrant_wages else ""
    values["version"] = str(debt.version)
    return values


@bp.route("/debts/<int:debt_id>/edit", methods=["GET", "POST"])
@permission("debt.write")
def debt_edit(debt_id: int):
    debt = get_visible_or_404(Debt, debt_id)
    if not g.principal.can_at("debt.write", debt.unit):
        abort(403, description="您在该单位没有修改欠款的权限")
    errors: dict[str, list[str]] = {}
    form = request.form if request.method == "POST" else _form_values(debt)
    if request.method == "POST":
        data, errors = _parse_debt_form(request.form)
        if request.form.get("version") != str(debt.version):
            errors.setdefault("version", []).append("该欠款已被他人修改，请刷新页面后重新修改")
        if not errors:
            # An emptied optional field clears the value; required ones were checked above.
            for name in FORM_FIELDS:
                if name in ("category", "source"):
                    continue  # choices always carry a value; never clear them
                data.setdefault(name, Decimal("0") if name in MONEY_INPUTS - {"contract_amount"} else None)
            try:
                debt, warnings = debt_service.update_debt(
                    debt, data, actor=current_user(), note=(request.form.get("note") or "").strip() or None
                )
                db.session.commit()
            except ValidationFailed as exc:
                db.session.rollback()
                debt = get_visible_or_404(Debt, debt_id)
                for field, messages in exc.errors().items():
                    errors.setdefault(field, []).extend(messages)
            else:
                flash("欠款已修改", "success")
                for warning in warnings:
                    flash(f"{field_label(warning.field)}：{warning.message}", "warning")
                return redirect(url_for("web.debt_detail", debt_id=debt.id))
    return render_template(
        "debt_new.html",
        units=[(debt.unit, 0)],
        form=form,
        errors=errors,
        category_labels=CATEGORY_LABELS,
        source_labels=SOURCE_LABELS,
        debt=debt,
    ), 422 if errors else 200


# --- Enterprises ------------------------------------------------------------------------------------


def _enterprises(source: MultiDict) -> tuple[Any, str]:
    """The creditors the list shows under the query string's search, and the search text."""
    q = (source.get("q") or "").strip()[:100]
    stmt = db.select(Enterprise)
    if q:
        like = "%" + q.replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(
            db.or_(creditors.name_matches(like), Enterprise.credit_code.like(like, escape="\\"))
        )
    return stmt.order_by(Enterprise.name, Enterprise.id), q


def _debt_stats(enterprise_ids) -> Any:
    """Count and outstanding of the visible debts of the given creditors (ids or a subquery), by creditor."""
    return (
        db.select(
            Debt.creditor_id,
            db.func.count(Debt.id).label("count"),
            db.func.sum(Debt.amount_owed - Debt.paid_amount).label("outstanding"),
        )
        .where(Debt.creditor_id.in_(enterprise_ids))
        .group_by(Debt.creditor_id)
    )


def _enterprise_totals(stmt) -> dict[str, Any]:
    """The 合计 of every creditor the search finds (not only this page): creditors, debts, outstanding."""
    ids = stmt.order_by(None).with_only_columns(Enterprise.id).scalar_subquery()
    row = db.session.execute(
        db.select(
            db.func.count(Debt.id),
            db.func.coalesce(db.func.sum(Debt.amount_owed - Debt.paid_amount), 0),
        ).where(Debt.creditor_id.in_(ids))
    ).one()
    return {"enterprises": _count(stmt), "count": int(row[0] or 0), "outstanding": money_sum(row[1])}


@bp.route("/enterprises")
@permission("enterprise.read")
def enterprises():
    stmt, q = _enterprises(request.args)
    rows, pager = paginate_stmt(stmt, page_number())
    stats = {}
    if rows:
        stats = {r.creditor_id: r for r in db.session.execute(_debt_stats([e.id for e in rows]))}
    return render_template(
        "enterprises.html",
        enterprises=creditors.views_of(rows, creditors.caller_unit()),
        pager=pager,
        q=q,
        stats=stats,
        totals=_enterprise_totals(stmt),
        export_url=url_for("web.enterprises_export", **request.args.to_dict(flat=False)),
    )


def _write_enterprises(source: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
    stmt, _q = _enterprises(source)
    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    name = jurisdiction.name if jurisdiction is not None else ""
    sheet = ReportSheet(
        f"{name}债权企业清单（截至{cn_date(today)}）",
        [
            Column("序号", "int", total=False),
            Column("企业名称"),
            Column("统一社会信用代码"),
            Column("规模"),
            Column("民营"),
            Column("欠款笔数", "int", total=True),
            Column(f"未清偿（{UNITS[unit]}）", "money"),
        ],
        unit=unit,
        reporter=name,
        sheet_name="债权企业",
    )
    rows = Counter(_count(stmt) if progress is not None else 0, progress)
    unit_view = creditors.caller_unit()
    for batch in db.session.scalars(stmt.execution_options(yield_per=500)).partitions():
        stats = {r.creditor_id: r for r in db.session.execute(_debt_stats([e.id for e in batch]))}
        for view in creditors.views_of(list(batch), unit_view):
            s = stats.get(view.id)
            sheet.add(
                [
                    rows.step(),
                    view.name,
                    view.credit_code,
                    view.size_label,
                    bool(view.is_private),
                    s.count if s else 0,
                    money_sum(s.outstanding if s else 0),
                ]
            )
    sheet.total_row(extra={1: f"共 {rows.done} 家"})
    data = sheet.close()
    rows.finish()
    return data, f"债权企业_{today.isoformat()}.xlsx"


ENTERPRISES_EXPORT = ListExport(
    job="enterprises_export",
    label="债权企业清单",
    count=lambda source: _count(_enterprises(source)[0]),
    write=_write_enterprises,
)


@bp.route("/enterprises/export.xlsx")
@permission("enterprise.read")
def enterprises_export():
    return list_exports.respond(ENTERPRISES_EXPORT, request.args)


def enterprise_jurisdiction(enterprise: Enterprise) -> TenantNode | None:
    return db.session.get(TenantNode, enterprise.jurisdiction_id)


@bp.route("/enterprises/<int:enterprise_id>/proposals/<int:proposal_id>", methods=["POST"])
@permission("enterprise.write")
def enterprise_proposal_decide(enterprise_id: int, proposal_id: int):
    """The office accepts or rejects a unit's proposed change to a creditor's shared fields."""
    enterprise = get_visible_or_404(Enterprise, enterprise_id)
    proposal = get_visible_or_404(EnterpriseProposal, proposal_id)
    if proposal.enterprise_id != enterprise.id:
        abort(404)
    jurisdiction = enterprise_jurisdiction(enterprise)
    if (
        not creditors.sees_shared_record()
        or jurisdiction is None
        or not g.principal.can_at("enterprise.write", jurisdiction)
    ):
        abort(403, description="只有清欠办可以处理修改申请")
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        flash("请选择采纳或驳回", "error")
        return redirect(url_for("web.enterprise_detail", enterprise_id=enterprise.id))
    try:
        creditors.decide(
            proposal, enterprise, decision == "accept", actor=current_user(), note=request.form.get("note")
        )
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        for field, reasons in exc.errors().items():
            flash(f"{field_label(field)}：{'；'.join(reasons)}", "error")
    else:
        flash("已采纳修改申请，企业信息已更新" if decision == "accept" else "已驳回修改申请", "success")
    return redirect(url_for("web.enterprise_detail", enterprise_id=enterprise.id))


@bp.route("/enterprises/<int:enterprise_id>")
@permission("enterprise.read")
def enterprise_detail(enterprise_id: int):
    enterprise = get_visible_or_404(Enterprise, enterprise_id)
    debts = list(db.session.scalars(filtered_debts({"creditor": enterprise.id, "sort": "-id"})).unique())
    outstanding = sum((d.outstanding for d in debts), Decimal("0"))
    proposals = list(
        db.session.scalars(
            db.select(EnterpriseProposal)
            .where(EnterpriseProposal.enterprise_id == enterprise.id)
            .order_by(EnterpriseProposal.created_at.desc(), EnterpriseProposal.id.desc())
        )
    )
    return render_template(
        "enterprise_detail.html",
        enterprise=creditors.view_of(enterprise, creditors.caller_unit()),
        debts=debts,
        outstanding=outstanding,
        status_labels=STATUS_LABELS,
        proposals=proposals,
        proposal_changes=creditors.describe_changes,
        local_time=clock.to_local,
        can_decide=creditors.sees_shared_record()
        and g.principal.can_at("enterprise.write", enterprise_jurisdiction(enterprise)),
    )
