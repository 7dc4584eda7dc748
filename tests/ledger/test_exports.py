"""Background exports: requested, written by a job with progress, downloaded, expired, failed, isolated."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl

from core.extensions import db
from core.jobs.models import Job, JobStatus
from core.tenancy.scope import system_scope
from plugins.ledger.rounds.export_files import expire_old, root
from plugins.ledger.rounds.models import ExportStatus, LedgerExport
from tests.ledger.test_rollup import ledger, rows_of
from tests.ledger.test_rounds_support import lw, nid

__all__ = ["ledger", "lw"]


def request_export(client, world, user: str, **body):
    return client.post("/api/v1/ledger/exports", json=body, headers=world.headers(user))


def download(client, world, user: str, export: dict):
    return client.get(f"/api/v1/ledger/exports/{export['id']}/file", headers=world.headers(user))


def data_rows(content: bytes) -> list[list]:
    rows = rows_of(openpyxl.load_workbook(io.BytesIO(content)).active)
    return [r for r in rows[3:] if isinstance(r[0], int)]


def test_whole_ledger_is_written_in_the_background_and_downloaded(client, ledger):
    r = request_export(client, ledger, "office_a", as_of="2023-08-25")
    assert r.status_code == 202, r.json
    assert r.headers["Location"] == f"/api/v1/ledger/exports/{r.json['id']}"
    export = client.get(r.headers["Location"], headers=ledger.headers("office_a")).json
    assert export["status"] == "ready" and export["status_label"] == "可下载"
    assert (export["rows"], export["progress_done"], export["progress_total"], export["percent"]) == (
        5,
        5,
        5,
        100.0,
    )
    assert export["filename"] == "拖欠中小企业账款台账（截至20230825）.xlsx"
    assert export["params"] == {"by": "ledger", "as_of": "2023-08-25", "unit": None, "round": None}
    assert export["requested_by"] and export["file_size"] > 0
    got = download(client, ledger, "office_a", export)
    assert got.status_code == 200
    assert "attachment" in got.headers["Content-Disposition"]
    # The same workbook as the direct download, row for row.
    direct = client.get("/api/v1/ledger/export.xlsx?as_of=2023-08-25", headers=ledger.headers("office_a"))
    assert data_rows(got.data) == data_rows(direct.data) and len(data_rows(got.data)) == 5
    job = client.get(f"/api/v1/jobs/{export['job_id']}", headers=ledger.headers("office_a")).json
    assert job["label"] == "台账导出" and job["status"] == "succeeded"
    listed = client.get("/api/v1/ledger/exports", headers=ledger.headers("office_a")).json
    assert [e["id"] for e in listed] == [export["id"]]


def test_a_unit_exports_its_own_subtree_and_others_cannot_reach_it(client, ledger):
    mine = request_export(client, ledger, "clerk_a1").json
    rows = data_rows(download(client, ledger, "clerk_a1", mine).data)
    assert {r[1] for r in rows} == {"甲一镇人民政府", "甲一镇财政所"}
    # The office sees the unit's subtree, so it may fetch the unit's file; a sibling and another
    # jurisdiction may not even learn it exists.
    assert download(client, ledger, "office_a", mine).status_code == 200
    for outsider in ("clerk_a2", "office_b"):
        assert download(client, ledger, outsider, mine).status_code == 404
        r = client.get(f"/api/v1/ledger/exports/{mine['id']}", headers=ledger.headers(outsider))
        assert r.status_code == 404
        listed = client.get("/api/v1/ledger/exports", headers=ledger.headers(outsider)).json
        assert mine["id"] not in [e["id"] for e in listed]


def test_summaries_and_a_subtree_can_be_exported_too(client, ledger):
    by_unit = request_export(client, ledger, "office_a", by="unit").json
    assert by_unit["status"] == "ready" and by_unit["rows"] == 3
    town = request_export(client, ledger, "office_a", unit=nid(ledger, "a.town1")).json
    assert len(data_rows(download(client, ledger, "office_a", town).data)) == 2


def test_a_request_naming_nothing_valid_is_refused_and_records_nothing(client, ledger):
    r = request_export(client, ledger, "office_a", by="nonsense")
    assert r.status_code == 422 and "by" in r.json["errors"], r.json
    assert request_export(client, ledger, "office_a", unit=nid(ledger, "b")).status_code == 404
    assert request_export(client, ledger, "office_a", round=987654).status_code == 404
    assert request_export(client, ledger, "clerk_a1", unit=nid(ledger, "a.town2")).status_code == 404
    with system_scope():
        assert db.session.scalar(db.select(db.func.count(LedgerExport.id))) == 0


def test_files_expire_after_the_keep_time_and_the_record_stays(app, client, ledger):
    export = request_export(client, ledger, "office_a").json
    with system_scope():
        row = db.session.get(LedgerExport, export["id"])
        path = Path(row.stored_path)
        assert path.is_file() and path.is_relative_to(root())
        row.finished_at -= dt.timedelta(days=2)
        db.session.commit()
        assert expire_old() == 0  # kept three days by default
        row.finished_at -= dt.timedelta(days=2)
        db.session.commit()
        assert expire_old() == 1
    assert not path.exists()
    r = download(client, ledger, "office_a", export)
    assert r.status_code == 410 and "重新导出" in r.json["message"]
    listed = client.get(f"/api/v1/ledger/exports/{export['id']}", headers=ledger.headers("office_a")).json
    assert listed["status"] == "expired" and listed["download_url"] is None
    # A file gone from disk before its time (a restored backup, a wiped folder) is gone, not an error.
    other = request_export(client, ledger, "office_a").json
    with system_scope():
        Path(db.session.get(LedgerExport, other["id"]).stored_path).unlink()
    assert download(client, ledger, "office_a", other).status_code == 410


def test_a_failed_export_says_why_and_offers_no_file(app, client, ledger, tmp_path):
    # Where the files go is a plain file here: writing the workbook fails for real.
    (tmp_path / "ledger").write_text("not a folder")
    saved, app.instance_path = app.instance_path, str(tmp_path)
    try:
        export = request_export(client, ledger, "office_a").json
    finally:
        app.instance_path = saved
    state = client.get(f"/api/v1/ledger/exports/{export['id']}", headers=ledger.headers("office_a")).json
    assert state["status"] == "failed" and state["error"].startswith("导出失败：")
    r = download(client, ledger, "office_a", export)
    assert r.status_code == 409 and r.json["message"].startswith("导出失败：")
    with system_scope():
        assert db.session.get(Job, export["job_id"]).status == JobStatus.FAILED


def test_a_running_export_cannot_be_downloaded_yet(app, client, ledger):
    with system_scope():
        unit = nid(ledger, "a")
        row = LedgerExport(
            jurisdiction_id=unit, unit_id=unit, params={"by": "ledger"}, status=ExportStatus.RUNNING
        )
        db.session.add(row)
        db.session.commit()
        export_id = row.id
    r = client.get(f"/api/v1/ledger/exports/{export_id}/file", headers=ledger.headers("office_a"))
    assert r.status_code == 409 and "正在生成" in r.json["message"]
    # Asking again for the same export while it runs gets it back, without a second job.
    with system_scope():
        row = db.session.get(LedgerExport, export_id)
        row.requested_by_id = ledger.users["office_a"].id
        row.params = {"by": "ledger", "unit": None, "round": None, "as_of": None}
        db.session.commit()
        jobs = db.session.scalar(db.select(db.func.count(Job.id)))
    again = request_export(client, ledger, "office_a")
    assert again.status_code == 202 and again.json["id"] == export_id
    other = request_export(client, ledger, "office_a", by="unit")
    assert other.json["id"] != export_id
    with system_scope():
        assert db.session.scalar(db.select(db.func.count(Job.id))) == jobs + 1


def test_pages_offer_the_background_export_and_list_the_files(client, ledger):
    summary = client.get("/ledger/summary", headers=ledger.headers("office_a")).get_data(as_text=True)
    assert 'action="/ledger/exports"' in summary and "生成完整台账" in summary
    drilled = client.get(
        f"/ledger/summary?by=unit&unit={nid(ledger, 'a.town1')}", headers=ledger.headers("office_a")
    )
    assert f'name="unit" value="{nid(ledger, "a.town1")}"' in drilled.get_data(as_text=True)
    r = client.post("/ledger/exports", data={"by": "ledger"}, headers=ledger.headers("office_a"))
    assert r.status_code == 302
    with system_scope():
        export = {"id": db.session.scalar(db.select(LedgerExport.id))}
    assert r.headers["Location"].endswith(f"/ledger/exports?new={export['id']}")
    page = client.get("/ledger/exports", headers=ledger.headers("office_a")).get_data(as_text=True)
    assert f'href="/api/v1/ledger/exports/{export["id"]}/file"' in page and "完整台账" in page
    assert "可下载" in page
    r = client.post("/ledger/exports", data={"by": "nonsense"}, headers=ledger.headers("office_a"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/ledger/exports")
