"""Rate limits and lock-outs, counted where every worker sees the same numbers.

Counters live in Redis when ``REDIS_URL`` is set, else in the database (``rate_limit_counters``): never in
one process's memory, so four gunicorn workers do not each grant the limit. A limit is a fixed window
(``Limit``); ``block`` holds a subject off for a while (the login back-off). Every refusal knows how long it
lasts, for the ``Retry-After`` of its 429. Subjects are client addresses as ``core.auth.proxies`` resolved
them, account names, or both.

The database store writes through its own short transaction, so a counter survives the request's
rollback (a failed login writes nothing else); call it before the request writes anything of its own.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import DateTime, Integer, String, case, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.extensions import db


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_seconds: int


@dataclass(frozen=True)
class Verdict:
    """One counted event: ``count`` so far in the window; ``retry_after`` seconds until it resets."""

    allowed: bool
    count: int
    retry_after: int

    def __bool__(self) -> bool:
        return self.allowed


class RateLimitCounter(db.Model):
    """A counter of the database store; not tenant data (keys are addresses and account names)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class _RedisStore:
    def __init__(self, client) -> None:
        self.client = client

    def incr(self, key: str, seconds: int) -> tuple[int, int]:
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
        return int(count), max(int(ttl), 1)

    def get(self, key: str) -> tuple[int, int]:
        pipe = self.client.pipeline()
        pipe.get(key)
        pipe.ttl(key)
        value, ttl = pipe.execute()
        if value is None or int(ttl) == -2:
            return 0, 0
        return int(value), max(int(ttl), 1)

    def put(self, key: str, value: int, seconds: int) -> None:
        self.client.set(key, value, ex=max(int(seconds), 1))

    def delete(self, key: str) -> None:
        self.client.delete(key)


class _DatabaseStore:
    """Counters in ``rate_limit_counters``: an upsert per event, atomic on PostgreSQL and SQLite."""

    def _insert(self):
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(RateLimitCounter)

    @staticmethod
    def _left(expires_at: dt.datetime, now: dt.datetime) -> int:
        return max(int((expires_at - now).total_seconds() + 0.999), 1)

    def incr(self, key: str, seconds: int) -> tuple[int, int]:
        now = clock.utcnow()
        table = RateLimitCounter.__table__
        stmt = self._insert().values(key=key, count=1, expires_at=now + dt.timedelta(seconds=seconds))
        expired = table.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((expired, 1), else_=table.c.count + 1),
                "expires_at": case((expired, stmt.excluded.expires_at), else_=table.c.expires_at),
            },
        ).returning(table.c.count, table.c.expires_at)
        with db.engine.begin() as conn:
            count, expires_at = conn.execute(stmt).one()
            if random.random() < 0.01:  # noqa: S311  (housekeeping, not security)
                conn.execute(delete(RateLimitCounter).where(table.c.expires_at <= now))
        return int(count), self._left(expires_at, now)

    def get(self, key: str) -> tuple[int, int]:
        now = clock.utcnow()
        with db.engine.connect() as conn:
            row = conn.execute(
                select(RateLimitCounter.count, RateLimitCounter.expires_at).where(
                    RateLimitCounter.key == key, RateLimitCounter.expires_at > now
                )
            ).first()
        return (0, 0) if row is None else (int(row.count), self._left(row.expires_at, now))

    def put(self, key: str, value: int, seconds: int) -> None:
        expires_at = clock.utcnow() + dt.timedelta(seconds=max(int(seconds), 1))
        stmt = self._insert().values(key=key, count=value, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[RateLimitCounter.__table__.c.key], set_={"count": value, "expires_at": expires_at}
        )
        with db.engine.begin() as conn:
            conn.execute(stmt)

    def delete(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def _store():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return _DatabaseStore()
    client = current_app.extensions.get("qingqian.ratelimit.redis")
    if client is None:
        from redis import Redis

        client = Redis.from_url(url)
        current_app.extensions["qingqian.ratelimit.redis"] = client
    return _RedisStore(client)


def _key(name: str, subject: str) -> str:
    # Keys hold user-typed names: bounded, so a long name cannot overflow the column.
    return f"qingqian:rl:{name}:{subject}"[:250]


def hit(limit: Limit, subject: str) -> Verdict:
    """Count one event; the verdict is truthy while the subject is still within the limit."""
    count, left = _store().incr(_key(limit.name, subject), limit.window_seconds)
    return Verdict(count <= limit.max_hits, count, left)


def retry_after(limit: Limit, subject: str) -> int:
    """Seconds until the subject may act again (0: it is within the limit), without counting an event."""
    count, left = _store().get(_key(limit.name, subject))
    return left if count >= limit.max_hits else 0


def exceeded(limit: Limit, subject: str) -> bool:
    """Whether the subject is already over the limit, without counting a new event."""
    return retry_after(limit, subject) > 0


def count(limit: Limit, subject: str) -> int:
    return _store().get(_key(limit.name, subject))[0]


def reset(limit: Limit, subject: str) -> None:
    _store().delete(_key(limit.name, subject))


def block(name: str, subject: str, seconds: int) -> None:
    """Hold ``subject`` off for ``seconds`` (a back-off), replacing any shorter or longer hold."""
    _store().put(_key(name, subject), 1, seconds)


def blocked_for(name: str, subject: str) -> int:
    """Seconds left of ``subject``'s hold under ``name`` (0: not held)."""
    count, left = _store().get(_key(name, subject))
    return left if count else 0


def unblock(name: str, subject: str) -> None:
    _store().delete(_key(name, subject))


def mark(name: str, subject: str, seconds: int) -> None:
    """Remember ``subject`` for ``seconds`` (e.g. an address an account logged in from)."""
    block(name, subject, seconds)


def is_marked(name: str, subject: str) -> bool:
    return blocked_for(name, subject) > 0
