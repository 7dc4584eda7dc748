"""One side of the ledger-import scenario, run in its own process so its peak memory is its own.

``python -m benchmarks.ledger_worker baseline|ours URL FILE`` prints one JSON line: seconds, rows, peak_mb
(or ``unavailable`` with the reason when the ledger plugin does not provide an import yet).
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

BASELINE_COLUMNS = (
    "debtor_unit text, creditor_name text, credit_code text, project_name text, contract_no text, "
    "contract_date date, contract_amount numeric(18,2), category text, amount_owed numeric(18,2), "
    "undisputed_amount numeric(18,2), disputed_amount numeric(18,2), delivery_date date, source text, "
    "migrant_wages text, migrant_wage_amount numeric(18,2), reason text"
)


def _cell(value) -> str:
    if value is None or value == "":
        return "\\N"
    if isinstance(value, float):
        # Spreadsheet numbers are binary floats; money goes to NUMERIC through its shortest repr.
        return str(Decimal(repr(value)))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def baseline(url: str, path: str) -> dict:
    """python-calamine read + COPY of the same rows into a table of the same columns: the floor."""
    import psycopg
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    workbook = CalamineWorkbook.from_path(path)
    rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    header, body = rows[0], rows[1:]
    wanted = len(BASELINE_COLUMNS.split(", "))
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TEMP TABLE ledger_baseline ({BASELINE_COLUMNS})")
        with conn.cursor().copy("COPY ledger_baseline FROM STDIN") as copy:
            for row in body:
                copy.write("\t".join(_cell(v) for v in row[:wanted]) + "\n")
        count = conn.execute("SELECT count(*) FROM ledger_baseline").fetchone()[0]
    return {"seconds": time.perf_counter() - start, "rows": count, "header": [str(h) for h in header[:3]]}


class _Ctx:
    """The job context the ledger's background jobs expect (progress reports, the acting user)."""

    def __init__(self, user) -> None:
        self.user = user

    def progress(self, *args, **kwargs) -> None:
        pass


def ours(url: str, path: str) -> dict:
    """The product's import: store the upload, create the import, run the parse job with commit."""
    try:
        from plugins.ledger.imports import jobs, service
        from plugins.ledger.imports.models import ImportStatus, LedgerImport
    except ImportError as exc:
        return {"unavailable": f"plugins.ledger.imports is incomplete ({exc})"}
    if not hasattr(jobs, "ledger_parse") or not hasattr(service, "store_upload"):
        return {"unavailable": "plugins.ledger.imports provides no parse-and-commit job"}
    import sqlalchemy as sa

    from benchmarks.data import make_app
    from core.auth.context import resolve
    from core.auth.models import User
    from core.extensions import db
    from core.tenancy.scope import scope_context, system_scope

    app = make_app(url, JOBS_INLINE=True)
    with app.app_context():
        if not sa.inspect(db.engine).has_table(LedgerImport.__tablename__):
            return {"unavailable": f"table {LedgerImport.__tablename__} is not migrated yet"}
        with system_scope():
            user = db.session.scalar(db.select(User).where(User.username == "bench_office"))
            principal = resolve(user)
        db.session.commit()
        unit = principal.jurisdiction
        start = time.perf_counter()
        with scope_context(principal.scope):
            with open(path, "rb") as stream:
                stored, size, digest = service.store_upload(stream, Path(path).name, unit.jurisdiction_id)
            imp = LedgerImport(
                jurisdiction_id=unit.jurisdiction_id,
                unit_id=unit.id,
                uploaded_by_id=user.id,
                original_filename=Path(path).name,
                stored_path=str(stored),
                file_size=size,
                sha256=digest,
                status=ImportStatus.UPLOADED,
                dry_run=False,
            )
            db.session.add(imp)
            db.session.commit()
            outcome = jobs.ledger_parse(_Ctx(user), imp.id)
            db.session.commit()
        seconds = time.perf_counter() - start
    counts = outcome.get("commit") or outcome.get("counts") or {}
    return {
        "seconds": seconds,
        "status": str(outcome.get("status")),
        "rows": counts.get("created", 0) + counts.get("updated", 0) if isinstance(counts, dict) else None,
        "counts": counts,
        "phases": outcome.get("seconds"),
    }


def main() -> None:
    side, url, path = sys.argv[1:4]
    result = baseline(url, path) if side == "baseline" else ours(url, path)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
