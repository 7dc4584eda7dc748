"""One-time password links: a hosted jurisdiction's first office admin chooses their own password.

The platform admin never learns it: the API answers a link (shown once), only its SHA-256 is stored, and
the link ends when used or after ``LINK_HOURS``. The page is ``/password/set/<token>`` (public).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import Blueprint, render_template, request

from core import clock
from core.auth.models import PasswordSetToken, Role, RoleAssignment, User
from core.auth.permissions import public
from core.extensions import db
from core.tenancy.models import TenantNode

LINK_HOURS = 72
MIN_PASSWORD = 10


class UsernameTaken(ValueError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User) -> tuple[str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    now = clock.utcnow()
    expires = now + dt.timedelta(hours=LINK_HOURS)
    db.session.add(
        PasswordSetToken(token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=expires)
    )
    return token, expires


def create_admin(jurisdiction: TenantNode, username: str, display_name: str) -> tuple[User, str, dt.datetime]:
    """A new office admin of ``jurisdiction`` without a usable password, and their one-time link."""
    if db.session.scalar(db.select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken(username)
    user = User(username=username, display_name=display_name)
    db.session.add(user)
    db.session.flush()
    db.session.add(
        RoleAssignment(
            user_id=user.id, node_id=jurisdiction.id, jurisdiction_id=jurisdiction.id, role=Role.OFFICE_ADMIN
        )
    )
    token, expires = issue(user)
    db.session.flush()
    return user, token, expires


def valid_link(token: str) -> PasswordSetToken | None:
    row = db.session.scalar(db.select(PasswordSetToken).where(PasswordSetToken.token_hash == _hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= clock.utcnow():
        return None
    return row


def use(token: str, password: str) -> User:
    row = valid_link(token)
    if row is None:
        raise ValueError("链接无效、已使用或已过期，请联系平台管理员重新发送")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 位")
    row.user.set_password(password)
    row.used_at = clock.utcnow()
    db.session.flush()
    return row.user


bp = Blueprint("password_links", __name__)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    error, done = None, False
    if request.method == "POST":
        password = request.form.get("password") or ""
        if password != (request.form.get("confirm") or ""):
            error = "两次输入的密码不一致"
        else:
            try:
                use(token, password)
                db.session.commit()
                done = True
            except ValueError as exc:
                db.session.rollback()
                error = str(exc)
    elif valid_link(token) is None:
        error = "链接无效、已使用或已过期，请联系平台管理员重新发送"
    status = 200 if done or error is None or request.method == "POST" else 404
    return render_template("password_set.html", error=error, done=done, token=token), status
