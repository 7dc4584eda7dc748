"""One side of the ledger-import scenario, run in its own process so its peak memory is its own.

``python -m benchmarks.ledger_worker baseline|ours URL FILE`` (or ``floor URL FILE JURISDICTION_ID``)
prints one JSON line: seconds, rows, peak_mb (or ``unavailable`` with the reason when the ledger plugin
does not provide an import yet).
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


def _read_and_copy(conn, path: str) -> list:
    """python-calamine read of the file + COPY of its rows into temp table ``ledger_baseline``; the header."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python(skip_empty_area=True)
    header, body = rows[0], rows[1:]
    wanted = len(BASELINE_COLUMNS.split(", "))
    conn.execute(f"CREATE TEMP TABLE ledger_baseline ({BASELINE_COLUMNS})")
    with conn.cursor().copy("COPY ledger_baseline FROM STDIN") as copy:
        for row in body:
            copy.write("\t".join(_cell(v) for v in row[:wanted]) + "\n")
    return header


def baseline(url: str, path: str) -> dict:
    """python-calamine read + COPY of the same rows into a table of the same columns: the floor."""
    import psycopg

    start = time.perf_counter()
    with psycopg.connect(url) as conn:
        header = _read_and_copy(conn, path)
        count = conn.execute("SELECT count(*) FROM ledger_baseline").fetchone()[0]
    return {"seconds": time.perf_counter() - start, "rows": count, "header": [str(h) for h in header[:3]]}


# The same rows written set-wise into the product's own tables: creditors, (creditor, unit) links, debts
# and one "created" history event per debt, with the tables' indexes and foreign keys, in one transaction
# that is rolled back. No validation, no preview, no row keys and no row-level security check (run as the
# owner): a lower bound for any import that lands these rows where the product keeps them.
FLOOR_SQL = (
    "CREATE TEMP TABLE floor_units AS SELECT id, name FROM tenant_nodes WHERE jurisdiction_id = %(j)s",
    "INSERT INTO enterprises (name, credit_code, size_class, is_private, jurisdiction_id, version) "
    "SELECT DISTINCT ON (credit_code) creditor_name, credit_code, 'small', true, %(j)s, 1 "
    "FROM ledger_baseline WHERE credit_code IS NOT NULL ORDER BY credit_code ON CONFLICT DO NOTHING",
    "CREATE TEMP TABLE floor_rows AS SELECT b.*, u.id AS unit_id, e.id AS creditor_id "
    "FROM ledger_baseline b JOIN floor_units u ON u.name = b.debtor_unit "
    "JOIN enterprises e ON e.jurisdiction_id = %(j)s AND e.credit_code = b.credit_code",
    "INSERT INTO enterprise_links (enterprise_id, unit_id, jurisdiction_id, version) "
    "SELECT DISTINCT creditor_id, unit_id, %(j)s, 1 FROM floor_rows ON CONFLICT DO NOTHING",
    "WITH new AS (INSERT INTO debts (creditor_id, project_name, contract_no, contract_date, contract_amount, "
    "category, amount_owed, undisputed_amount, disputed_amount, paid_amount, delivery_date, clock_start, "
    "overdue_days, late_interest, status, source, migrant_wages, migrant_wage_amount, judicial, reason, "
    "unit_id, jurisdiction_id, version) "
    "SELECT creditor_id, coalesce(project_name, ''), contract_no, contract_date, contract_amount, "
    "CASE category WHEN '货物' THEN 'goods' WHEN '工程' THEN 'works' ELSE 'services' END, amount_owed, "
    "coalesce(undisputed_amount, 0), coalesce(disputed_amount, 0), 0, delivery_date, 'delivery', 0, 0, "
    "'to_verify', 'self_inspection', migrant_wages = '是', coalesce(migrant_wage_amount, 0), false, reason, "
    "unit_id, %(j)s, 1 FROM floor_rows RETURNING *) "
    "INSERT INTO events (entity_type, entity_id, action, at, unit_id, jurisdiction_id, actor_name, after) "
    "SELECT 'debts', id, 'created', now(), unit_id, jurisdiction_id, '基准', to_json(new) FROM new",
)


def floor(url: str, path: str, jurisdiction_id: int) -> dict:
    """calamine read + COPY + the set-wise write of the same rows into the product's tables (rolled back)."""
    import psycopg

    start = time.perf_counter()
    with psycopg.connect(url) as conn:
        _read_and_copy(conn, path)
        for statement in FLOOR_SQL:
            conn.execute(statement, {"j": jurisdiction_id})
        rows = conn.execute("SELECT count(*) FROM floor_rows").fetchone()[0]
        seconds = time.perf_counter() - start
        conn.rollback()
    return {"seconds": seconds, "rows": rows}


class _Ctx:
    """The job context the ledger's background jobs expect (progress reports, the acting user)."""

    def __init__(self, user) -> None:
        self.user = user

    def progress(self, *args, **kwargs) -> None:
        pass


def ours(url: str, path: str, rows: int) -> dict:
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

    # The upload limit (200,000 rows by default, header rows counted) is an operator's setting; the curve
    # goes past it.
    app = make_app(url, JOBS_INLINE=True, UPLOAD_MAX_ROWS=max(rows + 100, 200_000))
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


def peak_mb() -> float:
    """This process's own peak resident memory. Not ``ru_maxrss``: Linux carries the parent's high-water
    mark across fork and exec into it, so a worker started by a benchmark process that had grown to 8 GB
    reported 8 GB whatever it used. ``VmHWM`` belongs to this process's own address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    side, url, path = sys.argv[1:4]
    if side == "floor":
        result = floor(url, path, int(sys.argv[4]))
    else:
        result = baseline(url, path) if side == "baseline" else ours(url, path, int(sys.argv[4]))
    result["peak_mb"] = peak_mb()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
