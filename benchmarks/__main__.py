"""``python -m benchmarks --scale small|full [--only NAME] [--database-url URL]``.

Exit status: 1 when a correctness check fails (numbers differ, requests fail); 0 otherwise, timing misses
included (they are reported, not fatal: these machines are noisy).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import report
from benchmarks.data import bench_database_url, ensure_loaded, make_app
from benchmarks.scales import SCALES, Scale
from benchmarks.timing import Result

SCENARIOS = (
    "dashboard",
    "debt_list",
    "isolation",
    "tenant_scaling",
    "ledger_parse",
    "ledger_import",
    "ledger_curve",
    "shard_routing",
)
HERE = Path(__file__).resolve().parent

PREFACE = """
The machine has 2 cores (Intel Xeon, 23.5 GB) and is sometimes shared with other engineers' test suites
and browsers, so absolute times move between runs; the ratios (both sides measured in turns, in the same
minutes) are the claim. `--scale small` (CI) checks that the numbers are right, not the timing, and
writes its report to `benchmarks/results/` instead of this file.

### What the benchmarks changed in the product

- `core/services/dashboard.py`: `summary()` made six aggregate scans of the debts (totals, by unit, own
  level, by category, by status, overdue buckets); it now makes one grouped pass (top unit × own level ×
  category × status × overdue bucket) and rolls the few groups up in Python. Small scale: 5.5× → 1.1× the
  hand-written query; full scale: faster than the hand-written GROUPING SETS query.
- `core/tenancy/rls.py` + migration `9d41c7e2a5b8`: the row-level-security policy parsed
  `qingqian.jurisdiction_ids` with `string_to_array` for every row it checked. The settings now sit in
  scalar sub-selects that PostgreSQL evaluates once per query (InitPlans), which also gives the planner
  sane row estimates. Isolation overhead at full scale: 2.18× → see below.
- `core/tenancy/isolation.py`: the role switch and the two RLS settings go in one statement
  (`set_config('role', …, true)` is `SET LOCAL ROLE`), one round trip per transaction instead of two.
- `core/api/debts.py`: the creditor join used by the filters also fills `Debt.creditor` (`contains_eager`),
  instead of a second joined eager load of `enterprises`; the list skips the `selectin` load of payments it
  never shows.
- `core/models/debt.py` + migration `5c2e8b1f7a90`: index `debts (unit_id, creditor_id) INCLUDE
  (jurisdiction_id)`, so a unit user's creditor-visibility sub-select (`Enterprise.__subtree_criteria__`) is
  an index-only scan: 1.04 s → 0.22 s (EXPLAIN ANALYZE) for the count of an SOE group's 31,262 listed debts.

- `core/tenancy/isolation.py` + `Enterprise.__visible_through__`: a unit user's creditor criterion ("creditor
  of a debt in my subtree, or linked to my units") is left out of statements that reach `enterprises` only as
  `Debt.creditor` of the debts they select — it repeated the debt rule there and, as a hashed sub-plan, kept
  PostgreSQL from a parallel plan (count of an SOE group's debts 1.0 s → 0.4 s). Any other shape keeps it
  (`tests/test_isolation_creditors.py`). Isolation overhead: 1.43× → 1.04×; the unit user's debt list
  request in the tenant-scaling scenario: 1.4 s → 0.43 s.
- `core/config.py`: psycopg no longer prepares statements on the server after five executions. With a
  prepared statement PostgreSQL may switch to a generic plan; for the ledger import's array lookups that
  plan scanned 600,000 debts per 500-code chunk (2–5 s each instead of 1 ms: preview 58 s → 12 s).
- `core/tenancy/rls.py` + migration `7b3d9e4f1c26`: the RLS test sits inside `COALESCE(…, false)`, so the
  planner's estimate for it no longer shrinks with the number of jurisdictions ("= ANY(array known at run
  time)" was estimated as ~10 / number of jurisdictions; at 1,000 tenants the unit user's debt count
  switched to a nested loop, 0.5 s → 1.2 s).
- `core/services/bulk.py`, `core/services/debts_bulk.py`: bulk creditor registration and debt creation with
  the one-at-a-time path's validation hooks, due-date/interest rules, history events and hooks, written with
  COPY into a temporary table and `INSERT … SELECT` (so RLS still checks every row); creditor links with
  `ON CONFLICT DO NOTHING`. The ledger import commits 5,000-row chunks through them, resolves each creditor
  once per jurisdiction, and streams the preview rows instead of holding them all.
- `core/api/debts.py`: the debt list loads the page's units with a second small query (`selectinload`)
  instead of joining `tenant_nodes` into the page query. Joined, a unit user's subtree criterion on
  `tenant_nodes` was estimated at one node (21 real) once 10,000 jurisdictions were present, and
  PostgreSQL looped per unit, filtering the status row by row: page query 340 ms → 140 ms.
- `core/auth/context.py`: a unit user's subtree lookup (`path LIKE '/1/5/%'`) also tests the jurisdiction.
  LIKE is not leakproof, so under row-level security PostgreSQL cannot use it as an index condition (a
  pattern-ops index was tried and went unused); the jurisdiction test can: 5 ms → 0.2 ms per request with
  10,000 jurisdictions. Tenant scaling: 1.66× → see the table.
- `core/services/bulk.py`: the id sequence is looked up once per batch; inside the SELECT list
  `pg_get_serial_sequence` ran once per id (2.3 s → 0.3 s per 100,000-row import).
- `plugins/ledger/imports/service.py`: the commit pages its preview rows one outcome at a time, so each
  page is a range of the (import, outcome, row) index; with both outcomes in one query PostgreSQL sorted
  every remaining row for each page (2.6 s → 0.2 s per import).
- `core/models/debt.py` + migration `4e6b1a8c3d52`: the single-column indexes on `debts.unit_id`,
  `status` and `due_date` are gone (the composite indexes serve every query, all per jurisdiction); each
  cost every debt write an index entry. `ix_debts_jurisdiction_id` was dropped too in a first attempt
  and put back: without it PostgreSQL gave up the parallel scan of a jurisdiction's debts (isolation
  1.04× → 1.73×).
- `core/models/base.py` (`CopiedUnitOwned`) + migrations `8f2a6c4d1e37`, `ledger_0004`: history events,
  ledger preview rows and ledger row keys carry their parent row's jurisdiction and unit without foreign
  keys or single-column indexes (the parent was checked when written; these rows are read through it).
  PostgreSQL checks a foreign key with one lookup per row written: measured 0.9 s per key per 100,000
  rows, which made the tenant columns of these three tables cost 5.4 s of every 100,000-row import. With
  the unused `events.at` index and the `enterprise_links.enterprise_id` index (the leading column of the
  unique index) gone too, the import's server-side write time fell from 29.1 s to 24.0 s (commit phase
  52.0 s → 46.6 s on this machine).
- `plugins/ledger/rounds/rollup.py`: the ledger's roll-ups by unit and by debtor type made one aggregate
  that joined the unit tree twice with a path-prefix (LIKE) join; with many tenants PostgreSQL probed the
  ancestor once per debt (140,238 loops). Now one GROUP BY unit, rolled up in Python from the subtree's
  paths: an SOE group user's summary by unit with 10,000 jurisdictions 1.15 s → 0.36 s, the office's
  1.9 s → 0.4 s (API, median of 3; measured outside the scenarios). The tenant-scaling scenario now also
  times the unit's dashboard at each step (1.04×, as the debt list); its row below comes from a re-run of
  that scenario alone after this change.
- `core/tenancy/colocation.py` + the `*_shard_0001` migrations (issue 21, point 5): every tenant table has
  the unique key `(jurisdiction_id, id)` in place of its single-column jurisdiction index, and foreign keys
  between tenant tables carry the jurisdiction. Debts keep their single-column index as well: without it
  PostgreSQL planned the office's debt page under row-level security as a nested loop per unit (1.0 s)
  instead of a hash join over that index (0.74 s; EXPLAIN ANALYZE on this dataset).
- `plugins/agreements/progress/compute.py`: the 清偿进度 page, its metrics and its dashboard widget passed
  every counted debt id as a parameter; at 483,000 debts that is over PostgreSQL's 65,535: the page failed.
  A sub-select now (found by the `shard_routing` scenario, which requests every list route at this scale).
- `plugins/wages/linkage/*`: the 春节 board, the clearance order and the wage-debt list read the wages paid of
  each debt with its own query (1,894 statements for two requests of `shard_routing`); one grouped query now.
- `core/clock.py`: a node's zone is looked up once per request or job; the ledger import asked the plan for
  it twice per row (profile of a 20,000-row import: 40,000 plan lookups, ~8 % of the time).
- `plugins/ledger/parsing/*`: each column's distinct cells are read once (ledgers repeat debtor units,
  categories, dates massively), duplicate keys looked up and stored in one step, blank cells mapped in C;
  parse 3.6× → about 3.1× the bare calamine read (`ledger_parse`).
- `plugins/ledger/parsing/safety.py`: the zip-bomb budget was 200 MB unpacked whatever the row limit; the
  benchmark's sheets take ~1.1 KB of XML per row, so the 1,000,000-row file of `ledger_curve` (and any file
  near the default 200,000-row limit) was refused as a bomb. Now the larger of 200 MB and 4 KB per row.

### Misses, and why (full run)

This round's figures come from three full runs on 2026-12-04 on a quiet machine (no helpers, no test
suites; one exception below): the first (all scenarios, after the shard-ready schema and the parse work),
the second (dashboard, debt list, isolation, tenant scaling, routing and the curve, after fixing what the
first found), the third (isolation, debt list, import and curve, after the worker's memory measurement was
fixed and debts got their jurisdiction index back). Each row names its run; earlier rows are not reused.

- **debt_list 0.52×, isolation 1.78×** (were 0.80× and 1.05× on 2026-11-26): not this round's schema change —
  the small-scale CI smoke already reported both misses before it, and restoring the debts' jurisdiction
  index (third run) moved both sides alike. The cause is the row-level-security policies since the
  security hardening (scope read through `SECURITY DEFINER` functions): their quals make PostgreSQL
  underestimate a jurisdiction's debts about tenfold (EXPLAIN ANALYZE of the office's page of 50: 15,547
  rows estimated, 183,247 read), so the RLS side runs a nested loop over 183,000 creditor lookups (0.74 s)
  where the same query without the policies runs a parallel hash join (0.47 s). Fixing the estimate
  (a planner support function for the scope test, or policies PostgreSQL can see through) is open work.
- **ledger_parse 3.07×** (target 3×): was 3.6×; what is left is per-row Python (content digest, the per-cell
  loop and cross-field checks, the footer scan), see the issue note.
- **ledger_import 4.77× the write floor** (43.9 s against 9.2 s; 17.4× bare calamine + COPY at 2.5 s;
  worker peak 484 MB). Phases: parse 5.4 s, preview 11 s, commit 25 s (first run). The floor's own database
  work (COPY and four set-wise INSERTs, 6.7 s) is most of it; the import adds what the floor leaves out and
  the fidelity rules require: one preview row per file row and a row key per debt (about 4 s of writes),
  and every row validated twice with core's hooks, due-date and interest rules (preview and again at
  commit, when the plan, the unit or the date may have changed). 2× the floor leaves about 5 s for all
  of that and the parse (5.4 s by itself at 3× the bare read): not reachable by tuning this design.
- **ledger_curve** (third run): 10,000 / 100,000 / 1,000,000 rows import in 4.4 s / 43.7 s / 491.7 s
  (2,254 / 2,288 / 2,034 rows a second: time grows linearly, and the 1,000,000-row file lands whole, with
  progress) at a worker peak of 229 / 484 / 3,340 MB — **not flat**. The bare calamine read + COPY of the
  same files peaks at 55 / 237 / 2,060 MB: calamine holds the whole sheet, so most of the 1,000,000-row
  peak is the reader's; the rest is the parse result, which keeps every row until the preview is written.
  The preview and the commit themselves go in 5,000-row chunks. Flat memory needs a streaming reader and a
  parse that hands rows to the preview as it goes (the amount-unit sample and the footer check look at the
  whole sheet first today).
- **shard_routing** (second run): 207 distinct statements, 4,412 executed, over every list route of core and
  the plugins plus a debt's pages, as the office and an SOE group's user: every one that reads a tenant
  table names the jurisdiction (the ORM's tenant criterion is `jurisdiction_id = :jid`), so a distributed
  engine could route all of them to one shard.
"""


def run_scenario(name: str, scale: Scale, url: str, dataset, app, workdir: Path, log) -> Result:
    if name == "dashboard":
        from benchmarks.scenarios import dashboard

        return dashboard.run(app, url, dataset, scale.repetitions, log)
    if name == "debt_list":
        from benchmarks.scenarios import debt_list

        return debt_list.run(
            url, dataset, scale.http_rounds, scale.http_seconds, scale.http_clients, workdir, log
        )
    if name == "isolation":
        from benchmarks.scenarios import isolation

        return isolation.run(app, url, dataset, scale.repetitions, log)
    if name == "tenant_scaling":
        from benchmarks.scenarios import tenants

        return tenants.run(
            app, url, dataset, scale.tenant_steps, scale.extra_tenant_debts, scale.latency_samples, log
        )
    if name == "ledger_parse":
        from benchmarks.scenarios import ledger_parse

        return ledger_parse.run(url, dataset, scale.xlsx_rows, scale.repetitions, workdir, log)
    if name == "ledger_import":
        from benchmarks.scenarios import ledger

        return ledger.run(url, dataset, scale.xlsx_rows, workdir, log)
    if name == "ledger_curve":
        from benchmarks.scenarios import ledger

        return ledger.curve(url, dataset, scale.curve_rows, workdir, log)
    if name == "shard_routing":
        from benchmarks.scenarios import routing

        return routing.run(app, dataset, log)
    raise ValueError(name)


def verdict(result: Result) -> str:
    if not result.correct:
        return "WRONG NUMBERS"
    return {True: "pass", False: "MISS", None: "—"}[result.passed]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument(
        "--only", choices=SCENARIOS, action="append", help="run only this scenario (repeatable)"
    )
    parser.add_argument(
        "--database-url",
        help="benchmark database (created if missing; its tables are replaced). Default: "
        "QINGQIAN_BENCH_DATABASE_URL with '_bench' appended to the database name",
    )
    parser.add_argument(
        "--no-markdown",
        action="store_true",
        help="do not write the Markdown report (RESULTS.md for full, results/RESULTS-<scale>.md otherwise)",
    )
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    url = bench_database_url(args.database_url, os.environ.get("QINGQIAN_BENCH_DATABASE_URL"))

    def log(message: str) -> None:
        print(message, flush=True)

    log(f"benchmarks, scale {scale.name}, database {url.rsplit('/', 1)[-1]}")
    os.environ.setdefault("QINGQIAN_INSTANCE_PATH", tempfile.mkdtemp(prefix="qingqian-bench-instance-"))
    dataset = ensure_loaded(url, scale, log)
    app = make_app(url)
    workdir = Path(tempfile.mkdtemp(prefix="qingqian-bench-"))
    results: list[Result] = []
    for name in args.only or SCENARIOS:
        log(f"== {name}")
        started = time.perf_counter()
        try:
            result = run_scenario(name, scale, url, dataset, app, workdir, log)
        except Exception as exc:  # a crashed scenario is a failed check, reported with the others
            traceback.print_exc()
            result = Result(name=name, title=name, correct=False, notes=[f"crashed: {exc!r}"])
        results.append(result)
        if result.skipped:
            log(f"   skipped: {result.skipped}")
        else:
            ratio = "—" if result.ratio is None else f"{result.ratio:.2f}×"
            log(
                f"   ours {result.ours if result.ours is None else round(result.ours, 1)} {result.unit}, "
                f"baseline {result.baseline if result.baseline is None else round(result.baseline, 1)} "
                f"{result.unit}, ratio {ratio}, target {result.target_text}: "
                f"{verdict(result)}"
                f" ({time.perf_counter() - started:.0f}s)"
            )
            for note in result.notes:
                log(f"   - {note}")
    info = report.machine(url)
    data = dict(vars(dataset))
    data.pop("tokens", None)
    data["main_debts"] = round(scale.debts * scale.main_share)
    payload = {
        "scale": scale.name,
        "machine": info,
        "dataset": data,
        "results": [r.as_dict() for r in results],
    }
    report.write_json(HERE / "results" / "latest.json", payload)
    if not args.no_markdown:
        # Only the full scale makes claims; a CI smoke run must not overwrite the committed figures.
        md = HERE / "RESULTS.md" if scale.name == "full" else HERE / "results" / f"RESULTS-{scale.name}.md"
        md.write_text(report.markdown(scale.name, info, data, results, PREFACE))
        log(f"wrote {md.relative_to(HERE.parent)} and benchmarks/results/latest.json")
    failed = [r.name for r in results if not r.correct]
    missed = [r.name for r in results if r.passed is False]
    if missed:
        log(f"timing targets missed (reported, not fatal): {', '.join(missed)}")
    if failed:
        log(f"CORRECTNESS FAILED: {', '.join(failed)}")
        return 1
    log("all correctness checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
