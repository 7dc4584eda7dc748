"""Web shell views: login, logout, jurisdiction switch, dashboard, jobs and plugins.

Debt, enterprise and tenant pages live in ``debt_pages`` and ``tenant_pages`` on the same blueprint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.security import generate_password_hash

from core import clock
from core.auth import login_throttle
from core.auth.context import jurisdictions_of
from core.auth.gate import login_user, logout_user
from core.auth.models import ROLE_LABELS, Role, User
from core.auth.permissions import AUTHENTICATED, permission, public, requester_only
from core.extensions import csrf, db
from core.jobs import job_labels
from core.jobs.models import JOB_STATUS_LABELS, Job, JobStatus
from core.plugins import enabled_plugins, flatten, get_pm, is_core, plugin_enabled
from core.services.checks import calendar_gaps
from core.services.dashboard import RATE_SCOPES, summary
from core.services.milestones import milestone_progress
from core.tenancy.isolation import visible
from core.tenancy.plans import plan_for, stored_plan
from core.units import UNITS, exact_total
from core.web.nav import NavItem, TodoItem, Widget

bp = Blueprint("web", __name__, template_folder="templates", static_folder=None)

LOGIN_ERROR = "用户名或密码错误"
LOGIN_LOCKED = "登录失败次数过多，请{wait}后再试"
PAGE_SIZE = 20
_dummy_hash: str | None = None


# --- Shell ----------------------------------------------------------------------------------------


@bp.app_context_processor
def shell_context() -> dict[str, Any]:
    """What base.html needs on every page, error pages included."""
    principal = g.get("principal")
    if principal is None:
        return {"shell": {"principal": None, "nav": [], "jurisdictions": [], "roles": []}}
    return {
        "shell": {
            "principal": principal,
            "user": principal.user,
            "jurisdiction": principal.jurisdiction,
            "jurisdictions": jurisdictions_of(principal.user),
            "nav": nav_items(),
            "roles": sorted(
                {
                    ROLE_LABELS.get(Role(role), role) + (f"（{node.name}）" if node is not None else "")
                    for role, node in principal.role_nodes
                }
            ),
        }
    }


def nav_items() -> list[dict[str, Any]]:
    principal = g.principal
    tenant = principal.jurisdiction
    caller = get_pm().hook_for(tenant, "qingqian_nav_items")
    items: list[NavItem] = [
        i for i in flatten(caller(tenant=tenant, user=principal.user)) if isinstance(i, NavItem)
    ]
    out = []
    path = request.path if request else "/"
    for item in sorted(items, key=lambda i: (i.order, i.label)):
        if item.permission and not principal.can(item.permission):
            continue
        if item.plugin and not plugin_enabled(item.plugin, tenant):
            continue
        href = item.href()
        if href is None:
            continue
        out.append({"label": item.label, "href": href, "icon": item.icon, "active": False})
    active = active_nav_index([i["href"] for i in out], path)
    if active is not None:
        out[active]["active"] = True
    return out


def active_nav_index(hrefs: list[str], path: str) -> int | None:
    """The one item the page belongs to: the longest link that is the path or a folder above it.

    "/complaints" and "/complaints/board" both prefix "/complaints/board"; only the board is lit.
    """
    best: tuple[int, int] | None = None
    for index, href in enumerate(hrefs):
        base = href.split("?", 1)[0]
        below = path == base or path.startswith(base.rstrip("/") + "/")
        hit = path == "/" if base == "/" else below
        if hit and (best is None or len(base) > best[1]):
            best = (index, len(base))
    return None if best is None else best[0]


@bp.app_template_global()
def page_url(page: int) -> str:
    """This page's URL with every filter kept and only the page number changed."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return request.path + "?" + urlencode([*pairs, ("page", str(page))])


@bp.app_template_global()
def sort_url(key: str) -> str:
    """This page's URL with every filter kept, sorted by ``key`` and back on the first page."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "sort")]
    return request.path + "?" + urlencode([*pairs, ("sort", key)])


def get_visible_or_404(model, ident: Any):
    """Load through the isolation filter: another tenant's object is simply not found."""
    obj = visible(model, ident)
    if obj is None:
        abort(404)
    return obj


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def paginate_stmt(stmt, page: int, size: int = PAGE_SIZE) -> tuple[list, dict[str, int]]:
    total = db.session.scalar(db.select(db.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(page, pages)
    rows = list(db.session.scalars(stmt.limit(size).offset((page - 1) * size)).unique())
    return rows, {"page": page, "pages": pages, "total": total, "size": size}


def stmt_totals(stmt, *columns: str, **expressions) -> dict[str, Any]:
    """The 合计 of a list that pages through ``stmt``: over every row in scope, not just the page shown.

    ``columns`` are money columns of the selected rows, by name; ``expressions`` name a SQL expression built
    from those columns (``unreturned=lambda c: db.case((c.returned_on.is_(None), c.amount), else_=0)``).
    Sums are exact (to the fen) and rounded only when shown (core.units). Returns ``count`` and each sum.
    """
    sub = stmt.order_by(None).subquery()
    sums = {name: sub.c[name] for name in columns}
    sums.update({name: build(sub.c) for name, build in expressions.items()})
    columns_out = (db.func.coalesce(db.func.sum(e), 0) for e in sums.values())
    row = db.session.execute(db.select(db.func.count(), *columns_out).select_from(sub)).one()
    totals = {name: exact_total([v]) for name, v in zip(sums, row[1:], strict=True)}
    return {"count": int(row[0] or 0), **totals}


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links; answer it rather than log a 404."""
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=86400)


# --- Login ----------------------------------------------------------------------------------------


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: an absolute or scheme-relative URL would make login an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _check_credentials(username: str, password: str) -> User | None:
    global _dummy_hash
    user = db.session.scalar(db.select(User).where(User.username == username)) if username else None
    if user is None or not user.password_hash:
        # Hash anyway so a missing user costs as long as a wrong password and names cannot be probed.
        if _dummy_hash is None:
            _dummy_hash = generate_password_hash("qingqian-timing-equaliser")
        from werkzeug.security import check_password_hash

        check_password_hash(_dummy_hash, password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


def _wait_text(seconds: int) -> str:
    return f"{seconds}秒" if seconds < 60 else f"{-(-seconds // 60)}分钟"


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET" and g.principal is not None:
        return redirect(next_url or url_for("web.dashboard"))
    error = None
    username = ""
    if request.method == "POST":
        try:
            csrf.protect()
        except CSRFError:
            abort(400, description="页面已过期或来源不明，请刷新登录页后重试")
        username = (request.form.get("username") or "").strip()
        address = request.remote_addr or "unknown"
        wait = login_throttle.wait_seconds(username, address)
        if wait:
            error = LOGIN_LOCKED.format(wait=_wait_text(wait))
            page = render_template("login.html", error=error, username=username, next_url=next_url)
            return page, 429, {"Retry-After": str(wait)}
        user = _check_credentials(username, request.form.get("password") or "")
        if user is None:
            error = LOGIN_ERROR
            login_throttle.failed(username, address)
            current_app.logger.info("failed login for %r from %s", username, address)
        else:
            login_throttle.succeeded(username, address)
            login_user(user)
            db.session.commit()
            return redirect(next_url or url_for("web.dashboard"))
    return render_template(
        "login.html", error=error, username=username, next_url=next_url
    ), 401 if error else 200


@bp.route("/logout", methods=["POST"])
@permission(AUTHENTICATED)
def logout():
    logout_user()
    db.session.commit()
    flash("您已安全退出", "success")
    return redirect(url_for("web.login"))


@bp.route("/switch-tenant", methods=["POST"])
@permission(AUTHENTICATED)
def switch_tenant():
    code = request.form.get("tenant_code", "")
    target = next((j for j in jurisdictions_of(g.principal.user) if j.code == code), None)
    if target is None:
        abort(404)
    session["tenant_code"] = target.code
    flash(f"已切换到：{target.name}", "success")
    return redirect(url_for("web.dashboard"))


@bp.route("/preferences/money-unit", methods=["POST"])
@permission(AUTHENTICATED)
def money_unit():
    """Keep the reader's table unit (万元 or 元) and go back to the page the switch was on."""
    unit = request.form.get("unit")
    if unit not in UNITS:
        abort(400, description="金额单位只能是万元或元")
    g.principal.user.money_unit = unit
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("web.dashboard"))


# --- Dashboard ------------------------------------------------------------------------------------


def dashboard_widgets() -> list[dict[str, Any]]:
    principal = g.principal
    tenant = principal.jurisdiction
    caller = get_pm().hook_for(tenant, "qingqian_dashboard_widgets")
    widgets = [w for w in flatten(caller(tenant=tenant, user=principal.user)) if isinstance(w, Widget)]
    out = []
    for widget in sorted(widgets, key=lambda w: (w.order, w.title)):
        if widget.permission and not principal.can(widget.permission):
            continue
        try:
            if widget.template:
                body = Markup(
                    render_template(widget.template, widget=widget, tenant=tenant, user=principal.user)
                )
            elif widget.html:
                body = Markup(widget.html())
            else:
                continue
        except Exception:
            # One broken plugin panel must not take the whole dashboard down.
            current_app.logger.exception("dashboard widget %r failed", widget.title)
            body = Markup('<p class="muted">该组件暂时无法显示</p>')
        out.append({"title": widget.title, "body": body})
    return out


def todo_items() -> list[TodoItem]:
    """The user's to-do list from every enabled plugin, most urgent first (undated items last)."""
    principal = g.principal
    tenant = principal.jurisdiction
    caller = get_pm().hook_for(tenant, "qingqian_todo_items")
    try:
        found = flatten(caller(tenant=tenant, user=principal.user))
    except Exception:
        current_app.logger.exception("to-do items failed")
        return []
    items = [
        i for i in found if isinstance(i, TodoItem) and (not i.permission or principal.can(i.permission))
    ]
    return sorted(items, key=lambda i: (i.due is None, i.due or clock.today(tenant), i.order, i.label))


@bp.route("/")
@permission("dashboard.read")
def dashboard():
    jurisdiction = g.principal.jurisdiction
    today = clock.today(jurisdiction)
    data = summary(today)
    plan = plan_for(jurisdiction, on=today) if jurisdiction is not None else {}
    chart_data = {
        "by_unit": [
            {"name": u["name"], "cleared": str(u["cleared"]), "outstanding": str(u["outstanding"])}
            for u in data["by_unit"]
        ],
        "by_category": [{"name": c["label"], "value": str(c["outstanding"])} for c in data["by_category"]],
        "by_status": [{"name": s["label"], "value": s["count"]} for s in data["by_status"] if s["count"]],
        "overdue": [{"name": b["label"], "value": str(b["amount"])} for b in data["overdue_buckets"]],
    }
    return render_template(
        "dashboard.html",
        data=data,
        chart_data=chart_data,
        deadlines=milestone_progress(jurisdiction, plan, today),
        calendar_gaps=calendar_gaps(stored_plan(jurisdiction), today)
        # For the office (the whole jurisdiction's managers): they are the ones who can get it fixed.
        if jurisdiction is not None
        and g.principal.can("tenant.manage")
        and g.principal.scope.whole_jurisdiction
        else [],
        plan_year=plan.get("year"),
        plan_name=plan.get("name"),
        widgets=dashboard_widgets(),
        today=today,
        rate_scopes=RATE_SCOPES,
        todos=todo_items(),
    )


# --- Background list exports ---------------------------------------------------------------------


def _own_export_job(job_id: str) -> Job:
    """An export job of the signed-in user (another user's answers 404: the file holds their view)."""
    job = get_visible_or_404(Job, job_id)
    if job.user_id != g.principal.user.id or "query" not in (job.params or {}):
        abort(404)
    return job


@bp.route("/exports/<string:job_id>")
@permission(AUTHENTICATED)
@requester_only
def export_status(job_id: str):
    """A large list being exported: its progress, then the download link (core.list_exports)."""
    from core.list_exports import ready_file

    job = _own_export_job(job_id)
    return render_template(
        "export_status.html",
        job=job,
        label=job_labels(get_pm()).get(job.name, job.name),
        status_label=JOB_STATUS_LABELS.get(job.status, job.status),
        ready=ready_file(job) is not None,
    )


@bp.route("/exports/<string:job_id>/file")
@permission(AUTHENTICATED)
@requester_only
def export_file(job_id: str):
    from core.list_exports import XLSX, ready_file

    job = _own_export_job(job_id)
    path = ready_file(job)
    if path is None:
        abort(404, description="导出文件尚未生成或已过期，请重新导出")
    return send_file(path, mimetype=XLSX, as_attachment=True, download_name=job.result["filename"])


# --- Jobs and plugins -----------------------------------------------------------------------------


@bp.route("/jobs")
@permission("system.read")
def jobs():
    stmt = db.select(Job)
    status = request.args.get("status")
    if status in {s.value for s in JobStatus}:
        stmt = stmt.where(Job.status == status)
    rows, pager = paginate_stmt(stmt.order_by(Job.created_at.desc()), page_number())
    pm = get_pm()
    return render_template(
        "jobs.html",
        jobs=rows,
        pager=pager,
        status=status,
        status_labels=JOB_STATUS_LABELS,
        job_labels=job_labels(pm),
        plugin_labels={info.name: info.label for info in pm.infos()},
    )


@bp.route("/plugins")
@permission("system.read")
def plugins():
    tenant = g.principal.jurisdiction
    infos = [
        {"info": info, "enabled": plugin_enabled(info.name, tenant), "core": is_core(info.name)}
        for info in get_pm().infos()
    ]
    # A plan may name a plugin this installation lacks (a typo, or one not installed yet): say so.
    installed = {info.name for info in get_pm().infos()}
    missing = [name for name in enabled_plugins(tenant) if name not in installed] if tenant else []
    return render_template("plugins.html", plugins=infos, missing=missing)


@bp.route("/plan")
@permission("plan.read")
def plan():
    from core.tenancy.plan_report import plan_report, value_text

    tenant = g.principal.jurisdiction
    if tenant is None:
        abort(404)
    on = None
    if request.args.get("on"):
        try:
            on = dt.date.fromisoformat(request.args["on"])
        except ValueError:
            flash("日期格式应为 YYYY-MM-DD，已显示今天生效的方案", "warning")
    report = plan_report(tenant, on)
    return render_template("plan.html", report=report, value_text=value_text, on=on)


from core.web import debt_pages, onboarding_pages, tenant_pages  # noqa: E402,F401  (routes on this blueprint)
