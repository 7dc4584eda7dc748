"""Large list exports run as background jobs with progress and a download link (issue 14, point 2)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.extensions import db
from core.jobs.models import Job, JobStatus
from core.tenancy.scope import system_scope
from core.units import in_unit
from tests.conftest import debt_payload
from tests.test_jobs_redis import queue_name, redis_app  # noqa: F401  (fixtures)
from tests.test_web import login, nid, text


@pytest.fixture
def many_debts(client, world):
    """Seven debts in jurisdiction A (five works, two goods) and one in B."""
    for n in range(7):
        body = debt_payload(
            unit_id=nid(world, "a.town1" if n % 2 else "a.town2"),
            contract_no=f"HT-{n}",
            category="works" if n < 5 else "goods",
            amount_owed=f"{12345.67 + n * 1000:.2f}",
        )
        user = "clerk_a1" if n % 2 else "clerk_a2"
        assert client.post("/api/v1/debts", json=body, headers=world.headers(user)).status_code == 201
    body = debt_payload(unit_id=nid(world, "b.town1"), contract_no="HT-B")
    assert client.post("/api/v1/debts", json=body, headers=world.headers("clerk_b1")).status_code == 201


def _sheet(data: bytes) -> tuple[list, list, list]:
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    return rows[2], rows[3 : rows.index(total)], total


def _api_owed(client, world, query: str) -> tuple[int, Decimal]:
    r = client.get(f"/api/v1/debts?{query}", headers=world.headers("office_a"))
    return int(r.headers["X-Total-Count"]), Decimal(r.headers["X-Total-Amount-Owed"])


def _job(job_id: str) -> Job:
    with system_scope():
        db.session.expire_all()
        return db.session.get(Job, job_id)


def test_small_export_is_written_in_the_request(client, world, many_debts):
    login(client, "office_a")
    r = client.get("/debts/export.xlsx?category=works")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_large_export_runs_as_a_job_with_progress_and_a_download(app, client, world, many_debts, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 3)
    login(client, "office_a")
    page = text(client.get("/debts?category=works"))
    href = re.search(r'href="([^"]+)" data-testid="debts-export"', page).group(1).replace("&amp;", "&")
    r = client.get(href)
    assert r.status_code == 302
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    assert r.headers["Location"].endswith(f"/exports/{job_id}")

    # The job ran in this process (JOBS_INLINE) in the scope of the user who asked.
    job = _job(job_id)
    assert job.name == "debts_export" and job.status == JobStatus.SUCCEEDED, job.error
    assert job.user_id == world.users["office_a"].id
    assert job.params["query"]["category"] == ["works"] and job.params["unit"] == "wan"
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert job.result["rows"] == 5 and job.result["filename"].startswith("欠款清单_")

    status = text(client.get(f"/exports/{job_id}"))
    assert "导出欠款清单" in status and 'data-testid="export-download"' in status
    assert 'data-status="succeeded"' in status and "5 行" in status
    api = client.get(f"/api/v1/jobs/{job_id}", headers=world.headers("office_a")).json
    assert api["percent"] == 100.0 and api["label"] == "导出欠款清单"

    download = client.get(f"/exports/{job_id}/file")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    header, data, total = _sheet(download.data)
    count, owed = _api_owed(client, world, "category=works")
    owed_col = next(i for i, h in enumerate(header) if h.startswith("欠款金额"))
    assert len(data) == count == 5
    assert Decimal(str(total[owed_col])) == in_unit(owed, "wan")


def test_a_background_export_is_only_for_the_user_who_asked(app, client, world, many_debts, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 1)
    login(client, "office_a")
    job_id = client.get("/debts/export.xlsx").headers["Location"].rsplit("/", 1)[1]
    other = app.test_client()
    login(other, "leader_a")
    assert other.get(f"/exports/{job_id}").status_code == 404
    assert other.get(f"/exports/{job_id}/file").status_code == 404
    outsider = app.test_client()
    login(outsider, "office_b")
    assert outsider.get(f"/exports/{job_id}/file").status_code == 404
    # A job that is not an export has no export page.
    with system_scope():
        from core.jobs import create_job

        plain = create_job("recompute_debts", unit=world.node("a"), user=world.users["office_a"])
        db.session.commit()
        plain_id = plain.id
    assert client.get(f"/exports/{plain_id}").status_code == 404


def test_clerk_export_holds_only_their_units_debts(app, client, world, many_debts, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 1)
    login(client, "clerk_a1")
    job_id = client.get("/debts/export.xlsx").headers["Location"].rsplit("/", 1)[1]
    _header, data, _total = _sheet(client.get(f"/exports/{job_id}/file").data)
    r = client.get("/api/v1/debts", headers=world.headers("clerk_a1"))
    assert len(data) == int(r.headers["X-Total-Count"]) == 3


@pytest.mark.redis
def test_large_export_runs_on_an_rq_worker(world, many_debts, redis_app, monkeypatch):  # noqa: F811
    from tests.test_jobs_redis import work

    monkeypatch.setitem(redis_app.config, "EXPORT_INLINE_ROWS", 3)
    web = redis_app.test_client()
    login(web, "office_a")
    r = web.get("/debts/export.xlsx?category=works")
    assert r.status_code == 302
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    assert _job(job_id).status == JobStatus.QUEUED  # waiting for a worker, not run in the request
    waiting = text(web.get(f"/exports/{job_id}"))
    assert 'data-status="queued"' in waiting and "hidden" in waiting
    assert web.get(f"/exports/{job_id}/file").status_code == 404

    work(redis_app)
    job = _job(job_id)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (5, 5)
    _header, data, total = _sheet(web.get(f"/exports/{job_id}/file").data)
    assert len(data) == 5 and total[1] == "共 5 笔"
