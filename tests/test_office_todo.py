"""Core's to-do items for the leader (the numbers and the ranking) and the SOE group (subsidiaries with
overdue debts); each item links to where it is read or done (issue 14, point 3)."""

from __future__ import annotations

from core.extensions import db
from core.models.debt import Debt
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload
from tests.test_web import debts, login, nid, text  # noqa: F401  (fixture)


def todo_links(page: str) -> list[tuple[str, str]]:
    import re

    if 'data-testid="todo"' not in page:
        return []
    section = page.split('data-testid="todo"', 1)[1].split("</section>", 1)[0]
    return [
        (label.strip(), href.replace("&amp;", "&"))
        for label, href in re.findall(
            r'<span class="todo-label">([^<]+)</span>.*?<a class="btn[^"]*" href="([^"]+)"', section, re.S
        )
    ]


def _overdue(days: int = 30) -> None:
    with system_scope():
        for debt in db.session.scalars(db.select(Debt)):
            debt.overdue_days = days
        db.session.commit()


def test_leader_reads_the_numbers_and_the_ranking(client, world, debts):  # noqa: F811
    _overdue()
    login(client, "leader_a")
    dashboard = client.get("/api/v1/dashboard", headers=world.headers("leader_a")).json
    items = todo_links(text(client.get("/")))
    numbers = next((label, href) for label, href in items if label.startswith("清偿率（已确认欠款）"))
    t = dashboard["totals"]
    assert f"清偿率（全部欠款）{float(t['clearance_rate']) * 100:.2f}%" in numbers[0]
    assert f"逾期未付{t['overdue_count']}笔" in numbers[0] and "万元" in numbers[0]
    overdue_page = text(client.get(numbers[1]))
    assert f"共 {t['overdue_count']} 条" in overdue_page

    ranking = next((label, href) for label, href in items if "排名靠后" in label)
    # a.town1 has been paid 40 000 of 100 000, a.town2 nothing: a.town2 comes first (furthest behind).
    assert ranking[0].index("甲二镇人民政府") < ranking[0].index("甲一镇人民政府")
    assert ranking[1].endswith("/#by-unit")
    assert 'id="by-unit"' in text(client.get(ranking[1]))

    # Not on anyone else's list.
    clerk = client.application.test_client()
    login(clerk, "clerk_a1")
    assert not any("排名靠后" in label for label, _ in todo_links(text(clerk.get("/"))))


def test_soe_group_sees_subsidiaries_with_overdue_debts(client, world):
    body = debt_payload(unit_id=nid(world, "a.soe.sub"), amount_owed="80000.00")
    assert client.post("/api/v1/debts", json=body, headers=world.headers("soe_a")).status_code == 201
    body = debt_payload(unit_id=nid(world, "a.soe"), amount_owed="5000.00", contract_no="HT-OWN")
    assert client.post("/api/v1/debts", json=body, headers=world.headers("soe_a")).status_code == 201
    login(client, "soe_a")
    _overdue(0)
    assert not any("子企业有逾期" in label for label, _ in todo_links(text(client.get("/"))))
    _overdue()
    items = todo_links(text(client.get("/")))
    label, href = next((label, href) for label, href in items if "子企业有逾期未付欠款" in label)
    assert label == "甲旅游集团：1家子企业有逾期未付欠款，合计8.00万元"
    page = text(client.get(href))
    # The link shows the group's overdue debts (its own and its subsidiaries').
    assert "共 2 条" in page and "甲旅游集团酒店公司" in page


def test_soe_group_is_asked_about_subsidiaries_without_any_ledger(client, world):
    login(client, "soe_a")
    items = todo_links(text(client.get("/")))
    label, href = next((label, href) for label, href in items if "尚无欠款记录" in label)
    assert label.startswith("甲旅游集团：1家子企业尚无欠款记录")
    assert client.get(href).status_code == 200 and href.endswith("/debts/new")
    body = debt_payload(unit_id=nid(world, "a.soe.sub"), amount_owed="80000.00")
    assert client.post("/api/v1/debts", json=body, headers=world.headers("soe_a")).status_code == 201
    assert not any("尚无欠款记录" in label for label, _ in todo_links(text(client.get("/"))))
