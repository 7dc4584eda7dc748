"""Fixed-window rate limits: Redis when configured (shared by all gunicorn workers), memory otherwise.

Used for login attempts now, and by public endpoints (complaints intake) later; a limit hit answers 429.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_seconds: int


class _MemoryCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, tuple[int, float]] = {}

    def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, started = self._hits.get(key, (0, now))
            if now - started >= window:
                count, started = 0, now
            count += 1
            self._hits[key] = (count, started)
            if len(self._hits) > 100_000:  # a flood of distinct keys must not grow memory without bound
                self._hits = {k: v for k, v in self._hits.items() if now - v[1] < window}
            return count

    def peek(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, started = self._hits.get(key, (0, now))
            return 0 if now - started >= window else count

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("qingqian.ratelimit.redis")
    if client is None:
        from redis import Redis

        client = Redis.from_url(url)
        current_app.extensions["qingqian.ratelimit.redis"] = client
    return client


def _memory() -> _MemoryCounter:
    return current_app.extensions.setdefault("qingqian.ratelimit.memory", _MemoryCounter())


def _key(limit: Limit, subject: str) -> str:
    return f"qingqian:rl:{limit.name}:{subject}"


def hit(limit: Limit, subject: str) -> bool:
    """Count one event; True while the subject is still within the limit."""
    key = _key(limit, subject)
    client = _redis()
    if client is None:
        return _memory().hit(key, limit.window_seconds) <= limit.max_hits
    pipe = client.pipeline()
    pipe.incr(key)
    pipe.expire(key, limit.window_seconds, nx=True)
    count, _ = pipe.execute()
    return int(count) <= limit.max_hits


def exceeded(limit: Limit, subject: str) -> bool:
    """Whether the subject is already over the limit, without counting a new event."""
    key = _key(limit, subject)
    client = _redis()
    if client is None:
        return _memory().peek(key, limit.window_seconds) >= limit.max_hits
    value = client.get(key)
    return value is not None and int(value) >= limit.max_hits


def reset(limit: Limit, subject: str) -> None:
    key = _key(limit, subject)
    client = _redis()
    if client is None:
        _memory().reset(key)
    else:
        client.delete(key)
