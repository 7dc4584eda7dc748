"""Abuse controls that hold behind a reverse proxy (issue 13 point 4, issue 22 point 7).

Before: limits keyed on ``remote_addr``, so behind a proxy every client shared one counter; ten wrong
passwords locked the account for everyone (the right password then got 429), one address could try ten
passwords at every account, and without Redis each worker counted alone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core import clock, create_app
from core.auth import login_throttle, ratelimit
from core.auth.proxies import TrustedProxies, client_address, parse_networks
from core.auth.ratelimit import RateLimitCounter
from core.config import TestConfig
from core.extensions import db
from tests.conftest import REDIS_URL, make_config, vars_of
from tests.test_web import PASSWORD, csrf_token

PROXY = "10.0.0.2"
USER_ADDRESS = "198.51.100.7"
ATTACKER = "203.0.113.5"
T0 = dt.datetime(2026, 12, 3, 8, 0, 0)


@pytest.fixture
def behind_proxy(app):
    app.config["TRUSTED_PROXIES"] = "10.0.0.0/24"
    with clock.frozen(app, T0):
        yield app
    app.config["TRUSTED_PROXIES"] = ""


def attempt(app, username, password, address, proxy=PROXY):
    """A login from ``address`` through the proxy, in a fresh browser."""
    client = app.test_client()
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers={"X-Forwarded-For": f"{address}, {proxy}" if proxy != PROXY else address},
        environ_base={"REMOTE_ADDR": proxy},
    )


def test_failures_elsewhere_do_not_lock_out_the_user_at_a_known_address(behind_proxy, world):
    """Regression: ten failures from one client locked the account for every client behind the proxy."""
    app = behind_proxy
    assert attempt(app, "office_a", PASSWORD, USER_ADDRESS).status_code == 302
    for _ in range(10):
        assert attempt(app, "office_a", "wrong-password", ATTACKER).status_code in (401, 429)
    held = attempt(app, "office_a", PASSWORD, ATTACKER)
    assert held.status_code == 429 and int(held.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in held.get_data(as_text=True)
    assert attempt(app, "office_a", PASSWORD, USER_ADDRESS).status_code == 302
    # Another account is not held by office_a's failures.
    assert attempt(app, "clerk_a1", PASSWORD, ATTACKER).status_code == 302


def test_the_hold_doubles_with_each_failure_and_a_success_clears_it(behind_proxy, world):
    app = behind_proxy
    for _ in range(login_throttle.FREE_FAILURES - 1):
        assert attempt(app, "office_a", "wrong-password", ATTACKER).status_code == 401
    assert attempt(app, "office_a", "wrong-password", ATTACKER).status_code == 401  # the 5th: held 30 s
    waits = []
    for step in range(3):
        r = attempt(app, "office_a", "wrong-password", ATTACKER)
        assert r.status_code == 429
        waits.append(int(r.headers["Retry-After"]))
        with clock.frozen(app, T0 + dt.timedelta(seconds=sum(30 * 2**i for i in range(step + 1)) + 1)):
            assert attempt(app, "office_a", "wrong-password", ATTACKER).status_code == 401
        app.config["CLOCK_NOW"] = T0 + dt.timedelta(seconds=sum(30 * 2**i for i in range(step + 1)) + 1)
    assert waits == [30, 60, 120]
    # From a new address the right password waits too, then passes and clears the count.
    now = app.config["CLOCK_NOW"]
    assert attempt(app, "office_a", PASSWORD, USER_ADDRESS).status_code == 429
    with clock.frozen(app, now + dt.timedelta(seconds=241)):
        assert attempt(app, "office_a", PASSWORD, USER_ADDRESS).status_code == 302
        assert attempt(app, "office_a", "wrong-password", ATTACKER).status_code == 401
        assert attempt(app, "office_a", PASSWORD, ATTACKER).status_code == 302


def test_backoff_is_exponential_and_capped():
    assert [login_throttle.backoff_seconds(n) for n in range(4, 9)] == [0, 30, 60, 120, 240]
    assert login_throttle.backoff_seconds(40) == login_throttle.BACKOFF_MAX_SECONDS


def test_one_address_cannot_spray_every_account(behind_proxy, world, monkeypatch):
    """Regression: the limit was per (address, account), so one address could try ten at each account."""
    monkeypatch.setattr(
        login_throttle, "ADDRESS_FAILURES", ratelimit.Limit("login-address", max_hits=3, window_seconds=900)
    )
    app = behind_proxy
    for user in ("office_a", "clerk_a1", "clerk_a2"):
        assert attempt(app, user, "wrong-password", ATTACKER).status_code == 401
    r = attempt(app, "leader_a", PASSWORD, ATTACKER)
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 900
    assert attempt(app, "leader_a", PASSWORD, USER_ADDRESS).status_code == 302


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(behind_proxy, world, monkeypatch):
    monkeypatch.setattr(
        login_throttle, "ADDRESS_FAILURES", ratelimit.Limit("login-address", max_hits=2, window_seconds=900)
    )
    app = behind_proxy
    # A client reaching the app directly cannot pick a fresh address per attempt.
    for fake in ("192.0.2.1", "192.0.2.2"):
        assert attempt(app, "office_a", "wrong-password", fake, proxy="172.16.0.9").status_code == 401
    assert attempt(app, "clerk_a1", PASSWORD, "192.0.2.3", proxy="172.16.0.9").status_code == 429


def test_client_address_resolution():
    nets = parse_networks("10.0.0.0/24, 127.0.0.1")
    assert client_address("10.0.0.2", "203.0.113.5", nets) == "203.0.113.5"
    # A spoofed left part is not believed: the right-most untrusted address is the client.
    assert client_address("10.0.0.2", "1.2.3.4, 203.0.113.5", nets) == "203.0.113.5"
    assert client_address("10.0.0.2", "203.0.113.5, 127.0.0.1", nets) == "203.0.113.5"
    assert client_address("10.0.0.2", "garbage, 203.0.113.5", nets) == "203.0.113.5"
    assert client_address("10.0.0.2", "", nets) == "10.0.0.2"
    with pytest.raises(ValueError, match="QINGQIAN_TRUSTED_PROXIES"):
        parse_networks("10.0.0.0/33")


def test_the_proxy_scheme_and_address_are_believed_only_from_a_trusted_proxy(app):
    seen = {}

    def inner(environ, start_response):
        seen.update(addr=environ["REMOTE_ADDR"], scheme=environ["wsgi.url_scheme"])
        return []

    app.config["TRUSTED_PROXIES"] = "10.0.0.0/24"
    try:
        middleware = TrustedProxies(app, inner)
        headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": ATTACKER}
        middleware({"REMOTE_ADDR": PROXY, "wsgi.url_scheme": "http", **headers}, None)
        assert seen == {"addr": ATTACKER, "scheme": "https"}
        middleware({"REMOTE_ADDR": "192.0.2.1", "wsgi.url_scheme": "http", **headers}, None)
        assert seen == {"addr": "192.0.2.1", "scheme": "http"}
    finally:
        app.config["TRUSTED_PROXIES"] = ""
    middleware({"REMOTE_ADDR": PROXY, "wsgi.url_scheme": "http", **headers}, None)
    assert seen == {"addr": PROXY, "scheme": "http"}  # no proxy configured: headers ignored


def test_a_bad_trusted_proxy_setting_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGQIAN_INSTANCE_PATH", str(tmp_path / "instance"))
    config = {**vars_of(TestConfig), **make_config(tmp_path), "TRUSTED_PROXIES": "nginx.local"}
    with pytest.raises(ValueError, match="QINGQIAN_TRUSTED_PROXIES"):
        create_app(config)


def test_counters_without_redis_are_shared_by_every_worker(app, world, session_tmp):
    """Regression: without Redis each process counted alone. Two apps stand for two gunicorn workers."""
    assert not app.config.get("REDIS_URL")
    other = create_app({**vars_of(TestConfig), **make_config(session_tmp)})
    with clock.frozen(app, T0), clock.frozen(other, T0):
        for _ in range(login_throttle.FREE_FAILURES):
            assert (
                attempt(app, "office_a", "wrong-password", "127.0.0.1", proxy="127.0.0.1").status_code == 401
            )
        with other.app_context():
            r = attempt(other, "office_a", PASSWORD, "127.0.0.1", proxy="127.0.0.1")
        assert r.status_code == 429
    assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) >= 2


def test_database_counter_windows(app):
    rule = ratelimit.Limit("unit-test", max_hits=2, window_seconds=60)
    with clock.frozen(app, T0):
        assert [bool(ratelimit.hit(rule, "x")) for _ in range(3)] == [True, True, False]
        assert ratelimit.retry_after(rule, "x") == 60
    with clock.frozen(app, T0 + dt.timedelta(seconds=45)):
        assert ratelimit.retry_after(rule, "x") == 15
    with clock.frozen(app, T0 + dt.timedelta(seconds=61)):
        assert not ratelimit.exceeded(rule, "x")
        verdict = ratelimit.hit(rule, "x")
        assert verdict and verdict.count == 1 and verdict.retry_after == 60


@pytest.mark.redis
def test_redis_counters(app):
    from redis import Redis

    app.config["REDIS_URL"] = REDIS_URL
    rule = ratelimit.Limit("unit-test-redis", max_hits=1, window_seconds=30)
    try:
        ratelimit.reset(rule, "y")
        assert ratelimit.hit(rule, "y") and not ratelimit.hit(rule, "y")
        assert 0 < ratelimit.retry_after(rule, "y") <= 30
        ratelimit.block("unit-test-hold", "y", 20)
        assert 0 < ratelimit.blocked_for("unit-test-hold", "y") <= 20
        assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 0
    finally:
        ratelimit.reset(rule, "y")
        ratelimit.unblock("unit-test-hold", "y")
        Redis.from_url(REDIS_URL).close()
        app.config["REDIS_URL"] = None
        app.extensions.pop("qingqian.ratelimit.redis", None)


def test_every_429_says_when_to_come_back(app):
    from flask import Response

    with app.test_request_context("/"):
        bare = app.process_response(Response(status=429))
        exact = app.process_response(Response(status=429, headers={"Retry-After": "7"}))
    assert bare.headers["Retry-After"] == "60" and exact.headers["Retry-After"] == "7"
