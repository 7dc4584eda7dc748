"""还款纳入预算 for repayment agreements: installments due this year (or missed) whose debt has no budget
arrangement for the year are listed for the office and the finance bureau; a debt under a live agreement is
listed through its installments, not twice; an arrangement on the debt covers them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.extensions import db
from core.tenancy.scope import system_scope
from core.testing.harness import add_user
from tests.conftest import debt_payload, needs_plugins

pytestmark = needs_plugins("prevention", "agreements")

URL = "/api/v1/prevention/budget/unbudgeted-installments"


@pytest.fixture
def march_2026(app):
    before = app.config.get("CLOCK_NOW")
    app.config["CLOCK_NOW"] = "2026-03-02T02:00:00+00:00"
    yield
    app.config["CLOCK_NOW"] = before


def add_debt(client, world, contract_no: str, delivery: str) -> int:
    with system_scope():
        unit_id = world.nodes["a.town1"].id
    body = debt_payload(
        unit_id=unit_id, amount_owed="100000.00", contract_no=contract_no, delivery_date=delivery
    )
    body["status"] = "confirmed"
    r = client.post("/api/v1/debts", json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json["id"]


def agree(client, world, debt_id: int, signed_on: str | None, installments: list[tuple[str, str]]) -> dict:
    total = sum(Decimal(amount) for _, amount in installments)
    body = {
        "debt_id": debt_id,
        "agreed_amount": f"{total:.2f}",
        "signed_on": signed_on,
        "late_reason": "分年度筹措偿还资金，已报本级政府同意",
        "installments": [{"due_on": day, "amount": f"{Decimal(amount):.2f}"} for day, amount in installments],
    }
    r = client.post("/api/v1/agreements/agreements", json=body, headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    return r.json


def installment_ids(client, world, agreement_id: int) -> list[int]:
    r = client.get(f"/api/v1/agreements/agreements/{agreement_id}", headers=world.headers("clerk_a1"))
    return [i["id"] for i in r.json["installments"]]


def listed(client, world, user: str = "office_a", year: int | None = None) -> list[dict]:
    r = client.get(URL + (f"?year={year}" if year else ""), headers=world.headers(user))
    assert r.status_code == 200, r.json
    return r.json


def test_installments_due_this_year_without_budget_are_listed_until_arranged(client, world, march_2026):
    agreed = add_debt(client, world, "HT-AG-1", "2025-05-01")
    plain = add_debt(client, world, "HT-AG-2", "2025-06-01")
    drafted = add_debt(client, world, "HT-AG-3", "2025-07-01")
    agreement = agree(
        client,
        world,
        agreed,
        "2026-01-10",
        [("2026-02-10", "20000"), ("2026-09-30", "30000"), ("2027-03-31", "50000")],
    )
    agree(client, world, drafted, None, [("2026-06-30", "100000")])  # a draft binds no one yet
    first, second, third = installment_ids(client, world, agreement["id"])

    rows = listed(client, world)
    assert [(r["installment_id"], r["seq"], r["due_on"], r["outstanding"]) for r in rows] == [
        (first, 1, "2026-02-10", "20000.00"),
        (second, 2, "2026-09-30", "30000.00"),
    ]
    assert {r["year_total"] for r in rows} == {"50000.00"} and rows[0]["debt_id"] == agreed
    assert rows[0]["unit_name"] == "甲一镇人民政府" and rows[0]["agreement_id"] == agreement["id"]
    # The debt under the live agreement is not listed a second time among the debts; the draft's debt is.
    debts = client.get("/api/v1/prevention/budget/unbudgeted", headers=world.headers("office_a")).json
    assert {d["debt_id"] for d in debts} == {plain, drafted}

    m = client.get("/api/v1/prevention/metrics", headers=world.headers("office_a")).json
    assert (m["unbudgeted_installments"], m["unbudgeted_installments_amount"]) == (2, "50000.00")
    assert m["unbudgeted_debts"] == 2

    # A paid installment drops out; what is left to budget shrinks with it.
    paid = client.post(
        f"/api/v1/agreements/installments/{first}/payments",
        json={"paid_on": "2026-03-02", "amount": "20000.00"},
        headers=world.headers("clerk_a1"),
    )
    assert paid.status_code == 201, paid.json
    rows = listed(client, world)
    assert [(r["installment_id"], r["year_total"]) for r in rows] == [(second, "30000.00")]

    # Next year's list carries the unpaid installment over with next year's own.
    assert [r["installment_id"] for r in listed(client, world, year=2027)] == [second, third]

    arrangement = {
        "debt_id": agreed,
        "year": 2026,
        "budget_line": "2296002 债务还本支出",
        "amount": "30000.00",
    }
    r = client.post("/api/v1/prevention/budget", json=arrangement, headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    assert listed(client, world) == []
    assert (
        client.get("/api/v1/prevention/metrics", headers=world.headers("office_a")).json[
            "unbudgeted_installments"
        ]
        == 0
    )


def test_scope_and_the_finance_bureau(client, world, march_2026):
    agreed = add_debt(client, world, "HT-AG-1", "2025-05-01")
    agree(client, world, agreed, "2026-01-10", [("2026-09-30", "100000")])
    with system_scope():
        add_user(world, "finance_a", "measures_reader", world.node("a"))
        db.session.commit()
    assert len(listed(client, world, "clerk_a1")) == 1
    assert listed(client, world, "clerk_a2") == []
    assert client.get(URL, headers=world.headers("office_b")).status_code == 404
    # The finance bureau reads the lists and the page, and nothing else of prevention; it writes nothing.
    assert [r["debt_id"] for r in listed(client, world, "finance_a")] == [agreed]
    h = world.headers("finance_a")
    assert client.get("/api/v1/prevention/budget/unbudgeted", headers=h).status_code == 200
    assert client.get("/api/v1/prevention/projects", headers=h).status_code == 403
    body = {"debt_id": agreed, "year": 2026, "budget_line": "x", "amount": "1.00"}
    assert client.post("/api/v1/prevention/budget", json=body, headers=h).status_code == 403
    page = client.get("/prevention/budget", headers=h)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-installment="' in html and 'name="budget_line"' not in html
    assert 'aria-label="源头治理"' not in html  # no tabs to pages the bureau may not open
    # Its own menu entry; the office reaches the page through the 源头治理 tabs and has no second entry.
    entry = '<a href="/prevention/budget" class="active" aria-current="page">还款纳入预算</a>'
    assert entry in html
    office = client.get("/prevention/budget", headers=world.headers("office_a")).get_data(as_text=True)
    assert 'aria-label="源头治理"' in office and 'name="budget_line"' in office and entry not in office


def test_the_page_registers_an_arrangement_for_an_agreement(client, world, march_2026):
    agreed = add_debt(client, world, "HT-AG-1", "2025-05-01")
    between = add_debt(client, world, "HT-AG-2", "2025-05-01")
    agree(client, world, agreed, "2026-01-10", [("2026-04-30", "40000"), ("2026-10-31", "60000")])
    agree(client, world, between, "2026-01-10", [("2026-05-31", "100000")])
    h = world.headers("clerk_a1")
    html = client.get("/prevention/budget", headers=h).get_data(as_text=True)
    # One form per agreement (its rows need not be next to each other), its amount what falls due this year.
    assert html.count(f'<input type="hidden" name="debt_id" value="{agreed}">') == 1
    assert html.count(f'<input type="hidden" name="debt_id" value="{between}">') == 1
    assert 'value="100000.00" aria-label="金额"' in html and "同一协议，已在上方登记" in html
    form = {"debt_id": str(agreed), "year": "2026", "budget_line": "本级财政", "amount": "100000.00"}
    assert client.post("/prevention/budget", data=form, headers=h).status_code == 302
    html = client.get("/prevention/budget", headers=h).get_data(as_text=True)
    table = html.split('id="unbudgeted-installments"', 1)[1].split("</table>", 1)[0]
    assert f'data-debt="{agreed}"' not in table and f'data-debt="{between}"' in table
    form = {**form, "debt_id": str(between)}
    assert client.post("/prevention/budget", data=form, headers=h).status_code == 302
    html = client.get("/prevention/budget", headers=h).get_data(as_text=True)
    assert "当年到期的协议分期均已安排预算" in html


def test_the_todo_list_sends_units_to_the_budget_page(client, world, march_2026):
    from tests.test_office_todo import todo_links

    def items(user: str) -> list[tuple[str, str]]:
        page = client.get("/", headers=world.headers(user)).get_data(as_text=True)
        return [item for item in todo_links(page) if item[0].startswith("还款纳入预算")]

    agreed = add_debt(client, world, "HT-AG-1", "2025-05-01")
    add_debt(client, world, "HT-AG-2", "2025-06-01")
    agree(client, world, agreed, "2026-01-10", [("2026-04-30", "40000"), ("2026-10-31", "60000")])
    expected = [("还款纳入预算：2026年到期的1笔欠款、2期还款协议分期尚未安排预算", "/prevention/budget")]
    assert items("clerk_a1") == expected and items("office_a") == expected
    assert items("clerk_a2") == [] and items("leader_a") == []
    body = {"debt_id": agreed, "year": 2026, "budget_line": "本级财政", "amount": "100000.00"}
    assert (
        client.post("/api/v1/prevention/budget", json=body, headers=world.headers("clerk_a1")).status_code
        == 201
    )
    assert items("clerk_a1") == [("还款纳入预算：2026年到期的1笔欠款尚未安排预算", "/prevention/budget")]


def test_signing_an_agreement_without_budget_flags_the_debt_and_tells_the_unit(client, world, march_2026):
    def flags(debt_id: int) -> list[dict]:
        events = client.get(f"/api/v1/debts/{debt_id}/history", headers=world.headers("office_a")).json
        return [e for e in events if e["action"] == "budget_missing"]

    def notices(user: str) -> list[dict]:
        rows = client.get("/api/v1/notifications", headers=world.headers(user)).json
        return [n for n in rows if n["title"] == "还款协议分期尚未纳入预算"]

    flagged = add_debt(client, world, "HT-AG-1", "2025-05-01")
    agree(client, world, flagged, "2026-01-10", [("2026-04-30", "40000"), ("2027-04-30", "60000")])
    [event] = flags(flagged)
    assert event["after"] == {
        "year": 2026,
        "installments": 1,
        "amount": "40000.00",
        "first_due": "2026-04-30",
    }
    assert "2026年4月30日首期到期前登记预算安排" in event["note"]
    [notice] = notices("clerk_a1")
    assert notice["link"] == "/prevention/budget" and "40,000.00元" in notice["body"]
    assert notices("clerk_a2") == []

    # Budgeted before signing: nothing to flag. A draft flags only when it is signed.
    budgeted = add_debt(client, world, "HT-AG-2", "2025-05-01")
    body = {"debt_id": budgeted, "year": 2026, "budget_line": "本级财政", "amount": "100000.00"}
    assert (
        client.post("/api/v1/prevention/budget", json=body, headers=world.headers("clerk_a1")).status_code
        == 201
    )
    agree(client, world, budgeted, "2026-01-10", [("2026-06-30", "100000")])
    assert flags(budgeted) == []
    drafted = add_debt(client, world, "HT-AG-3", "2025-05-01")
    draft = agree(client, world, drafted, None, [("2026-09-30", "100000")])
    assert flags(drafted) == []
    r = client.post(
        f"/api/v1/agreements/agreements/{draft['id']}/sign",
        json={"signed_on": "2026-03-01"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 200, r.json
    assert [e["after"]["amount"] for e in flags(drafted)] == ["100000.00"]
    assert len(notices("clerk_a1")) == 2


def test_the_list_downloads_for_the_finance_bureau(client, world, march_2026):
    import io

    import openpyxl

    agreed = add_debt(client, world, "HT-AG-1", "2025-05-01")
    add_debt(client, world, "HT-AG-2", "2025-06-01")
    agree(client, world, agreed, "2026-01-10", [("2026-04-30", "40000.5"), ("2027-04-30", "59999.5")])
    with system_scope():
        add_user(world, "finance_a", "measures_reader", world.node("a"))
        db.session.commit()
    page = client.get("/prevention/budget", headers=world.headers("finance_a")).get_data(as_text=True)
    assert 'id="budget-export" href="/prevention/budget/export.xlsx"' in page
    r = client.get("/prevention/budget/export.xlsx", headers=world.headers("finance_a"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = rows.index(["序号", "类型", "单位", "债权企业", "项目", "期次", "到期日", "未付金额（元）"])
    body = rows[header + 1 : header + 3]
    assert [(r[0], r[1], r[2], r[5], r[7]) for r in body] == [
        (1, "欠款", "甲一镇人民政府", None, 100000),
        (2, "还款协议分期", "甲一镇人民政府", "第1期", 40000.5),
    ]
    assert body[1][6].date().isoformat() == "2026-04-30"
    assert rows[header + 3][:2] == ["合计", "共 2 项"] and rows[header + 3][7] == 140000.5
    assert client.get("/prevention/budget/export.xlsx", headers=world.headers("office_b")).status_code == 404


def test_a_jurisdiction_without_agreements_sees_no_installments_table(client, world, march_2026):
    with system_scope():
        node = world.node("a")
        node.plan = {**node.plan, "plugins": [p for p in node.plan["plugins"] if p != "agreements"]}
        db.session.commit()
    html = client.get("/prevention/budget", headers=world.headers("clerk_a1")).get_data(as_text=True)
    assert 'id="unbudgeted"' in html and 'id="unbudgeted-installments"' not in html
    assert listed(client, world) == []
