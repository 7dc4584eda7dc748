"""Lists exported as they are on screen: small ones at once, large ones by a background job with progress.

A list page links to its export with its current filters. The export view counts the matching rows first:
up to ``EXPORT_INLINE_ROWS`` (5,000) the workbook is written in the request and downloaded at once; above
that the request queues the list's export job with the filters and the reader's money unit, and sends the
reader to a page that follows the job's progress and then offers the download. A core list and a plugin's
list work alike: the owner describes its export as a ``ListExport`` and registers ``job_for(export)`` under
the export's job name with ``qingqian_jobs``.

The job runs in the scope of the user who asked (``core.jobs``), so the file holds exactly what their page
showed. The workbook is kept in the instance folder for ``LEDGER_EXPORT_KEEP_DAYS`` days (the setting all
generated workbooks share) and only that user may download it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import Response, current_app, g, redirect, send_file, url_for
from werkzeug.datastructures import MultiDict

from core import clock
from core.jobs import JobContext, enqueue
from core.jobs.models import Job, JobStatus
from core.units import UNITS
from core.web.templating import cn_date, table_unit
from core.xlsx_report import Column, ReportSheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_INLINE_ROWS = 5000
PROGRESS_EVERY = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ListExport:
    """One list's export.

    ``count(args)`` is how many rows the filters select; ``write(args, unit, progress)`` writes the workbook
    (money in ``unit``) and returns it with its download name, calling ``progress(done, total)`` as rows go
    in. ``args`` are the page's query arguments (a ``MultiDict``); ``job`` is the job name the export is
    registered under.
    """

    job: str
    label: str
    count: Callable[[MultiDict], int]
    write: Callable[[MultiDict, str, Progress | None], tuple[IO[bytes], str]]


def inline_limit() -> int:
    return int(current_app.config.get("EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def respond(export: ListExport, args: MultiDict) -> Response:
    """The export view's answer: the workbook itself, or (a large list) a redirect to its job's page."""
    unit = table_unit()
    if export.count(args) > inline_limit():
        job = enqueue(export.job, params={"query": args.to_dict(flat=False), "unit": unit})
        return redirect(url_for("web.export_status", job_id=job.id))
    data, filename = export.write(args, unit, None)
    return send_file(data, mimetype=XLSX, as_attachment=True, download_name=filename)


def job_for(export: ListExport) -> Callable[..., dict[str, Any]]:
    """The job callable that writes ``export`` in the background and keeps the file for download."""

    def run(ctx: JobContext, query: dict[str, list[str]], unit: str) -> dict[str, Any]:
        def progress(done: int, total: int) -> None:
            ctx.progress(done, total, f"已写入 {done:,} / {total:,} 行")

        data, filename = export.write(MultiDict(query), unit, progress)
        path = stored_path(ctx.job)
        path.parent.mkdir(parents=True, exist_ok=True)
        expire_old(path.parent)
        partial = path.with_suffix(".part")
        with data, partial.open("wb") as out:
            shutil.copyfileobj(data, out)
        os.replace(partial, path)  # a download never sees half a file
        rows = ctx.done or 0
        ctx.message = f"已生成：{filename}（{rows:,} 行）"
        return {"export": export.label, "filename": filename, "rows": rows, "bytes": path.stat().st_size}

    run.job_label = f"导出{export.label}"
    return run


def stored_path(job: Job) -> Path:
    return Path(current_app.instance_path) / "exports" / str(job.jurisdiction_id) / f"{job.id}.xlsx"


def expire_old(folder: Path) -> int:
    """Delete the workbooks in ``folder`` older than the keep time; returns how many."""
    keep = float(current_app.config.get("LEDGER_EXPORT_KEEP_DAYS", 3)) * 86400
    cutoff = time.time() - keep
    gone = 0
    for path in folder.glob("*.xlsx"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def ready_file(job: Job) -> Path | None:
    """The workbook of a finished export job, or None (still running, failed, expired, not an export)."""
    if job.status != JobStatus.SUCCEEDED or not (job.result or {}).get("export"):
        return None
    path = stored_path(job)
    return path if path.is_file() else None


class Counter:
    """Counts rows as a writer adds them and reports ``progress`` every ``PROGRESS_EVERY`` rows."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress
        if progress is not None:
            progress(0, total)

    def step(self) -> int:
        self.done += 1
        if self.progress is not None and (self.done % PROGRESS_EVERY == 0 or self.done == self.total):
            self.progress(self.done, max(self.total, self.done))
        return self.done

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.done)


def table_export(
    *,
    job: str,
    label: str,
    columns: Callable[[str], list[Column]],
    rows: Callable[[MultiDict], Iterable[Any]],
    cells: Callable[[Any], list[Any]],
    count: Callable[[MultiDict], int],
    noun: str = "笔",
    heading: Callable[[dt.date], str] | None = None,
) -> ListExport:
    """The usual list export: one printable sheet titled ``<jurisdiction><label>（截至<today>）``.

    ``columns(unit_label)`` are the sheet's columns after a 序号 column that is added here (money
    headers name the reader's unit, e.g. ``f"金额（{unit_label}）"``); ``rows(args)`` yields the list's
    items in page order, ``cells(item)`` one item's values; the sheet ends with a 合计 row saying
    ``共 N <noun>``. ``heading(today)`` replaces the label in the title and file name when it depends on the
    date (e.g. the year).
    """

    def write(args: MultiDict, unit: str, progress: Progress | None) -> tuple[IO[bytes], str]:
        jurisdiction = g.principal.jurisdiction
        today = clock.today(jurisdiction)
        name = jurisdiction.name if jurisdiction is not None else ""
        title = heading(today) if heading is not None else label
        sheet = ReportSheet(
            f"{name}{title}（截至{cn_date(today)}）",
            [Column("序号", "int", total=False), *columns(UNITS[unit])],
            unit=unit,
            reporter=name,
            sheet_name=label,
        )
        counter = Counter(count(args) if progress is not None else 0, progress)
        for item in rows(args):
            sheet.add([counter.step(), *cells(item)])
        sheet.total_row(extra={1: f"共 {counter.done} {noun}"})
        data = sheet.close()
        counter.finish()
        return data, f"{title}_{today.isoformat()}.xlsx"

    return ListExport(job=job, label=label, count=count, write=write)
