"""Accountability on the to-do list (issue 17, point 2: overdue supervision shows on the unit's to-do): a
unit sees its supervision items with their deadlines, its interview commitments and unread bulletins; the
office sees overdue items and flags awaiting a finding; each link opens."""

from __future__ import annotations

from tests.accountability.conftest import nid
from tests.conftest import INSTALLED_PLUGINS
from tests.ledger.test_todo import todo_links
from tests.test_web import text


def test_units_and_the_office_see_what_to_do(app, client, ledger):
    office = ledger.headers("office_a")
    r = client.post(
        "/api/v1/accountability/supervisions",
        json={
            "unit_id": nid(ledger, "a.town1"),
            "reason": "清偿进度落后",
            "required_actions": "制定清偿计划",
            "deadline": "2023-10-05",
        },
        headers=office,
    )
    assert r.status_code == 201, r.json
    app.config["CLOCK_NOW"] = "2023-10-15T02:00:00"  # ten days past the deadline
    b = client.post("/api/v1/accountability/bulletins", json={}, headers=office).json
    assert client.post(f"/api/v1/accountability/bulletins/{b['id']}/issue", headers=office).status_code == 200

    clerk = todo_links(text(client.get("/", headers=ledger.headers("clerk_a1"))))
    labels = [label for label, _ in clerk]
    assert any(label.startswith("挂牌督办：") for label in labels), labels
    assert any(label.startswith("阅知通报：甲清欠办通报〔2023〕1号") for label in labels), labels
    for _label, href in clerk:
        assert client.get(href, headers=ledger.headers("clerk_a1")).status_code == 200
    page = text(client.get("/", headers=ledger.headers("clerk_a1")))
    assert "逾期10天" in page
    # A sibling unit has nothing of a.town1's.
    sibling = [label for label, _ in todo_links(text(client.get("/", headers=ledger.headers("clerk_a2"))))]
    assert not any(label.startswith("挂牌督办：") for label in sibling)

    mine = todo_links(text(client.get("/", headers=office)))
    labels = [label for label, _ in mine]
    assert "1项挂牌督办事项逾期未办结" in labels
    if "ledger" in INSTALLED_PLUGINS:
        assert "2条瞒报漏报疑点待认定" in labels  # the fixture confirmed one of three
    for _label, href in mine:
        assert client.get(href, headers=office).status_code == 200
