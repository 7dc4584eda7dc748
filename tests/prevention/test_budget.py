"""还款纳入预算: arrangements per debt and year; this year's debts without one are listed."""

from __future__ import annotations

import datetime as dt

from core import clock
from tests.prevention.test_new_arrears import add_debt


def test_unbudgeted_debts_and_arrangements(client, world):
    year = clock.today().year
    h = world.headers("clerk_a1")
    overdue = add_debt(client, world, "HT-B1", f"{year - 1}-06-01")
    this_year = add_debt(client, world, "HT-B2", (clock.today() - dt.timedelta(days=31)).isoformat())
    listed = client.get("/api/v1/prevention/budget/unbudgeted", headers=h).json
    assert {r["debt_id"] for r in listed} == {overdue, this_year}
    assert all(r["outstanding"] == "50000.00" for r in listed)

    m = client.get("/api/v1/prevention/metrics", headers=world.headers("office_a")).json
    assert m["unbudgeted_debts"] == 2

    body = {"debt_id": overdue, "year": year, "budget_line": "2120501 城乡社区管理事务", "amount": "50000.00"}
    r = client.post("/api/v1/prevention/budget", json=body, headers=h)
    assert r.status_code == 201, r.json
    assert [x["debt_id"] for x in client.get("/api/v1/prevention/budget/unbudgeted", headers=h).json] == [
        this_year
    ]
    # Once per debt and year; never more than what is still owed; only a debt the user may write.
    r = client.post("/api/v1/prevention/budget", json=body, headers=h)
    assert r.status_code == 422 and "已有预算安排" in r.json["errors"]["debt_id"][0]
    r = client.post(
        "/api/v1/prevention/budget", json={**body, "debt_id": this_year, "amount": "50000.01"}, headers=h
    )
    assert r.status_code == 422 and "amount" in r.json["errors"]
    r = client.post(
        "/api/v1/prevention/budget", json={**body, "debt_id": this_year}, headers=world.headers("clerk_a2")
    )
    assert r.status_code == 404 and "debt_id" in r.json["errors"]
    assert client.get("/api/v1/prevention/budget/unbudgeted", headers=world.headers("clerk_a2")).json == []
    assert (
        len(client.get(f"/api/v1/prevention/budget?year={year}", headers=world.headers("office_a")).json) == 1
    )

    page = client.get("/prevention/budget", headers=h).get_data(as_text=True)
    assert f'data-debt="{this_year}"' in page and "2120501 城乡社区管理事务" in page
    form = {"debt_id": str(this_year), "year": str(year), "budget_line": "本级财政", "amount": "50000"}
    assert client.post("/prevention/budget", data=form, headers=h).status_code == 302
    assert client.get("/api/v1/prevention/budget/unbudgeted", headers=h).json == []
