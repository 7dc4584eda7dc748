"""Deposits due back within 30 days (or late) are on the holding unit's to-do list, with the day as deadline;
a returned deposit leaves it."""

from __future__ import annotations

import datetime as dt

from core import clock
from tests.prevention.test_deposits import deposit
from tests.test_office_todo import todo_links


def items(client, world, user: str) -> list[tuple[str, str]]:
    page = client.get("/", headers=world.headers(user)).get_data(as_text=True)
    return [item for item in todo_links(page) if item[0].startswith("退还保证金")]


def test_deposits_due_back_soon_are_on_the_units_todo_list(client, world):
    today = clock.today()
    soon = deposit(client, world, enterprise_name="甲市路桥工程有限公司", amount="120000.00")
    deposit(
        client, world, enterprise_name="远期公司", due_back_on=(today + dt.timedelta(days=31)).isoformat()
    )
    late = deposit(
        client,
        world,
        enterprise_name="逾期公司",
        amount="5000.00",
        due_back_on=(today - dt.timedelta(days=2)).isoformat(),
    )
    expected = [
        ("退还保证金：逾期公司 5,000.00元", f"/prevention/deposits#deposit-{late['id']}"),
        ("退还保证金：甲市路桥工程有限公司 120,000.00元", f"/prevention/deposits#deposit-{soon['id']}"),
    ]
    assert items(client, world, "clerk_a1") == expected
    assert items(client, world, "clerk_a2") == []
    r = client.post(
        f"/api/v1/prevention/deposits/{late['id']}/refund",
        json={"returned_on": today.isoformat()},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 200, r.json
    assert items(client, world, "clerk_a1") == expected[1:]
