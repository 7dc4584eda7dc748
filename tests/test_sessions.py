"""Server-side login sessions: a cookie is only a session id, and ending the session ends the cookie.

Regressions of issue 13: logout left a copied cookie valid for eight hours, and the cookie carried the
tail of the password hash.
"""

from __future__ import annotations

import datetime as dt

from core import clock
from core.auth.models import User, UserSession
from core.extensions import db
from core.tenancy.scope import system_scope
from tests.test_cli import run
from tests.test_web import csrf_token, login

COOKIE = "qingqian_session"


def _cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def _copy(app, client):
    """A second browser holding a copy of ``client``'s cookie (what a thief or a shared machine has)."""
    other = app.test_client()
    other.set_cookie(COOKIE, _cookie(client))
    return other


def _signed_in(client) -> bool:
    r = client.get("/")
    if r.status_code == 302:
        assert "/login" in r.headers["Location"]
        return False
    assert r.status_code == 200, r.status_code
    return True


def _sessions_of(username: str) -> int:
    with system_scope():
        user = db.session.scalar(db.select(User).where(User.username == username))
        return db.session.scalar(
            db.select(db.func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
        )


def test_a_copied_cookie_stops_working_at_logout(app, client, world):
    login(client, "clerk_a1")
    thief = _copy(app, client)
    assert _signed_in(thief)

    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 302

    assert not _signed_in(thief)
    assert not _signed_in(client)
    assert _sessions_of("clerk_a1") == 0
    r = thief.get("/api/v1/debts")
    assert r.status_code == 401


def test_logout_ends_only_that_session(app, client, world):
    login(client, "office_a")
    laptop = app.test_client()
    login(laptop, "office_a")
    assert _sessions_of("office_a") == 2

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(client)
    assert _signed_in(laptop)


def test_a_password_change_ends_every_session_of_the_user(app, client, world):
    login(client, "clerk_a1")
    other = app.test_client()
    login(other, "clerk_a2")
    thief = _copy(app, client)

    run(app, "user", "set-password", "clerk_a1", input="new-password-9\nnew-password-9\n")

    assert not _signed_in(client)
    assert not _signed_in(thief)
    assert _signed_in(other)  # someone else's session is untouched
    r = login(client, "clerk_a1", "new-password-9")
    assert r.status_code == 302
    assert _signed_in(client)


def test_a_password_change_made_by_code_ends_sessions_too(app, client, world):
    """The rule sits on the user row, not in the CLI: any code path that changes the password ends them."""
    login(client, "clerk_a1")
    with system_scope():
        user = db.session.scalar(db.select(User).where(User.username == "clerk_a1"))
        user.set_password("another-pass-7")
        db.session.commit()
    assert not _signed_in(client)


def test_deactivation_ends_every_session_at_once(app, client, world):
    login(client, "clerk_a1")
    thief = _copy(app, client)

    result = run(app, "user", "deactivate", "clerk_a1")
    assert "已停用" in result.output

    assert not _signed_in(client)
    assert not _signed_in(thief)
    assert _sessions_of("clerk_a1") == 0
    # Logging in again is refused while inactive, and works once the user is active again.
    assert login(client, "clerk_a1").status_code == 401
    run(app, "user", "activate", "clerk_a1")
    assert login(client, "clerk_a1").status_code == 302
    assert _signed_in(client)


def test_the_cookie_holds_a_session_id_and_nothing_from_the_password(app, client, world):
    login(client, "office_a")
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(_cookie(client))
    with system_scope():
        user = db.session.scalar(db.select(User).where(User.username == "office_a"))
        password_hash = user.password_hash
    assert set(data) <= {"sid", "_permanent", "csrf_token", "tenant_code", "_flashes"}, data
    assert "user_id" not in data and "auth_version" not in data
    for value in data.values():
        text = str(value)
        # No piece of the hash (the old cookie carried its last 12 characters).
        assert not any(password_hash[i : i + 8] in text for i in range(len(password_hash) - 8))
    # The session id is stored only as a hash.
    with system_scope():
        stored = db.session.scalars(db.select(UserSession.token_hash)).all()
    assert data["sid"] not in stored and len(stored) == 1


def test_a_session_ends_when_its_lifetime_is_over(app, client, world):
    login(client, "office_a")
    assert _signed_in(client)
    later = clock.now_utc() + dt.timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"] + 60)
    with clock.frozen(app, later):
        assert not _signed_in(client)
    assert _sessions_of("office_a") == 0


def test_a_forged_or_planted_session_id_signs_nobody_in(app, client, world):
    # Session fixation: an id planted in the victim's cookie before login is replaced at login.
    with client.session_transaction() as sess:
        sess["sid"] = "planted-by-someone-else"
    login(client, "office_a")
    fresh = app.session_interface.get_signing_serializer(app).loads(_cookie(client))["sid"]
    assert fresh != "planted-by-someone-else"
    assert _signed_in(client)

    forged = app.test_client()
    with forged.session_transaction() as sess:
        sess["sid"] = "planted-by-someone-else"
    assert not _signed_in(forged)
    with forged.session_transaction() as sess:  # what the old cookie carried
        sess["user_id"] = 1
        sess["auth_version"] = "x"
    assert not _signed_in(forged)
