"""Pages: the projects register, registering a project, starting it, and the list of overridden starts."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from core import list_exports
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.web.nav import NavItem
from core.web.views import get_visible_or_404, page_number, paginate_stmt, stmt_totals
from plugins.prevention import exports
from plugins.prevention.common import require_write, writable_unit
from plugins.prevention.forms import CHECKED, TEMPLATES, blank_to_none, submit
from plugins.prevention.projects import service
from plugins.prevention.projects.models import FundingSource, Project
from plugins.prevention.projects.schemas import VIOLATIONS, ProjectStartSchema, ProjectWriteSchema

bp = Blueprint("prevention_projects_ui", __name__, url_prefix="/prevention", template_folder=str(TEMPLATES))
FUNDING_ROWS = 3
LABELS = {
    "name": "项目名称",
    "approval_doc": "批复文号",
    "approved_on": "批复日期",
    "budget": "总投资",
    "planned_start": "计划开工",
    "funding": "资金来源",
    "actual_start": "开工日期",
    "override_reason": "强行开工原因",
    "unit_id": "单位",
}


@bp.route("/projects")
@permission("prevention.read")
def projects():
    stmt = db.select(Project).order_by(Project.id.desc())
    rows, pager = paginate_stmt(stmt, page_number())
    totals = stmt_totals(stmt, "budget")
    # Secured money lives on the funding rows: their 合计 over every project in scope, not just this page.
    totals["secured_amount"] = stmt_totals(
        db.select(FundingSource).where(
            FundingSource.secured.is_(True),
            FundingSource.project_id.in_(stmt.order_by(None).with_only_columns(Project.id)),
        ),
        "amount",
    )["amount"]
    overridden = list(db.session.scalars(service.overrides().limit(50)))
    return render_template(
        "prevention/projects.html",
        rows=rows,
        totals=totals,
        pager=pager,
        overridden=overridden,
        violations=VIOLATIONS,
        funding_rows=range(FUNDING_ROWS),
        can_write=g.principal.can("prevention.write"),
    )


def _funding_from(form) -> list[dict]:
    rows = []
    for i in range(FUNDING_ROWS):
        source = (form.get(f"funding-{i}-source") or "").strip()
        if source or form.get(f"funding-{i}-amount"):
            rows.append(
                {
                    "source": source,
                    "amount": (form.get(f"funding-{i}-amount") or "").strip(),
                    "secured": form.get(f"funding-{i}-secured") in CHECKED,
                }
            )
    return rows


@bp.route("/projects/export.xlsx")
@permission("prevention.read")
def projects_export():
    """The investment projects register with its 合计 (in the background when long)."""
    return list_exports.respond(exports.PROJECTS_EXPORT, request.args)


@bp.route("/projects", methods=["POST"])
@permission("prevention.write")
def project_create():
    raw = blank_to_none(
        request.form, ("name", "approval_doc", "approved_on", "budget", "planned_start", "remarks")
    )
    raw["funding"] = _funding_from(request.form)

    def create(data):
        unit = writable_unit(data.pop("unit_id", None))
        return service.create(unit, data, current_user())

    if submit(ProjectWriteSchema(), raw, create, LABELS) is not None:
        flash("项目已登记", "success")
    return redirect(url_for(".projects"))


@bp.route("/projects/<int:project_id>/start", methods=["POST"])
@permission("prevention.write")
def project_start(project_id: int):
    project = get_visible_or_404(Project, project_id)
    raw = blank_to_none(request.form, ("actual_start", "override_reason"))

    def start(data):
        require_write(project)
        return service.start(project, data["actual_start"], data.get("override_reason"), current_user())

    if submit(ProjectStartSchema(), raw, start, LABELS) is not None:
        flash("已登记开工" if not project.override_reason else "已登记开工，并列入违规开工清单", "success")
    return redirect(url_for(".projects") + f"#project-{project_id}")


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "源头治理",
            endpoint="prevention_projects_ui.projects",
            order=75,
            permission="prevention.read",
            plugin="prevention",
        )
    ]
