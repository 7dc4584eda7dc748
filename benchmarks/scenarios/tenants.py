"""Tenant scaling: one unit user's requests (debt list, dashboard) p95 with 10, 1,000 and 10,000
jurisdictions present; the headline ratio is the request that grows most.

The requests run in-process through the Flask test client (authentication, scope resolution, ORM filter,
RLS role switch, query, serialisation). Extra jurisdictions are added with COPY between the steps and
removed at the end, so the other scenarios always see the loaded dataset.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import psycopg

from benchmarks.data import Dataset, add_tenants, remove_tenants
from benchmarks.timing import Result, percentile

PATHS = {
    "debt_list": "/api/v1/debts?"
    + urlencode(
        [("status", "disputed"), ("status", "to_verify"), ("sort", "-amount_owed"), ("page_size", "50")]
    ),
    "dashboard": "/api/v1/dashboard",
}


def _seen(name: str, response) -> str:
    """What the unit user sees, which must not change as other tenants arrive."""
    if name == "debt_list":
        return f"{int(response.headers['X-Total-Count']):,} debts"
    totals = response.get_json()["totals"]
    return f"owed {totals['owed']}"


def _samples(client, headers: dict[str, str], name: str, count: int) -> tuple[list[float], str]:
    times = []
    seen = ""
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(PATHS[name], headers=headers)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"{name} answered {response.status_code}: {response.get_data()[:200]!r}")
        seen = _seen(name, response)
    return times, seen


def run(
    app, url: str, dataset: Dataset, steps: tuple[int, ...], debts_each: int, samples: int, log=print
) -> Result:
    result = Result(
        name="tenant_scaling",
        title=f"Tenant scaling: unit user's requests p95 with {steps[-1]:,} vs {steps[0]:,} jurisdictions",
        unit="ms",
        target=1.3,
        target_text="p95 grows ≤ 1.3×",
    )
    with psycopg.connect(url) as conn:
        present = conn.execute("SELECT count(*) FROM tenant_nodes WHERE parent_id IS NULL").fetchone()[0]
        first_added = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tenant_nodes").fetchone()[0]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {dataset.tokens['bench_soe']}"}
    p95s: dict[str, dict[int, float]] = {name: {} for name in PATHS}
    p50s: dict[str, dict[int, float]] = {name: {} for name in PATHS}
    seen: dict[str, set[str]] = {name: set() for name in PATHS}
    try:
        for step in steps:
            if step > present:
                started = time.perf_counter()
                add_tenants(url, step - present, debts_each, seed=dataset.seed + step)
                log(f"  added {step - present:,} jurisdictions in {time.perf_counter() - started:.1f}s")
                present = step
            for name in PATHS:
                _samples(client, headers, name, max(3, samples // 10))  # warm-up: plans and caches
                times, what = _samples(client, headers, name, samples)
                seen[name].add(what)
                p95s[name][step] = percentile(times, 95) * 1000
                p50s[name][step] = percentile(times, 50) * 1000
                log(
                    f"  {step:>6,} jurisdictions, {name}: p50 {p50s[name][step]:.1f} ms, "
                    f"p95 {p95s[name][step]:.1f} ms"
                )
    finally:
        remove_tenants(url, first_added)
    for name, values in seen.items():
        if len(values) != 1:
            result.correct = False
            result.notes.append(
                f"the unit user's {name} changed with other tenants present: {sorted(values)}"
            )
        else:
            result.notes.append(f"{name}: the same {next(iter(values))} at every step")
    ratios = {name: p95s[name][steps[-1]] / p95s[name][steps[0]] for name in PATHS}
    worst = max(ratios, key=ratios.get)
    result.baseline = p95s[worst][steps[0]]
    result.ours = p95s[worst][steps[-1]]
    result.ratio = ratios[worst]
    result.notes.append(
        "headline: the request that grows most ("
        + ", ".join(f"{name} {ratio:.2f}×" for name, ratio in ratios.items())
        + ")"
    )
    result.details = {
        "p95_ms": {name: {str(k): round(v, 1) for k, v in by_step.items()} for name, by_step in p95s.items()},
        "p50_ms": {name: {str(k): round(v, 1) for k, v in by_step.items()} for name, by_step in p50s.items()},
        "samples_per_step": samples,
        "debts_per_added_jurisdiction": debts_each,
        "note": "steps run in sequence (data grows), so they cannot be interleaved",
    }
    return result
