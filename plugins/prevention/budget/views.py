"""Page: budget arrangements for paying debts, and this year's debts with none."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from core import clock, list_exports
from core.api.debts import filtered_totals
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.plugins import plugin_enabled
from core.web.nav import NavItem
from core.web.views import page_number, paginate_stmt
from plugins.prevention import exports
from plugins.prevention.budget import installments, service
from plugins.prevention.budget.api import READ, debt_or_404
from plugins.prevention.budget.models import BudgetArrangement
from plugins.prevention.budget.schemas import BudgetWriteSchema
from plugins.prevention.common import require_write
from plugins.prevention.forms import TEMPLATES, blank_to_none, submit

bp = Blueprint("prevention_budget_ui", __name__, url_prefix="/prevention", template_folder=str(TEMPLATES))
LABELS = {"debt_id": "欠款", "year": "年度", "budget_line": "预算科目", "amount": "金额"}


@bp.route("/budget")
@permission(READ)
def budget():
    year = clock.today().year
    stmt = service.unbudgeted_stmt(year)
    rows, pager = paginate_stmt(stmt, page_number())
    due_installments = installments.unbudgeted_installments(year)
    arranged = db.session.scalars(
        db.select(BudgetArrangement)
        .where(BudgetArrangement.year == year)
        .order_by(BudgetArrangement.id.desc())
    ).all()
    return render_template(
        "prevention/budget.html",
        year=year,
        rows=rows,
        pager=pager,
        arranged=arranged,
        installments=due_installments,
        # Only where the jurisdiction uses repayment agreements is there an installments list to show.
        agreements_installed=installments.agreement_models() is not None
        and plugin_enabled("agreements", g.principal.jurisdiction),
        totals=filtered_totals(stmt),
        can_write=g.principal.can("prevention.write"),
        show_tabs=g.principal.can("prevention.read"),
    )


@bp.route("/budget/export.xlsx")
@permission(READ)
def budget_export():
    """This year's debts and agreement installments without a budget arrangement, for the finance bureau."""
    from flask import send_file

    from core.list_exports import XLSX
    from plugins.prevention.budget.export import unbudgeted_xlsx

    data, name = unbudgeted_xlsx(clock.today().year)
    return send_file(data, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/budget/debts-export.xlsx")
@permission(READ)
def budget_debts_export():
    """The debts table of this page as listed, with a 合计 (in the background when long)."""
    return list_exports.respond(exports.UNBUDGETED_EXPORT, request.args)


@bp.route("/budget", methods=["POST"])
@permission("prevention.write")
def budget_create():
    raw = blank_to_none(request.form, ("debt_id", "year", "budget_line", "amount", "remarks"))

    def arrange(data):
        debt = debt_or_404(data.pop("debt_id"))
        require_write(debt)
        return service.arrange(debt, data, current_user())

    if submit(BudgetWriteSchema(), raw, arrange, LABELS) is not None:
        flash("预算安排已登记", "success")
    return redirect(url_for(".budget"))


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    # The finance bureau's read-only role reaches this page from its own menu entry; everyone else through
    # the 源头治理 tabs.
    principal = g.get("principal")  # absent outside a request (menus built for a user by a command)
    if principal is None or principal.can("prevention.read"):
        return []
    return [
        NavItem(
            "还款纳入预算",
            endpoint="prevention_budget_ui.budget",
            order=79,
            permission=READ,
            plugin="prevention",
        )
    ]
