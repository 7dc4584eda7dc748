"""An import whose worker process died (restart, deploy, out of memory) is finished or released, never stuck.

Before, such an import stayed "committing" for ever and every further commit answered 409.
"""

from __future__ import annotations

import pytest

from core.extensions import db
from core.jobs import create_job
from core.jobs.liveness import INTERRUPTED_ERROR, recover_interrupted
from core.jobs.models import Job, JobStatus
from core.tenancy.scope import system_scope
from plugins.ledger.imports import service
from plugins.ledger.imports.models import ImportStatus, LedgerImport
from tests.conftest import job_left_running
from tests.ledger.test_imports import GOOD_ROWS, commit, debt_count, imported, lw  # noqa: F401


def commit_cut_off(import_id: int, attempts: int = 1) -> str:
    """A commit was requested and its worker died inside the commit's transaction (nothing written)."""
    with system_scope():
        imp = db.session.get(LedgerImport, import_id)
        service.claim_commit(imp)
        job = create_job("ledger_commit", params={"import_id": import_id}, unit=imp.unit, max_attempts=1)
        imp.commit_job_id = job_id = job.id
        db.session.commit()
    job_left_running(job_id, attempts=attempts, silent_for=600)
    return job_id


def state(client, world, import_id: int) -> dict:
    db.session.remove()
    r = client.get(f"/api/v1/ledger/imports/{import_id}", headers=world.headers("clerk_a1"))
    assert r.status_code == 200, r.json
    return r.json


def test_a_commit_cut_off_runs_again(app, client, lw):  # noqa: F811
    body = imported(client, lw, rows=GOOD_ROWS)
    job_id = commit_cut_off(body["id"])
    assert state(client, lw, body["id"])["status"] == "committing"
    assert commit(client, lw, "clerk_a1", body["id"]).status_code == 409  # the trap it was
    assert debt_count() == 0

    assert recover_interrupted(app) == [job_id]
    assert state(client, lw, body["id"])["status"] == "committed"
    assert debt_count() == 3
    with system_scope():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 2


def test_a_commit_cut_off_twice_fails_the_import(app, client, lw):  # noqa: F811
    body = imported(client, lw, rows=GOOD_ROWS)
    job_id = commit_cut_off(body["id"], attempts=2)
    assert recover_interrupted(app) == [job_id]
    after = state(client, lw, body["id"])
    assert after["status"] == "failed"
    assert after["error"].startswith("导入未完成，未写入任何数据") and INTERRUPTED_ERROR in after["error"]
    assert debt_count() == 0
    # Released: the clerk uploads the file again and commits it.
    again = imported(client, lw, rows=GOOD_ROWS)
    assert commit(client, lw, "clerk_a1", again["id"]).json["status"] == "committed"
    assert debt_count() == 3


@pytest.mark.parametrize("attempts", [1, 2])
def test_an_upload_committing_right_away_that_was_cut_off(app, client, lw, attempts):  # noqa: F811
    """``dry_run=false``: the parse job commits too; cut off during that commit, it commits on its rerun."""
    body = imported(client, lw, rows=GOOD_ROWS)  # previewed; then made what a dry_run=false upload was
    with system_scope():
        imp = db.session.get(LedgerImport, body["id"])
        imp.dry_run = False
        service.claim_commit(imp)
        job_id = imp.parse_job_id
    job_left_running(job_id, attempts=attempts, silent_for=600)
    assert recover_interrupted(app) == [job_id]
    expected = "committed" if attempts == 1 else "failed"
    assert state(client, lw, body["id"])["status"] == expected
    assert debt_count() == (3 if attempts == 1 else 0)


def test_a_parse_whose_uploader_was_deactivated_fails_the_import(app, client, lw):  # noqa: F811
    """The job refuses to run for a deactivated user; the import says so instead of waiting for ever."""
    body = imported(client, lw, rows=GOOD_ROWS)
    with system_scope():
        imp = db.session.get(LedgerImport, body["id"])
        imp.status = ImportStatus.UPLOADED
        job = create_job("ledger_parse", params={"import_id": imp.id}, unit=imp.unit, user=imp.uploaded_by)
        job_id = job.id
        imp.uploaded_by.active = False
        db.session.commit()
    from core.jobs import submit

    submit(job_id)
    with system_scope():
        db.session.expire_all()
        imp = db.session.get(LedgerImport, body["id"])
        assert imp.status == ImportStatus.FAILED
        assert "已停用" in imp.error
