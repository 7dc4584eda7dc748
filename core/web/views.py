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
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.security import generate_password_hash

from core.auth import ratelimit
from core.auth.context import jurisdictions_of
from core.auth.gate import login_user, logout_user
from core.auth.models import ROLE_LABELS, Role, User
from core.auth.permissions import AUTHENTICATED, permission, public
from core.extensions import csrf, db
from core.jobs import job_labels
from core.jobs.models import JOB_STATUS_LABELS, Job, JobStatus
from core.plugins import enabled_plugins, flatten, get_pm, is_core, plugin_enabled
from core.services.dashboard import summary
from core.tenancy.isolation import visible
from core.tenancy.plans import plan_for
from core.web.nav import NavItem, Widget

bp = Blueprint("web", __name__, template_folder="templates", static_folder=None)

LOGIN_ERROR = "用户名或密码错误"
LOGIN_LOCKED = "登录失败次数过多，请15分钟后再试"
# Guessing passwords is slowed per address and user name; a success clears the count.
LOGIN_LIMIT = ratelimit.Limit("login", max_hits=10, window_seconds=15 * 60)
PAGE_SIZE = 20
# Known plan deadline keys; a plan may name others in ``deadline_labels``.
DEADLINE_LABELS = {
    "ledger_complete": "台账摸排填报完成",
    "agreements_signed": "难点欠款签订还款协议、制定还款计划",
    "all_cleared": "全部清偿到位",
    "disclosure": "逾期未支付账款信息公开",
}
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
        active = path == href if href == "/" else path == href or path.startswith(href.rstrip("/") + "/")
        out.append({"label": item.label, "href": href, "icon": item.icon, "active": active})
    return out


@bp.app_template_global()
def page_url(page: int) -> str:
    """This page's URL with every filter kept and only the page number changed."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return request.path + "?" + urlencode([*pairs, ("page", str(page))])


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
        subject = f"{request.remote_addr}:{username.lower()}"
        if ratelimit.exceeded(LOGIN_LIMIT, subject):
            error = LOGIN_LOCKED
            return render_template("login.html", error=error, username=username, next_url=next_url), 429
        user = _check_credentials(username, request.form.get("password") or "")
        if user is None:
            error = LOGIN_ERROR
            ratelimit.hit(LOGIN_LIMIT, subject)
            current_app.logger.info("failed login for %r from %s", username, request.remote_addr)
        else:
            ratelimit.reset(LOGIN_LIMIT, subject)
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


# --- Dashboard ------------------------------------------------------------------------------------


def deadline_progress(plan: dict, today: dt.date) -> list[dict[str, Any]]:
    labels = {**DEADLINE_LABELS, **(plan.get("deadline_labels") or {})}
    out = []
    for key, value in (plan.get("deadlines") or {}).items():
        try:
            when = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            continue
        days = (when - today).days
        out.append({"key": key, "label": labels.get(key, key), "date": when, "days": days})
    return sorted(out, key=lambda d: d["date"])


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


@bp.route("/")
@permission("dashboard.read")
def dashboard():
    today = dt.date.today()
    data = summary(today)
    jurisdiction = g.principal.jurisdiction
    plan = plan_for(jurisdiction) if jurisdiction is not None else {}
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
        deadlines=deadline_progress(plan, today),
        plan_name=plan.get("name"),
        widgets=dashboard_widgets(),
        today=today,
    )


# --- Jobs and plugins -----------------------------------------------------------------------------


@bp.route("/jobs")
@permission("job.read")
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
@permission("plugin.read")
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


from core.web import debt_pages, tenant_pages  # noqa: E402,F401  (routes on this blueprint)
