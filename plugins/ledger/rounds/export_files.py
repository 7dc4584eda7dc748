"""Workbooks generated in the background: requested, written by a job with progress, kept a few days.

An office's whole ledger can hold hundreds of thousands of debts and takes minutes to write (about 2,700
rows a second), longer than a web request may last. The request records a ``LedgerExport`` and queues
``ledger_export``; the job writes the same workbook as ``GET export.xlsx`` under the requester's scope,
reporting progress, into the instance folder. Files older than ``LEDGER_EXPORT_KEEP_DAYS`` are deleted
(each new request and a daily job); their rows stay as the record of who took which ledger out.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from flask import current_app

from core.auth.context import current_user
from core.extensions import db
from core.jobs import JobContext, create_job, labelled, submit
from core.models.base import utcnow
from plugins.ledger.rounds.models import ExportStatus, LedgerExport

DEFAULT_KEEP_DAYS = 3


def root() -> Path:
    return Path(current_app.instance_path) / "ledger" / "exports"


def keep_days() -> float:
    return float(current_app.config.get("LEDGER_EXPORT_KEEP_DAYS", DEFAULT_KEEP_DAYS))


def request_export(params: dict) -> LedgerExport:
    """Record the request and queue its job (committed here: the job must find the row).

    The same request by the same user while it is still being written gets that export back: a second
    click must not start a second pass over a whole ledger.
    """
    expire_old()
    user = current_user()
    running = db.session.scalars(
        db.select(LedgerExport).where(
            LedgerExport.status == ExportStatus.RUNNING, LedgerExport.requested_by_id == user.id
        )
    )
    same = next((export for export in running if export.params == params), None)
    if same is not None:
        return same
    job = create_job("ledger_export", params={})
    export = LedgerExport(
        jurisdiction_id=job.jurisdiction_id,
        unit_id=job.unit_id,
        requested_by_id=user.id,
        params=params,
        status=ExportStatus.RUNNING,
        job_id=job.id,
    )
    db.session.add(export)
    db.session.flush()
    job.params = {"export_id": export.id}
    db.session.commit()
    submit(job.id)
    db.session.refresh(export)
    return export


@labelled("台账导出")
def ledger_export(ctx: JobContext, export_id: int) -> dict:
    """Write the requested workbook under the requester's scope, then keep it for download."""
    from plugins.ledger.rounds.api import ExportQuerySchema, build_export

    export = db.session.get(LedgerExport, export_id)
    if export is None or export.status != ExportStatus.RUNNING:
        return {"skipped": True}
    written = {"rows": 0}

    def progress(done: int, total: int) -> None:
        written["rows"] = done
        ctx.progress(done, total, f"已写入 {done:,} / {total:,} 笔")

    args = ExportQuerySchema().load(export.params)
    data, filename = build_export(args, progress=progress)
    folder = root() / str(export.jurisdiction_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{export.id}.xlsx"
    partial = path.with_suffix(".part")
    with data, partial.open("wb") as out:
        shutil.copyfileobj(data, out)
    os.replace(partial, path)  # a download never sees half a file
    export.status = ExportStatus.READY
    export.filename = filename
    export.stored_path = str(path)
    export.rows = written["rows"]
    export.file_size = path.stat().st_size
    export.finished_at = utcnow()
    db.session.commit()
    return {"export_id": export.id, "filename": filename, "rows": export.rows, "bytes": export.file_size}


@labelled("清理过期的台账导出文件")
def expire_exports(ctx: JobContext) -> dict:
    return {"expired": expire_old()}


def expire_old(now: dt.datetime | None = None) -> int:
    """Delete the files of ready exports older than the keep time (in scope); returns how many."""
    cutoff = (now or utcnow()) - dt.timedelta(days=keep_days())
    old = db.session.scalars(
        db.select(LedgerExport).where(
            LedgerExport.status == ExportStatus.READY, LedgerExport.finished_at < cutoff
        )
    ).all()
    for export in old:
        if export.stored_path:
            Path(export.stored_path).unlink(missing_ok=True)
        export.status = ExportStatus.EXPIRED
    db.session.commit()
    return len(old)


def fail_export(job) -> None:
    """After ``ledger_export`` ended failed (its last attempt raised, or its process died twice)."""
    if job.name != "ledger_export":
        return
    export_id = (job.params or {}).get("export_id")
    export = db.session.get(LedgerExport, export_id) if export_id is not None else None
    if export is not None and export.status == ExportStatus.RUNNING:
        export.status = ExportStatus.FAILED
        export.error = f"导出失败：{job.error or '未知原因'}"[:2000]
        export.finished_at = utcnow()


def file_of(export: LedgerExport) -> Path | None:
    """The stored workbook of a ready export, or None when it is gone."""
    if export.status != ExportStatus.READY or not export.stored_path:
        return None
    path = Path(export.stored_path)
    return path if path.is_file() else None
