"""Server-side login sessions: the cookie holds a random id, the ``user_sessions`` row holds the login.

A copied cookie is worth nothing once its row is gone: logout deletes the row, and a password change or a
deactivation deletes every row of the user (``_end_on_credential_change``, whichever code path makes it:
CLI, web page or API). Nothing derived from the password travels in the cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import delete, event, inspect, update
from sqlalchemy.orm import Session

from core import clock
from core.auth.models import User, UserSession
from core.extensions import db
from core.services.quiet_writes import write_without_waiting

# Writing on every request would serialise readers on SQLite; a minute's precision is enough.
TOUCH_EVERY = dt.timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime() -> dt.timedelta:
    value = current_app.config.get("PERMANENT_SESSION_LIFETIME", 8 * 3600)
    return value if isinstance(value, dt.timedelta) else dt.timedelta(seconds=int(value))


def start(user: User) -> str:
    """Open a session for ``user`` and return the id to put in the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = clock.utcnow()
    db.session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + _lifetime(),
        )
    )
    # Expired rows of anyone are swept here rather than by a job: logins are rare and the delete is indexed.
    db.session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    return token


def user_for(token: str | None) -> User | None:
    """The active user a session id belongs to, or None (unknown, ended, expired or deactivated)."""
    if not token or not isinstance(token, str):
        return None
    row = db.session.scalar(db.select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None:
        return None
    now = clock.utcnow()
    if row.expires_at <= now:
        # Not in the request's transaction: a browser polling during a long SQLite import commit must not
        # wait for the write lock (the sweep at the next login removes the row if this is skipped).
        write_without_waiting(delete(UserSession).where(UserSession.id == row.id))
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        write_without_waiting(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    return user


def end(token: str | None) -> None:
    """End one session (logout). Unknown ids are ignored."""
    if token and isinstance(token, str):
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_all(user_id: int) -> None:
    """End every session of a user."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))


@event.listens_for(Session, "after_flush")
def _end_on_credential_change(session: Session, _flush_context) -> None:
    ended = []
    for obj in session.dirty:
        if not isinstance(obj, User):
            continue
        state = inspect(obj)
        password = state.attrs.password_hash.history
        active = state.attrs.active.history
        if password.has_changes() or (active.has_changes() and not obj.active):
            ended.append(obj.id)
    if ended:
        session.connection().execute(delete(UserSession).where(UserSession.user_id.in_(ended)))
