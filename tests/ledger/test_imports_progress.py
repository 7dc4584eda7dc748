"""Parse progress has a length from the first moment, and polling never waits on a long SQLite commit."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest
from sqlalchemy import update

from core import clock
from core.auth.models import ApiToken, UserSession
from core.extensions import db
from core.jobs.models import Job
from core.tenancy.scope import system_scope
from tests.ledger.messy import official_ledger
from tests.ledger.test_imports import set_ledger, upload
from tests.test_web import login

DEBTORS = ["甲一镇人民政府", "甲一镇财政所"]


@pytest.fixture
def lw(world):
    set_ledger(world, True)
    return world


def test_parse_job_has_a_total_from_the_start(client, lw, tmp_path, monkeypatch):
    """The job row is created with the file's row estimate, before any row is parsed."""
    import plugins.ledger.imports.api as api

    seen: dict = {}
    real_submit = api.submit

    def watching_submit(job_id):
        with system_scope():
            job = db.session.get(Job, job_id)
            seen["total"], seen["done"] = job.progress_total, job.progress_done
        return real_submit(job_id)

    monkeypatch.setattr(api, "submit", watching_submit)
    ledger = official_ledger(150, debtors=DEBTORS)
    path = ledger.write_xlsx(tmp_path / "a.xlsx")
    r = upload(client, lw, "clerk_a1", path.read_bytes(), path.name)
    assert r.status_code == 202, r.json
    assert seen == {"total": 4 + len(ledger.body), "done": 0}
    job = client.get(f"/api/v1/jobs/{r.json['parse_job_id']}", headers=lw.headers("clerk_a1")).json
    assert job["status"] == "succeeded" and job["progress_total"] >= r.json["rows_read"]


def poll_while_the_write_lock_is_held(client, **kwargs) -> None:
    """Poll the jobs list while another connection holds SQLite's write lock, as a committing import does:
    the answer comes at once (no wait for the lock, no "database is locked")."""
    holder = sqlite3.connect(db.engine.url.database, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        r = client.get("/api/v1/jobs?page_size=5", **kwargs)
        elapsed = time.monotonic() - started
        assert r.status_code == 200, r.get_data(as_text=True)
        assert elapsed < 2, elapsed
    finally:
        holder.rollback()
        holder.close()


def test_polling_during_a_held_write_lock_answers_at_once(app, client, lw):
    """A long import commit on SQLite holds the write lock for its whole transaction. A poll whose token
    is due a last-used update used to wait 30 s in the gate and then answer 500 "database is locked"."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer only")
    with system_scope():
        db.session.execute(update(ApiToken).values(last_used_at=None))
        db.session.commit()
    poll_while_the_write_lock_is_held(client, headers=lw.headers("clerk_a1"))
    # once the lock is gone the use is recorded
    client.get("/api/v1/jobs?page_size=5", headers=lw.headers("clerk_a1"))
    with system_scope():
        assert db.session.scalar(db.select(db.func.count()).where(ApiToken.last_used_at.is_not(None))) >= 1


def test_a_browser_polling_during_a_held_write_lock_answers_at_once(app, client, lw):
    """The same for a signed-in browser (the import page's poller sends the login cookie): the session's
    last-seen stamp used to be written in the request and waited 30 s for the lock, then answered 503."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer only")
    login(client, "clerk_a1")
    long_ago = clock.utcnow() - dt.timedelta(hours=1)
    with system_scope():
        db.session.execute(update(UserSession).values(last_seen_at=long_ago))
        db.session.commit()
    poll_while_the_write_lock_is_held(client)
    client.get("/api/v1/jobs?page_size=5")  # once the lock is gone the visit is recorded
    with system_scope():
        assert db.session.scalar(db.select(db.func.max(UserSession.last_seen_at))) > long_ago
