"""Hosted onboarding in the browser: the platform admin opens a jurisdiction, edits its plan (preview with
the diff and each key's source before saving), imports its org tree and issues password-set links.

The same operations as ``core/api/onboarding.py`` (and the same ``core.tenancy.hosted`` functions), as
server-rendered forms: no script is needed, so the pages stay within the Content-Security-Policy.
Platform-wide work runs under the system scope: the platform admin is not bound to one jurisdiction.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import DBAPIError

from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.plugins import get_pm, is_core
from core.rules.validation import ValidationFailed
from core.tenancy import hosted, org_import
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import NodeKind, TenantNode
from core.tenancy.plan_report import plan_report, value_text
from core.tenancy.scope import system_scope
from core.web.views import bp

TIMEZONES = ("Asia/Shanghai", "Asia/Urumqi")


def _platform_admin() -> None:
    if not g.principal.is_platform_admin:
        abort(403, description="只有平台管理员可以开通和配置托管辖区")


def _jurisdiction_or_404(tenant_id: int, reading: bool = False) -> TenantNode:
    """The jurisdiction ``tenant_id`` names; reading through a unit gives the unit's jurisdiction (as the
    API does), changing only through the jurisdiction itself."""
    node = db.session.get(TenantNode, tenant_id, execution_options={SKIP_FILTER: True})
    if node is not None and not node.is_jurisdiction and reading:
        node = db.session.get(TenantNode, node.jurisdiction_id, execution_options={SKIP_FILTER: True})
    if node is None or not node.is_jurisdiction:
        abort(404)
    return node


def _plan_folders() -> list[str]:
    root = Path(current_app.config["TENANTS_DIR"])
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "plan.yaml").is_file())


def _optional_plugins() -> list:
    return [info for info in get_pm().infos() if not is_core(info.name)]


def _jurisdictions() -> list[TenantNode]:
    return list(
        db.session.scalars(
            db.select(TenantNode)
            .where(TenantNode.kind == NodeKind.JURISDICTION, TenantNode.parent_id.is_(None))
            .order_by(TenantNode.sort_order, TenantNode.id),
            execution_options={SKIP_FILTER: True},
        )
    )


def _diff_lines(diff: str) -> list[tuple[str, str]]:
    """Each line of a unified diff with its kind, for colouring without markup in the text."""
    out = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "head"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        elif line.startswith("@@"):
            kind = "hunk"
        else:
            kind = "same"
        out.append((kind, line))
    return out


@bp.route("/onboarding", methods=["GET", "POST"])
@permission("platform.manage")
def onboarding():
    """Every jurisdiction with its plan version, and the form that opens a new one."""
    _platform_admin()
    form, errors = {}, {}
    status = 200
    with system_scope():
        if request.method == "POST":
            form = request.form.to_dict()
            form["plugins"] = request.form.getlist("plugins")
            node, errors = _create(form)
            if node is not None:
                flash(f"已开通辖区：{node.name}（方案第 1 版）", "success")
                return redirect(url_for("web.onboarding_detail", tenant_id=node.id))
            status = 422
        rows = [(j, hosted.latest_version(j)) for j in _jurisdictions()]
        return render_template(
            "onboarding.html",
            rows=rows,
            form=form,
            errors=errors,
            folders=_plan_folders(),
            plugins=_optional_plugins(),
            timezones=TIMEZONES,
        ), status


def _create(form: dict) -> tuple[TenantNode | None, dict[str, list[str]]]:
    code, name = (form.get("code") or "").strip(), (form.get("name") or "").strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = ["请填写辖区编码"]
    if not name:
        errors["name"] = ["请填写辖区名称"]
    if errors:
        return None, errors
    document: dict = {}
    for key, field in (("inherits", "inherits"), ("name", "plan_name"), ("timezone", "timezone")):
        value = (form.get(field) or "").strip()
        if value:
            document[key] = value
    if form.get("plugins"):
        document["plugins"] = list(form["plugins"])
    reason = (form.get("reason") or "").strip() or "新建托管辖区"
    try:
        node = hosted.create_jurisdiction(code, name, document, current_user(), reason)
        db.session.commit()
    except hosted.HostedPlanError as exc:
        db.session.rollback()
        return None, exc.errors
    except ValidationFailed as exc:
        db.session.rollback()
        return None, {k: list(v) for k, v in exc.errors().items()}
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":
            raise
        db.session.rollback()
        return None, {"code": ["新建辖区须由维护命令完成：qingqian tenant create 或 qingqian tenant load"]}
    return node, {}


def _detail(node: TenantNode, status: int = 200, **extra):
    current = hosted.latest_version(node)
    document = dict(current.document) if current else None
    context = {
        "node": node,
        "current": current,
        "document": document or {},
        "yaml_text": hosted.document_yaml(document) if document is not None else "",
        "report": plan_report(node),
        "value_text": value_text,
        "versions": hosted.versions(node),
        "plugins": _optional_plugins(),
        "folders": _plan_folders(),
        "timezones": TIMEZONES,
        "plan_errors": {},
        "preview": None,
        "org_rows": None,
        "org_errors": [],
        "admin_link": None,
        "admin_errors": {},
        "diff_lines": [],
    }
    context.update(extra)
    return render_template("onboarding_detail.html", **context), status


@bp.route("/onboarding/<int:tenant_id>")
@permission("platform.manage")
def onboarding_detail(tenant_id: int):
    _platform_admin()
    with system_scope():
        return _detail(_jurisdiction_or_404(tenant_id, reading=True))


def _form_document(node: TenantNode) -> dict:
    """The current document with the form's fields (name, time zone, parent plan, plugins) put in."""
    current = hosted.latest_version(node)
    document = dict(current.document) if current else {}
    for key in ("name", "timezone", "inherits"):
        value = (request.form.get(key) or "").strip()
        if value:
            document[key] = value
        else:
            document.pop(key, None)
    plugins = request.form.getlist("plugins")
    if plugins:
        document["plugins"] = plugins
    else:
        document.pop("plugins", None)
    return document


@bp.route("/onboarding/<int:tenant_id>/plan", methods=["POST"])
@permission("platform.manage")
def onboarding_plan(tenant_id: int):
    """``action``: preview (YAML or the form) shows errors or the diff; save writes a version (with why)."""
    _platform_admin()
    action = request.form.get("action") or "preview"
    with system_scope():
        node = _jurisdiction_or_404(tenant_id)
        source = request.form.get("source") or "yaml"
        try:
            if source == "form":
                document = _form_document(node)
            else:
                document = hosted.parse_document(request.form.get("yaml") or "", None)
        except hosted.HostedPlanError as exc:
            return _detail(node, 422, plan_errors=exc.errors, yaml_text=request.form.get("yaml") or "")
        text = hosted.document_yaml(document) if source == "form" else request.form.get("yaml") or ""
        if action == "save":
            reason = (request.form.get("reason") or "").strip()
            current = hosted.latest_version(node)
            number = current.number if current else 0
            problems: dict[str, list[str]] = {}
            if len(reason) < 2:
                problems["reason"] = ["请写明修改原因（至少 2 个字）"]
            if request.form.get("base_version", type=int) != number:
                problems["base_version"] = [f"方案已被他人修改（当前为第 {number} 版），请重新预览后再保存"]
            if not problems:
                try:
                    version = hosted.save(node, document, current_user(), reason)
                except hosted.HostedPlanError as exc:
                    db.session.rollback()
                    problems = exc.errors
                else:
                    db.session.commit()
                    flash(f"方案已保存为第 {version.number} 版", "success")
                    return redirect(url_for("web.onboarding_detail", tenant_id=node.id) + "#plan")
            return _detail(node, 422, plan_errors=problems, yaml_text=text)
        try:
            preview = hosted.preview(node, document)
        except hosted.HostedPlanError as exc:
            return _detail(node, 422, plan_errors=exc.errors, yaml_text=text)
        return _detail(
            node,
            preview=preview,
            yaml_text=text,
            preview_yaml=hosted.document_yaml(document),
            diff_lines=_diff_lines(preview["diff"]),
        )


@bp.route("/onboarding/<int:tenant_id>/org", methods=["POST"])
@permission("platform.manage")
def onboarding_org(tenant_id: int):
    """Upload the sheet for a preview; applying sends back the previewed rows, planned again (never
    trusted: every row is re-checked against the tree as it is now)."""
    _platform_admin()
    with system_scope():
        node = _jurisdiction_or_404(tenant_id)
        if request.form.get("action") == "apply":
            try:
                raw = json.loads(request.form.get("rows") or "[]")
                rows = [
                    org_import.OrgRow(int(r["row"]), str(r["name"]), r.get("parent"), r.get("kind_text"))
                    for r in raw
                ]
            except (ValueError, KeyError, TypeError):
                return _detail(node, 422, org_errors=["预览数据无效，请重新上传单位表"])
            planned = org_import.plan_rows(node, rows)
            if not rows or any(r.errors for r in planned):
                return _detail(node, 422, org_rows=planned, org_errors=["单位表有错误，没有导入任何单位"])
            created = org_import.apply_rows(node, planned, current_user())
            db.session.commit()
            flash(f"已导入 {created} 个单位", "success")
            return redirect(url_for("web.onboarding_detail", tenant_id=node.id) + "#org")
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _detail(node, 422, org_errors=["请上传 Excel 文件（.xlsx）"])
        try:
            rows = org_import.read_sheet(upload.stream)
        except org_import.OrgSheetError as exc:
            return _detail(node, 422, org_errors=[str(exc)])
        planned = org_import.plan_rows(node, rows)
        payload = json.dumps(
            [{"row": r.row, "name": r.name, "parent": r.parent, "kind_text": r.kind_text} for r in planned],
            ensure_ascii=False,
        )
        return _detail(node, org_rows=planned, org_payload=payload)


@bp.route("/onboarding/<int:tenant_id>/admins", methods=["POST"])
@permission("platform.manage")
def onboarding_admin(tenant_id: int):
    """A new office admin and their one-time link, shown on this page only."""
    _platform_admin()
    from marshmallow import EXCLUDE

    from core.api.onboarding import AdminCreateSchema
    from core.auth import password_links

    with system_scope():
        node = _jurisdiction_or_404(tenant_id)
        errors = AdminCreateSchema(unknown=EXCLUDE).validate(request.form)  # csrf_token besides
        if errors:
            return _detail(node, 422, admin_errors=errors)
        try:
            user, token, expires = password_links.create_admin(
                node, request.form["username"].strip(), request.form["display_name"].strip()
            )
        except password_links.UsernameTaken:
            db.session.rollback()
            return _detail(node, 409, admin_errors={"username": ["该用户名已被使用"]})
        db.session.commit()
        link = url_for("password_links.set_password", token=token, _external=True)
        return _detail(node, admin_link={"user": user.username, "url": link, "expires_at": expires})


@bp.route("/tenants/<int:tenant_id>/export")
@permission("user.manage")
def tenant_export(tenant_id: int):
    """The jurisdiction's zip (``core.tenancy.transfer``) for its office admin or the platform admin."""
    from core.api.onboarding import export_response
    from core.web.views import get_visible_or_404

    if g.principal.is_platform_admin:
        with system_scope():
            node = _jurisdiction_or_404(tenant_id, reading=True)
    else:
        node = get_visible_or_404(TenantNode, tenant_id)
    jurisdiction = node
    if not node.is_jurisdiction:
        with system_scope():
            jurisdiction = db.session.get(TenantNode, node.jurisdiction_id)
    if not g.principal.can_at("user.manage", jurisdiction):
        abort(403, description="只有本辖区清欠办管理员或平台管理员可以导出辖区的全部数据")
    return export_response(jurisdiction)
