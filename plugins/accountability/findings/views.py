"""Page: the ledger's concealment flags with the office's finding on each (认定 or 排除)."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for

from core.auth.context import current_user
from core.auth.permissions import permission
from core.web.nav import NavItem
from plugins.accountability import forms
from plugins.accountability.findings import service
from plugins.accountability.findings.models import FINDING_LABELS

bp = Blueprint("accountability_findings_ui", __name__, template_folder="../templates")


@bp.route("/accountability/flags")
@permission("accountability.flags.read")
def flags():
    node = g.principal.jurisdiction
    if node is None or not service.flags_installed():
        abort(404)
    rows = service.board(node)
    return render_template(
        "accountability/flags.html",
        rows=rows,
        pending=sum(1 for r in rows if r["finding"] is None),
        can_decide=g.principal.can("accountability.flags.confirm"),
    )


@bp.route("/accountability/flags", methods=["POST"])
@permission("accountability.flags.confirm")
def flag_decide():
    node = forms.jurisdiction()
    form = request.form
    flag_id = form.get("flag_id") or ""
    if not flag_id.isdigit():
        return forms.back(url_for(".flags"), "请选择疑点", False)
    finding = form.get("finding") or ""
    return forms.run(
        url_for(".flags"),
        lambda: service.decide(
            node, actor=current_user(), flag_id=int(flag_id), finding=finding, note=form.get("note") or ""
        ),
        f"已{FINDING_LABELS.get(finding, '认定')}",
    )


@bp.route("/accountability/flags/corrections", methods=["POST"])
@permission("accountability.flags.confirm")
def finding_correct():
    node = forms.jurisdiction()
    form = request.form
    finding_id = form.get("finding_id") or ""
    if not finding_id.isdigit():
        return forms.back(url_for(".flags"), "请选择要更正的认定", False)
    finding = form.get("finding") or ""
    return forms.run(
        url_for(".flags"),
        lambda: service.correct(
            node,
            actor=current_user(),
            finding_id=int(finding_id),
            finding=finding,
            note=form.get("note") or "",
            reason=form.get("reason") or "",
        ),
        f"已更正为{FINDING_LABELS.get(finding, '')}",
    )


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    if not service.flags_installed():
        return []
    return [
        NavItem(
            "瞒报认定",
            endpoint="accountability_findings_ui.flags",
            order=79,
            permission="accountability.flags.read",
            plugin="accountability",
        )
    ]
