"""The single gate every request passes: authenticate, choose the jurisdiction, set the scope, authorise.

Deny by default: a route that declares no permission is refused, so a forgotten decorator cannot open data.
"""

from __future__ import annotations

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import update

from core.auth import context, sessions
from core.auth.models import ApiToken, User
from core.auth.permissions import PUBLIC, required_permission
from core.clock import utcnow
from core.extensions import csrf, db
from core.plugins import plugin_enabled
from core.services.quiet_writes import write_without_waiting
from core.tenancy.scope import Scope, set_scope

TENANT_HEADER = "X-Qingqian-Tenant"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The only login datum in the (signed, readable) cookie: the id of a ``user_sessions`` row.
SESSION_KEY = "sid"


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _user_from_token() -> User | None | bool:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token.strip())))
    if row is None or row.revoked_at is not None or not row.user.active:
        return False
    now = utcnow()
    # Writing on every request would serialise readers on SQLite; a minute's precision is enough.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        _touch_token(row.id, now)
    return row.user


def _touch_token(token_id: int, now) -> None:
    """Record a token's use without ever waiting (a poll during a long SQLite import commit is not held up;
    a skipped stamp is written by a later request)."""
    write_without_waiting(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def _user_from_session() -> User | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    user = sessions.user_for(token)
    if user is None:
        session.clear()  # an ended session: drop the dead id (and what it held) from the cookie
    return user


def login_user(user: User) -> None:
    """Start a fresh server-side session (a new id, so one planted before login is worthless)."""
    sessions.end(session.get(SESSION_KEY))
    session.clear()
    session[SESSION_KEY] = sessions.start(user)
    session.permanent = True
    user.last_login_at = utcnow()


def logout_user() -> None:
    """End the session on the server too: the cookie, copied or not, no longer signs anyone in."""
    sessions.end(session.get(SESSION_KEY))
    session.clear()


def _plugin_of_request() -> str | None:
    mapping = current_app.extensions["qingqian.plugins"].blueprint_plugins
    for name in reversed(request.blueprints or []):
        if name in mapping:
            return mapping[name]
    return None


def before_request():
    g.principal = None
    # Per-request caches start empty, even where an app context is reused.
    g.pop("qingqian_plan_cache", None)
    g.pop("qingqian_zone_cache", None)
    set_scope(Scope.nothing())
    if request.endpoint is None or request.endpoint == "static" or request.endpoint.endswith(".static"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    needed = required_permission(view, request.method) if view else None
    if request.endpoint.startswith("api-docs."):
        needed = PUBLIC

    token_user = _user_from_token()
    if token_user is False:
        abort(401, description="令牌无效或已被吊销")
    user = token_user or _user_from_session()
    if user is not None and token_user is None and request.method not in SAFE_METHODS:
        try:
            csrf.protect()
        except CSRFError as exc:
            abort(400, description="CSRF 校验失败，请刷新页面后重试：" + str(exc.description))

    if user is not None:
        wanted = request.headers.get(TENANT_HEADER) or session.get("tenant_code")
        principal = context.resolve(user, wanted)
        g.principal = principal
        set_scope(principal.scope)

    if needed == PUBLIC:
        return None
    if user is None:
        if is_api_request():
            abort(401, description="需要登录或提供 API 令牌")
        return redirect(url_for("web.login", next=request.full_path if request.args else request.path))
    if needed is None:
        current_app.logger.error("route %s declares no permission; refused", request.endpoint)
        abort(403, description="该功能未声明访问权限")
    plugin = _plugin_of_request()
    if plugin is not None and not plugin_enabled(plugin, g.principal.jurisdiction):
        abort(404)
    if not g.principal.can(needed):
        landing = _landing_page() if request.endpoint == LANDING and request.method in SAFE_METHODS else None
        if landing:
            return redirect(landing)
        abort(403, description="您的角色无权执行此操作")
    return None


LANDING = "web.dashboard"


def _landing_page() -> str | None:
    """Where a role without the dashboard lands (e.g. a register-only role): its first navigation entry."""
    from core.web.views import nav_items

    return next((item["href"] for item in nav_items() if item["href"] != url_for(LANDING)), None)


def teardown_request(_exc=None):
    set_scope(Scope.nothing())
