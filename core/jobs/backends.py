"""Where job attempts run: synchronously (tests), a thread pool in the web process, or rq workers.

All three only move job ids around; the job row in the database is the truth about status and attempts, and
``core.jobs.runner.execute`` does the work and decides about retries. Retries are ours, not rq's ``Retry``,
so the row records every attempt the same way on every backend.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from flask import Flask

from core.jobs import runner

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "qingqian"
EXTENSION_KEY = "qingqian.jobs_backend"
_backend_lock = threading.Lock()


class Backend(Protocol):
    name: str

    def submit(self, job_id: str, delay: float = 0.0) -> None:
        """Run the job's next attempt after ``delay`` seconds."""


class InlineBackend:
    """Runs the job, retries included, before ``submit`` returns (``JOBS_INLINE``; tests)."""

    name = "inline"

    def __init__(self, app: Flask) -> None:
        self.app = app

    def submit(self, job_id: str, delay: float = 0.0) -> None:
        while delay is not None:
            if delay > 0:
                time.sleep(delay)
            delay = runner.execute(self.app, job_id)


class ThreadBackend:
    """A small pool of threads in the web process: the embedded install needs no Redis and no worker."""

    name = "threads"

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qingqian-job")

    def submit(self, job_id: str, delay: float = 0.0) -> None:
        if delay and delay > 0:
            timer = threading.Timer(delay, self._start, args=(job_id,))
            timer.daemon = True
            timer.start()
        else:
            self._start(job_id)

    def _start(self, job_id: str) -> None:
        self._executor.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        try:
            delay = runner.execute(self.app, job_id)
        except Exception:
            log.exception("job %s crashed outside its own error handling", job_id)
            return
        if delay is not None:
            self.submit(job_id, delay)


class RedisBackend:
    """rq on ``REDIS_URL``: the rq job calls ``core.jobs.runner.run_job(job_id)`` in a ``qingqian worker``.

    A delayed retry uses ``enqueue_in``, which needs a worker started with the rq scheduler
    (``qingqian worker`` always is).
    """

    name = "redis"

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.queue = make_queue(app)

    def submit(self, job_id: str, delay: float = 0.0) -> None:
        options = {
            "job_timeout": self.app.config.get("JOB_TIMEOUT", 6 * 3600),
            "result_ttl": 24 * 3600,
            "failure_ttl": 7 * 24 * 3600,
            "description": f"qingqian job {job_id}",
        }
        if delay and delay > 0:
            self.queue.enqueue_in(dt.timedelta(seconds=delay), runner.run_job, job_id, **options)
        else:
            self.queue.enqueue(runner.run_job, job_id, **options)


def redis_connection(app: Flask):
    from redis import Redis

    url = app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("未配置 Redis（QINGQIAN_REDIS_URL）")
    return Redis.from_url(url)


def make_queue(app: Flask):
    from rq import Queue

    return Queue(app.config.get("JOBS_QUEUE") or DEFAULT_QUEUE, connection=redis_connection(app))


def get_backend(app: Flask) -> Backend:
    """The app's backend, chosen once: ``JOBS_INLINE`` first, then Redis if configured, else threads."""
    backend = app.extensions.get(EXTENSION_KEY)
    if backend is not None:
        return backend
    with _backend_lock:
        backend = app.extensions.get(EXTENSION_KEY)
        if backend is not None:
            return backend
        if app.config.get("JOBS_INLINE"):
            backend = InlineBackend(app)
        elif app.config.get("REDIS_URL"):
            backend = RedisBackend(app)
        else:
            backend = ThreadBackend(app, workers=int(app.config.get("JOB_THREADS", 2)))
        app.extensions[EXTENSION_KEY] = backend
        return backend
