"""Tenant scaling: one unit user's debt-list request p95 with 10, 1,000 and 10,000 jurisdictions present.

The request runs in-process through the Flask test client (authentication, scope resolution, ORM filter,
RLS role switch, query, serialisation). Extra jurisdictions are added with COPY between the steps and
removed at the end, so the other scenarios always see the loaded dataset.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import psycopg

from benchmarks.data import Dataset, add_tenants, remove_tenants
from benchmarks.timing import Result, percentile

PATH = "/api/v1/debts?" + urlencode(
    [("status", "disputed"), ("status", "to_verify"), ("sort", "-amount_owed"), ("page_size", "50")]
)


def _samples(client, headers: dict[str, str], count: int) -> tuple[list[float], int]:
    times = []
    total = -1
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(PATH, headers=headers)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"debt list answered {response.status_code}: {response.get_data()[:200]!r}")
        total = int(response.headers["X-Total-Count"])
    return times, total


def run(
    app, url: str, dataset: Dataset, steps: tuple[int, ...], debts_each: int, samples: int, log=print
) -> Result:
    result = Result(
        name="tenant_scaling",
        title=f"Tenant scaling: unit user's debt list p95 with {steps[-1]:,} vs {steps[0]:,} jurisdictions",
        unit="ms",
        target=1.3,
        target_text="p95 grows ≤ 1.3×",
    )
    with psycopg.connect(url) as conn:
        present = conn.execute("SELECT count(*) FROM tenant_nodes WHERE parent_id IS NULL").fetchone()[0]
        first_added = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tenant_nodes").fetchone()[0]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {dataset.tokens['bench_soe']}"}
    p95s: dict[int, float] = {}
    p50s: dict[int, float] = {}
    totals: dict[int, int] = {}
    try:
        for step in steps:
            if step > present:
                started = time.perf_counter()
                add_tenants(url, step - present, debts_each, seed=dataset.seed + step)
                log(f"  added {step - present:,} jurisdictions in {time.perf_counter() - started:.1f}s")
                present = step
            _samples(client, headers, max(3, samples // 10))  # warm-up: plans and caches for this size
            times, totals[step] = _samples(client, headers, samples)
            p95s[step] = percentile(times, 95) * 1000
            p50s[step] = percentile(times, 50) * 1000
            log(f"  {step:>6,} jurisdictions: p50 {p50s[step]:.1f} ms, p95 {p95s[step]:.1f} ms")
    finally:
        remove_tenants(url, first_added)
    if len(set(totals.values())) != 1:
        result.correct = False
        result.notes.append(f"the unit user's result changed with other tenants present: {totals}")
    else:
        result.notes.append(f"same {next(iter(totals.values())):,} debts visible at every step")
    result.baseline = p95s[steps[0]]
    result.ours = p95s[steps[-1]]
    result.ratio = result.ours / result.baseline
    result.details = {
        "p95_ms": {str(k): round(v, 1) for k, v in p95s.items()},
        "p50_ms": {str(k): round(v, 1) for k, v in p50s.items()},
        "samples_per_step": samples,
        "debts_per_added_jurisdiction": debts_each,
        "note": "steps run in sequence (data grows), so they cannot be interleaved",
    }
    return result
