"""The jurisdiction dashboard: ``core.services.dashboard.summary()`` vs one hand-written SQL query.

The baseline computes every figure of the summary (totals, by first-level unit, by category, by status,
overdue buckets) in a single pass with GROUPING SETS, through psycopg with no ORM and no isolation. The two
must return the same numbers; a difference fails the run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import psycopg

from benchmarks.data import AS_OF, Dataset
from benchmarks.timing import Result, interleave, median

CENT = Decimal("0.01")
OPEN = ["to_verify", "confirmed", "disputed", "under_agreement", "partly_repaid"]
EXCLUDED = ["judicial", "out_of_scope"]
# Every category the product knows (a deposit not returned is a debt too), in its order; the figures come
# from the query below, not from the product.
CATEGORIES = ["goods", "works", "services", "deposit"]
STATUSES = [
    "to_verify",
    "confirmed",
    "disputed",
    "under_agreement",
    "partly_repaid",
    "cleared",
    "judicial",
    "out_of_scope",
]
BUCKETS = ["not_overdue", "d1_30", "d31_90", "d91_365", "d365_plus"]

BASELINE_SQL = """
WITH d AS (
    SELECT d.amount_owed AS owed, d.paid_amount AS paid, d.status, d.category, d.due_date,
           d.status = ANY(%(excluded)s) AS excluded,
           d.status = ANY(%(open)s) AND d.amount_owed > d.paid_amount AS live,
           NULLIF(split_part(u.path, '/', 3), '')::int AS top_id
    FROM debts d JOIN tenant_nodes u ON u.id = d.unit_id
    WHERE d.jurisdiction_id = %(j)s AND d.deleted_at IS NULL
), b AS (
    SELECT *, CASE
        WHEN NOT live THEN NULL
        WHEN due_date IS NULL OR due_date >= %(as_of)s THEN 'not_overdue'
        WHEN due_date >= %(as_of)s - 30 THEN 'd1_30'
        WHEN due_date >= %(as_of)s - 90 THEN 'd31_90'
        WHEN due_date >= %(as_of)s - 365 THEN 'd91_365'
        ELSE 'd365_plus' END AS bucket
    FROM d
)
SELECT GROUPING(top_id) AS g_top, GROUPING(category) AS g_cat, GROUPING(status) AS g_status,
       GROUPING(bucket) AS g_bucket, top_id, category, status, bucket,
       count(*) AS count,
       count(*) FILTER (WHERE NOT excluded) AS campaign_count,
       coalesce(sum(owed) FILTER (WHERE NOT excluded), 0) AS owed,
       coalesce(sum(paid) FILTER (WHERE NOT excluded), 0) AS cleared,
       coalesce(sum(owed - paid) FILTER (WHERE live AND due_date < %(as_of)s), 0) AS overdue_amount,
       count(*) FILTER (WHERE live AND due_date < %(as_of)s) AS overdue_count,
       coalesce(sum(owed) FILTER (WHERE excluded), 0) AS excluded_amount,
       coalesce(sum(owed), 0) AS all_owed,
       coalesce(sum(owed - paid), 0) AS all_outstanding
FROM b
GROUP BY GROUPING SETS ((), (top_id), (category), (status), (bucket))
"""


def _rate(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.0001")) if whole else Decimal("0.0000")


def _figures(row: dict | None) -> dict[str, Any]:
    row = row or {}
    owed = Decimal(row.get("owed", 0)).quantize(CENT)
    cleared = Decimal(row.get("cleared", 0)).quantize(CENT)
    return {
        "count": int(row.get("count", 0)),
        "campaign_count": int(row.get("campaign_count", 0)),
        "owed": owed,
        "cleared": cleared,
        "outstanding": owed - cleared,
        "overdue_amount": Decimal(row.get("overdue_amount", 0)).quantize(CENT),
        "overdue_count": int(row.get("overdue_count", 0)),
        "excluded_amount": Decimal(row.get("excluded_amount", 0)).quantize(CENT),
        "clearance_rate": _rate(cleared, owed),
    }


def baseline(conn: psycopg.Connection, jurisdiction_id: int, top_units: list[int], as_of: dt.date) -> dict:
    """The dashboard's numbers from one query, in a plain comparable shape."""
    params = {"j": jurisdiction_id, "as_of": as_of, "open": OPEN, "excluded": EXCLUDED}
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        rows = cur.execute(BASELINE_SQL, params).fetchall()
    conn.commit()
    total = next(r for r in rows if r["g_top"] and r["g_cat"] and r["g_status"] and r["g_bucket"])
    by_top = {r["top_id"]: r for r in rows if not r["g_top"]}
    by_cat = {r["category"]: r for r in rows if not r["g_cat"]}
    by_status = {r["status"]: r for r in rows if not r["g_status"]}
    by_bucket = {r["bucket"]: r for r in rows if not r["g_bucket"] and r["bucket"] is not None}
    by_unit = [(uid, _figures(by_top.get(uid))) for uid in top_units]
    if by_top.get(None, {}).get("count"):
        by_unit.append((jurisdiction_id, _figures(by_top[None])))
    return {
        "totals": _figures(total),
        "by_unit": by_unit,
        "by_category": [
            (
                c,
                int((by_cat.get(c) or {}).get("campaign_count", 0)),
                Decimal((by_cat.get(c) or {}).get("owed", 0)).quantize(CENT),
                Decimal((by_cat.get(c) or {}).get("cleared", 0)).quantize(CENT),
            )
            for c in CATEGORIES
        ],
        "by_status": [
            (
                s,
                int((by_status.get(s) or {}).get("count", 0)),
                Decimal((by_status.get(s) or {}).get("all_owed", 0)).quantize(CENT),
                Decimal((by_status.get(s) or {}).get("all_outstanding", 0)).quantize(CENT),
            )
            for s in STATUSES
        ],
        "buckets": [
            (
                b,
                int((by_bucket.get(b) or {}).get("count", 0)),
                Decimal((by_bucket.get(b) or {}).get("all_outstanding", 0)).quantize(CENT),
            )
            for b in BUCKETS
        ],
    }


def comparable(summary: dict) -> dict:
    """The product's summary in the baseline's shape (labels and names dropped)."""
    keys = list(_figures(None))
    return {
        "totals": {k: summary["totals"][k] for k in keys},
        "by_unit": [(u["unit_id"], {k: u[k] for k in keys}) for u in summary["by_unit"]],
        "by_category": [(c["category"], c["count"], c["owed"], c["cleared"]) for c in summary["by_category"]],
        "by_status": [(s["status"], s["count"], s["owed"], s["outstanding"]) for s in summary["by_status"]],
        "buckets": [(b["bucket"], b["count"], b["amount"]) for b in summary["overdue_buckets"]],
    }


class Ours:
    """``summary()`` as the office user sees it: resolved principal, scoped session, RLS role switch."""

    def __init__(self, app, username: str) -> None:
        self.app = app
        self.username = username

    def __call__(self, as_of: dt.date = AS_OF) -> dict:
        from core.auth.context import resolve
        from core.auth.models import User
        from core.extensions import db
        from core.services.dashboard import summary, top_units
        from core.tenancy.scope import scope_context, system_scope

        with self.app.app_context():
            with system_scope():
                user = db.session.scalar(db.select(User).where(User.username == self.username))
                principal = resolve(user)
            db.session.commit()
            with scope_context(principal.scope):
                units = top_units(
                    principal.jurisdiction,
                    principal.scope.whole_jurisdiction,
                    [n for _, n in principal.role_nodes],
                )
                result = summary(as_of, jurisdiction=principal.jurisdiction, units=units)
                db.session.commit()
            db.session.remove()
            return result


def check_equal(ours: dict, theirs: dict) -> list[str]:
    """Every difference between the two, as readable lines (empty when equal)."""
    diffs = []
    mine = comparable(ours)
    for key in mine:
        if mine[key] != theirs[key]:
            diffs.append(f"{key}: summary()={mine[key]!r} != SQL={theirs[key]!r}")
    return diffs


def run(app, url: str, dataset: Dataset, repetitions: int, log=print) -> Result:
    result = Result(
        name="dashboard",
        title="Jurisdiction dashboard: summary() vs one hand-written SQL query",
        unit="ms",
        target=1.5,
        target_text="≤ 1.5×",
    )
    ours = Ours(app, "bench_office")
    conn = psycopg.connect(url)
    top = dataset.main_top_units
    try:
        mine = ours()
        theirs = baseline(conn, dataset.main_jurisdiction, top, AS_OF)
        diffs = check_equal(mine, theirs)
        if diffs:
            result.correct = False
            result.notes += diffs[:5]
            log("  DASHBOARD NUMBERS DIFFER:\n    " + "\n    ".join(diffs[:5]))
        else:
            result.notes.append(
                f"numbers equal: {mine['totals']['count']:,} debts, owed {mine['totals']['owed']}, "
                f"{len(mine['by_unit'])} unit rows"
            )
        times = interleave(
            {
                "ours": lambda: ours(),
                "baseline": lambda: baseline(conn, dataset.main_jurisdiction, top, AS_OF),
            },
            repetitions,
        )
    finally:
        conn.close()
    result.ours = median(times["ours"]) * 1000
    result.baseline = median(times["baseline"]) * 1000
    result.ratio = result.ours / result.baseline
    result.details = {
        "debts_in_jurisdiction": mine["totals"]["count"],
        "repetitions": repetitions,
        "ours_ms": [round(t * 1000, 1) for t in times["ours"]],
        "baseline_ms": [round(t * 1000, 1) for t in times["baseline"]],
    }
    return result
