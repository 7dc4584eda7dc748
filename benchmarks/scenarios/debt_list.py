"""GET /api/v1/debts with filters under gunicorn vs a bare Flask route with the same SQL (same gunicorn)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import loadgen
from benchmarks.data import Dataset
from benchmarks.timing import Result, median

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
THREADS = 4


def list_unit(url: str, dataset: Dataset) -> int:
    """The subtree filtered on: the largest SOE group's first subsidiary (with its own subsidiaries)."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT id FROM tenant_nodes WHERE parent_id = %s ORDER BY sort_order, id LIMIT 1",
            (dataset.soe_group,),
        ).fetchone()
    return row[0] if row else dataset.soe_group


def query(dataset: Dataset, unit_id: int | None = None) -> list[tuple[str, str]]:
    """Status, category, overdue, amount range, unit subtree, sort, page 1 of 50."""
    return [
        ("status", "to_verify"),
        ("status", "confirmed"),
        ("status", "partly_repaid"),
        ("category", "works"),
        ("category", "goods"),
        ("overdue", "true"),
        ("min_amount", "20000"),
        ("max_amount", "5000000"),
        ("unit", str(unit_id or dataset.soe_group)),
        ("sort", "-amount_owed"),
        ("page", "1"),
        ("page_size", "50"),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], log_path: Path) -> Iterator[int]:
    """Start gunicorn on a free loopback port; stop exactly that process group afterwards."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        app_spec,
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited; see {log_path}")
            try:
                loadgen.get(port, "/", {})
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {app_spec} did not answer; see {log_path}") from None
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _page(port: int, path: str, headers: dict[str, str]) -> tuple[int, list[tuple]]:
    status, response_headers, body = loadgen.get(port, path, headers)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    rows = json.loads(body)
    total = int(response_headers.get("X-Total-Count", -1))
    return total, [(r["id"], r["amount_owed"], r["outstanding"], r["unit"]["id"]) for r in rows]


def run(
    url: str, dataset: Dataset, rounds: int, seconds: float, clients: int, workdir: Path, log=print
) -> Result:
    result = Result(
        name="debt_list",
        title="Debt list API with filters under gunicorn vs bare Flask + psycopg (same SQL, same gunicorn)",
        unit="req/s",
        target=0.6,
        higher_is_better=True,
        target_text="≥ 0.6× throughput",
    )
    params = urlencode(query(dataset, list_unit(url, dataset)))
    headers = {"Authorization": f"Bearer {dataset.tokens['bench_office']}"}
    instance = tempfile.mkdtemp(prefix="qingqian-bench-")
    product_env = {
        "QINGQIAN_DATABASE_URL": url,
        "QINGQIAN_SECRET_KEY": "benchmarks",
        "QINGQIAN_INSTANCE_PATH": instance,
        "QINGQIAN_REDIS_URL": "",
    }
    with (
        gunicorn("core:create_app()", product_env, workdir / "gunicorn-product.log") as ours_port,
        gunicorn(
            "benchmarks.bare_app:create_app()", {"BENCH_DATABASE_URL": url}, workdir / "gunicorn-bare.log"
        ) as bare_port,
    ):
        sides = {
            "ours": (ours_port, f"/api/v1/debts?{params}"),
            "baseline": (bare_port, f"/debts?{params}"),
        }
        ours_total, ours_rows = _page(ours_port, sides["ours"][1], headers)
        bare_total, bare_rows = _page(bare_port, sides["baseline"][1], headers)
        if (ours_total, ours_rows) != (bare_total, bare_rows):
            result.correct = False
            result.notes.append(
                f"API and bare SQL disagree: total {ours_total} vs {bare_total}, "
                f"first ids {[r[0] for r in ours_rows[:5]]} vs {[r[0] for r in bare_rows[:5]]}"
            )
        else:
            result.notes.append(f"same page: {ours_total:,} matching debts, {len(ours_rows)} rows on page 1")
        if not ours_rows:
            result.correct = False
            result.notes.append("the filter matched nothing: the scenario would measure an empty page")
        runs: dict[str, list[loadgen.LoadResult]] = {"ours": [], "baseline": []}
        for port, path in sides.values():  # warm-up: connections, caches, imports
            loadgen.run(port, path, headers, clients, min(2.0, seconds))
        for rnd in range(rounds):
            order = list(sides) if rnd % 2 == 0 else list(reversed(sides))
            for name in order:
                port, path = sides[name]
                runs[name].append(loadgen.run(port, path, headers, clients, seconds))
    for name, items in runs.items():
        errors = sum(r.errors for r in items)
        if errors:
            result.correct = False
            result.notes.append(f"{name}: {errors} failed requests under load")
    result.ours = median([r.rps for r in runs["ours"]])
    result.baseline = median([r.rps for r in runs["baseline"]])
    result.ratio = result.ours / result.baseline if result.baseline else None
    result.details = {
        "gunicorn": f"{WORKERS} workers × {THREADS} threads (gthread)",
        "clients": clients,
        "seconds_per_round": seconds,
        "rounds": rounds,
        "ours_p95_ms": round(median([r.p95_ms for r in runs["ours"]]), 1),
        "baseline_p95_ms": round(median([r.p95_ms for r in runs["baseline"]]), 1),
        "ours_p50_ms": round(median([r.p50_ms for r in runs["ours"]]), 1),
        "baseline_p50_ms": round(median([r.p50_ms for r in runs["baseline"]]), 1),
        "ours_rps": [round(r.rps, 1) for r in runs["ours"]],
        "baseline_rps": [round(r.rps, 1) for r in runs["baseline"]],
        "query": params,
    }
    return result
