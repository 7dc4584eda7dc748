"""The one business clock: every "today" and "now" in core and plugins comes from here.

The business day is the jurisdiction's (its plan's ``timezone``, else the app's ``TIMEZONE``, else
Asia/Shanghai): a payment made at 07:00 Beijing time on 4 December is made on 4 December even though the
server's UTC clock still says 3 December. Timestamps are stored as naive UTC (``utcnow``) and shown in the
jurisdiction's zone (``to_local``).

Tests and demos pin the clock with the ``CLOCK_NOW`` setting (an ISO timestamp; a naive one is UTC), read
per app so a browser test's server thread sees the same instant as the test; ``frozen(app, when)`` sets it
for a block.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, g, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _current_zone_name() -> str | None:
    """The zone of the jurisdiction whose request or job is being served, if its plan names one."""
    if not has_app_context():
        return None
    return getattr(g.get("principal"), "timezone", None)


def zone_name(node=None) -> str:
    """The IANA zone of ``node``'s jurisdiction (its plan's ``timezone``), else the app's, else Beijing.

    Without ``node``, the jurisdiction of the current request or job is used.
    """
    if node is None and (name := _current_zone_name()):
        return name
    if node is not None:
        # Per request or job, like the plans themselves: an import asks once per row for the same units.
        cache = g.setdefault("qingqian_zone_cache", {}) if has_app_context() else None
        key = getattr(node, "id", None)
        if cache is not None and key is not None and key in cache:
            return cache[key]
        from core.tenancy.plans import plan_for

        name = (plan_for(node) or {}).get("timezone")
        if not name:
            name = (current_app.config.get("TIMEZONE") if has_app_context() else None) or DEFAULT_TIMEZONE
        if cache is not None and key is not None:
            cache[key] = str(name)
        return str(name)
    if has_app_context():
        return current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def zone(node=None) -> ZoneInfo:
    return zone_named(zone_name(node))


def zone_named(name: str | None) -> ZoneInfo:
    """The zone called ``name``; the app's (else Beijing) when it is empty or unknown."""
    if not name and has_app_context():
        name = current_app.config.get("TIMEZONE")
    try:
        return _zone(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return _zone(DEFAULT_TIMEZONE)


def is_zone(name: str) -> bool:
    """Whether ``name`` is a known IANA zone (for validating a plan's ``timezone``)."""
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def today_in(name: str | None) -> dt.date:
    """Today in the zone called ``name`` (for code that has a plan but not yet a node, e.g. choosing the
    plan's year, which ``zone(node)`` itself depends on)."""
    return now_utc().astimezone(zone_named(name)).date()


def _pinned(app: Flask | None = None) -> dt.datetime | None:
    if app is None:
        if not has_app_context():
            return None
        app = current_app
    value = app.config.get("CLOCK_NOW")
    if not value:
        return None
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def now_utc() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    return _pinned() or dt.datetime.now(dt.UTC)


def utcnow() -> dt.datetime:
    """The current instant as stored in the database: naive UTC."""
    return now_utc().astimezone(dt.UTC).replace(tzinfo=None)


def now(node=None) -> dt.datetime:
    """The jurisdiction's wall clock, timezone-aware."""
    return now_utc().astimezone(zone(node))


def today(node=None) -> dt.date:
    """The jurisdiction's business date: what "today", "overdue" and every deadline are computed on."""
    return now(node).date()


def to_local(stamp: dt.datetime | None, node=None) -> dt.datetime | None:
    """A stored timestamp (naive = UTC) in the jurisdiction's zone, timezone-aware."""
    if stamp is None:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(zone(node))


def local_date(stamp: dt.datetime | None, node=None) -> dt.date | None:
    """The jurisdiction's date of a stored timestamp."""
    local = to_local(stamp, node)
    return local.date() if local else None


@contextlib.contextmanager
def frozen(app: Flask, when: dt.datetime | str) -> Iterator[None]:
    """Pin ``app``'s clock to ``when`` (naive = UTC) for the block; for tests and reproducible demos."""
    before = app.config.get("CLOCK_NOW")
    app.config["CLOCK_NOW"] = when
    try:
        yield
    finally:
        app.config["CLOCK_NOW"] = before
