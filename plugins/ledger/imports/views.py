"""Web pages of the import workflow: /ledger/imports (upload + list), an import's preview, the template."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from core.api.base import ApiError
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy.models import TenantNode
from core.units import exact_total
from core.web.nav import NavItem
from core.web.views import get_visible_or_404, page_number, paginate_stmt
from plugins.ledger.imports import service
from plugins.ledger.imports.models import (
    IMPORT_STATUS_LABELS,
    OUTCOME_LABELS,
    ImportStatus,
    LedgerImport,
    LedgerImportRow,
    Outcome,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
bp = Blueprint(
    "ledger_imports_ui",
    __name__,
    url_prefix="/ledger",
    template_folder=str(TEMPLATES),
    static_folder=str(TEMPLATES.parent / "static"),
    static_url_path="/static",
)

TABS = (Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED, Outcome.REJECTED, Outcome.DUPLICATE, Outcome.SKIPPED)
RUNNING = (ImportStatus.UPLOADED, ImportStatus.PARSING, ImportStatus.COMMITTING)
FIELD_LABELS_FALLBACK = {
    "unit_id": "债务单位",
    "row": "行",
    "paid_amount": "已偿还金额（元）",
    "paid_on": "偿还时间",
    "planned_repayment_date": "计划偿还时间",
}


def field_labels() -> dict[str, str]:
    try:
        from plugins.ledger.parsing import FIELD_LABELS

        return {**FIELD_LABELS_FALLBACK, **dict(FIELD_LABELS)}
    except ImportError:  # the parsing engine is optional for rendering labels
        return dict(FIELD_LABELS_FALLBACK)


def upload_units() -> list[tuple[TenantNode, int]]:
    """Units the user may import for: those where a role grants ledger.import, with their subtrees."""
    principal = g.principal
    nodes = db.session.scalars(db.select(TenantNode).order_by(TenantNode.path)).all()
    out = []
    for node in nodes:
        if principal.can_at("ledger.import", node):
            out.append((node, node.depth))
    base = min((d for _, d in out), default=0)
    return [(n, d - base) for n, d in out]


def _api_error_flash(exc: ApiError) -> None:
    messages = [
        m for values in (exc.errors or {}).values() for m in (values if isinstance(values, list) else [])
    ]
    flash("；".join(messages) or exc.message, "error")


@bp.route("/imports", methods=["GET"])
@permission("ledger.read")
def imports():
    stmt = db.select(LedgerImport).order_by(LedgerImport.id.desc())
    rows, pager = paginate_stmt(stmt, page_number())
    return render_template(
        "ledger/imports.html",
        imports=rows,
        pager=pager,
        units=upload_units() if g.principal.can("ledger.import") else [],
        can_import=g.principal.can("ledger.import"),
        status_labels=IMPORT_STATUS_LABELS,
    )


@bp.route("/imports", methods=["POST"])
@permission("ledger.import")
def upload():
    from plugins.ledger.imports.api import amount_unit_arg, start_import

    unit_id = request.form.get("unit_id") or None
    try:
        imp = start_import(
            request.files.get("file"),
            int(unit_id) if unit_id and unit_id.isdigit() else None,
            dry_run=request.form.get("auto_commit") != "1",
            amount_unit=amount_unit_arg(request.form.get("amount_unit")),
        )
    except ApiError as exc:
        db.session.rollback()
        _api_error_flash(exc)
        return redirect(url_for(".imports"))
    return redirect(url_for(".import_detail", import_id=imp.id))


@bp.route("/imports/<int:import_id>", methods=["GET"])
@permission("ledger.read")
def import_detail(import_id: int):
    from plugins.ledger.imports.api import source_row
    from plugins.ledger.imports.mapping import CHOICES, REPARSABLE

    imp = get_visible_or_404(LedgerImport, import_id)
    tab = request.args.get("tab") or ""
    if tab not in {t.value for t in TABS}:
        tab = Outcome.CHANGED.value if imp.rows_changed else Outcome.NEW.value
        if not imp.rows_new and not imp.rows_changed:
            tab = Outcome.REJECTED.value if imp.rows_rejected else Outcome.UNCHANGED.value
    stmt = (
        db.select(LedgerImportRow)
        .where(LedgerImportRow.import_id == imp.id, LedgerImportRow.outcome == tab)
        .order_by(LedgerImportRow.row_number)
    )
    rows, pager = paginate_stmt(stmt, page_number(), size=50)
    tab_total = None
    if tab in (Outcome.NEW.value, Outcome.UNCHANGED.value):
        # The 合计 of the tab's amounts over all its rows, not only this page (amounts are in the row's JSON).
        tab_total = exact_total(
            (data or {}).get("amount_owed")
            for data in db.session.scalars(stmt.with_only_columns(LedgerImportRow.data))
        )
    tab_counts = {
        Outcome.NEW: imp.rows_new,
        Outcome.CHANGED: imp.rows_changed,
        Outcome.UNCHANGED: imp.rows_unchanged,
        Outcome.REJECTED: imp.rows_rejected,
        Outcome.DUPLICATE: imp.rows_duplicate,
        Outcome.SKIPPED: imp.rows_skipped,
    }
    can_map = g.principal.can("ledger.import") and imp.status == ImportStatus.PREVIEWED
    return render_template(
        "ledger/imports_detail.html",
        imp=imp,
        tab=tab,
        tabs=[(t.value, OUTCOME_LABELS[t], tab_counts[t]) for t in TABS],
        rows=rows,
        pager=pager,
        tab_total=tab_total,
        running=imp.status in RUNNING,
        job_id=imp.commit_job_id if imp.status == ImportStatus.COMMITTING else imp.parse_job_id,
        can_commit=g.principal.can("ledger.import")
        and imp.status == ImportStatus.PREVIEWED
        and bool(imp.rows_new or imp.rows_changed),
        labels=field_labels(),
        status_labels=IMPORT_STATUS_LABELS,
        unknown_units=service.unknown_units(imp) if imp.status == ImportStatus.PREVIEWED else [],
        can_map=can_map,
        map_units=[(n, d) for n, d in upload_units() if n.path.startswith(imp.unit.path)] if can_map else [],
        info=imp.file_info or {},
        recon=(imp.file_info or {}).get("reconciliation"),
        source_row=source_row,
        mapping_choices=CHOICES,
        can_remap=g.principal.can("ledger.import") and imp.status in REPARSABLE and bool(imp.file_info),
    )


@bp.route("/imports/<int:import_id>/mapping", methods=["POST"])
@permission("ledger.import")
def import_mapping(import_id: int):
    """The preview's column-mapping form: remember the choices and parse the file again."""
    from plugins.ledger.imports.api import UNCHANGED, amount_unit_arg, remap_import

    imp = get_visible_or_404(LedgerImport, import_id)
    headers = request.form.getlist("header")
    fields = request.form.getlist("field")
    mapping = {h: f for h, f in zip(headers, fields, strict=False) if h and f}
    try:
        unit = amount_unit_arg(request.form["amount_unit"]) if "amount_unit" in request.form else UNCHANGED
        remap_import(imp, mapping, unit)
    except ApiError as exc:
        db.session.rollback()
        _api_error_flash(exc)
    else:
        flash("正在按新的设置重新解析", "success")
    return redirect(url_for(".import_detail", import_id=import_id))


@bp.route("/imports/<int:import_id>/unit-mappings", methods=["POST"])
@permission("ledger.import")
def import_map_unit(import_id: int):
    from plugins.ledger.imports.api import map_unknown_unit

    imp = get_visible_or_404(LedgerImport, import_id)
    unit_id = request.form.get("unit_id") or ""
    try:
        map_unknown_unit(imp, request.form.get("name") or "", int(unit_id) if unit_id.isdigit() else -1)
    except ApiError as exc:
        db.session.rollback()
        _api_error_flash(exc)
    else:
        flash("已保存单位对应关系，预览已重新生成", "success")
    return redirect(url_for(".import_detail", import_id=import_id))


@bp.route("/imports/<int:import_id>/unit-requests", methods=["POST"])
@permission("ledger.import")
def import_request_unit(import_id: int):
    from plugins.ledger.imports.api import request_unknown_unit

    imp = get_visible_or_404(LedgerImport, import_id)
    try:
        asked = request_unknown_unit(imp, request.form.get("name") or "")
    except ApiError as exc:
        db.session.rollback()
        _api_error_flash(exc)
    else:
        flash("已通知清欠办添加该单位" if asked else "已通知过清欠办，请等待处理", "success")
    return redirect(url_for(".import_detail", import_id=import_id))


@bp.route("/imports/<int:import_id>/commit", methods=["POST"])
@permission("ledger.import")
def import_commit(import_id: int):
    from plugins.ledger.imports.api import start_commit

    imp = get_visible_or_404(LedgerImport, import_id)
    try:
        start_commit(imp)
    except ApiError as exc:
        db.session.rollback()
        _api_error_flash(exc)
    return redirect(url_for(".import_detail", import_id=import_id))


@bp.route("/template.xlsx", methods=["GET"])
@permission("ledger.read")
def template():
    from plugins.ledger.imports.api import template_workbook

    return template_workbook()


def nav(tenant, user) -> list[NavItem]:
    return [
        NavItem(
            "台账导入",
            endpoint="ledger_imports_ui.imports",
            order=30,
            # Leaders and auditors may read imports through the API but have nothing to do on the page.
            permission="ledger.import",
            plugin="ledger",
        )
    ]
