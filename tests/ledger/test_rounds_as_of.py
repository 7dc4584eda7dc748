"""A round's snapshot counts overdue days to the round's statistics date (as_of), not to submission day."""

from __future__ import annotations

from tests.ledger.test_rounds_support import FUTURE, add_debt, lw, open_round, submit

__all__ = ["lw"]


def test_snapshot_overdue_days_are_counted_to_the_rounds_as_of(client, lw):
    debt = add_debt(client, lw, "clerk_a1", "a.town1", 1)  # delivered 2023-01-01, 30-day term: due 01-31
    assert debt["due_date"] == "2023-01-31" and debt["overdue_days"] > 300  # the live figure, as of today
    rnd = open_round(client, lw, as_of="2023-08-20", deadline=FUTURE)
    r = submit(client, lw, "clerk_a1", rnd["id"])
    assert r.status_code == 201, r.json
    (row,) = r.json["rows"]
    assert row["debt_id"] == debt["id"] and row["overdue_days"] == 201  # 2023-01-31 → 2023-08-20
