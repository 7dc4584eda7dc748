"""The benchmark data loader and the dashboard equality check, at a tiny scale (PostgreSQL only).

The timing claims live in benchmarks/RESULTS.md; this only proves the loaded data is consistent and that
``summary()`` and the hand-written SQL the dashboard benchmark compares against agree on every number.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from benchmarks.data import bench_database_url, ensure_database, load, make_app
from benchmarks.scales import TINY
from benchmarks.scenarios import dashboard

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def bench_url() -> str:
    base = bench_database_url(None, os.environ["QINGQIAN_TEST_DATABASE_URL"])
    parts = urlsplit(base)
    # Its own database: the loader replaces the schema, and the CI smoke run uses <name>_bench.
    url = urlunsplit(parts._replace(path=parts.path + "_tiny"))
    ensure_database(url)
    return url


@pytest.fixture(scope="module")
def loaded(bench_url):
    return load(bench_url, TINY, log=lambda _message: None)


def test_loader_fills_consistent_tables(bench_url, loaded):
    assert loaded.debts == TINY.debts and loaded.payments > 0
    with psycopg.connect(bench_url) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM debts), (SELECT count(*) FROM payments), "
            "(SELECT count(*) FROM tenant_nodes WHERE parent_id IS NULL)"
        ).fetchone()
        assert counts == (TINY.debts, loaded.payments, TINY.jurisdictions)
        # paid_amount is the sum of the payments, and never more than owed
        bad = conn.execute(
            "SELECT count(*) FROM debts d WHERE d.paid_amount <> "
            "(SELECT coalesce(sum(amount), 0) FROM payments p WHERE p.debt_id = d.id) "
            "OR d.paid_amount > d.amount_owed"
        ).fetchone()[0]
        assert bad == 0
        # paths and jurisdictions agree with the tree
        bad = conn.execute(
            "SELECT count(*) FROM tenant_nodes n LEFT JOIN tenant_nodes p ON p.id = n.parent_id "
            "WHERE n.path <> coalesce(p.path, '/') || n.id || '/' "
            "OR n.jurisdiction_id <> coalesce(p.jurisdiction_id, n.id) OR n.depth <> coalesce(p.depth + 1, 0)"
        ).fetchone()[0]
        assert bad == 0
        # open debts past due carry overdue days; settled or excluded ones carry none
        bad = conn.execute(
            "SELECT count(*) FROM debts WHERE (status IN ('cleared', 'judicial', 'out_of_scope') "
            "AND overdue_days <> 0) OR (status NOT IN ('cleared', 'judicial', 'out_of_scope') "
            "AND amount_owed > paid_amount AND due_date < computed_on "
            "AND overdue_days <> computed_on - due_date)"
        ).fetchone()[0]
        assert bad == 0


def test_dashboard_summary_equals_hand_written_sql(bench_url, loaded):
    app = make_app(bench_url)
    result = dashboard.run(app, bench_url, loaded, repetitions=1, log=lambda _message: None)
    assert result.correct, result.notes
    assert result.details["debts_in_jurisdiction"] == round(TINY.debts * TINY.main_share)
