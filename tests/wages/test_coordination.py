"""Issue 18 points 2–4 and 6 beyond the basics: the 人社 liaison reads only wage-flagged data, wage debts
come first in the clearance order (planned dates, agreements), payments recorded elsewhere on a project's
debt are flagged, complaints about wages reach the shared view, the campaign figure, history events."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope
from plugins.wages.linkage import metrics
from tests.conftest import needs_plugins
from tests.wages.conftest import CASE_SHEET, PROJECT_SHEET, add_debt, get, nid, upload


def test_the_liaison_reads_wage_flagged_data_and_nothing_else(client, liaison):
    w, debts = liaison, liaison.debts
    # A payment on the (not flagged) visitor centre debt, recorded by the office.
    centre = w.projects["游客中心改造工程"]
    r = client.post(
        f"/api/v1/wages/projects/{centre}/payments",
        json={"debt_id": debts["centre"], "paid_on": "2023-07-02", "amount": "1000.00"},
        headers=w.headers("office_a"),
    )
    assert r.status_code == 201, r.json

    # The ledger itself, its dashboard, creditors, another debt: refused.
    for path in (
        "/api/v1/debts",
        f"/api/v1/debts/{debts['road']}",
        f"/api/v1/debts/{debts['centre']}",
        "/api/v1/enterprises",
        "/api/v1/dashboard",
        f"/api/v1/wages/priority?unit_id={w.projects['游客中心改造工程']}",
        "/debts",
        "/wages/priority",
    ):
        assert get(client, w, path, "rs_a").status_code == 403, path
    # The home page has no dashboard for the liaison: it sends them to their first page, a wages one.
    home = get(client, w, "/", "rs_a")
    assert home.status_code == 302 and home.headers["Location"].startswith("/wages"), home.headers
    # The shared list: the two flagged debts, not the visitor centre.
    got = get(client, w, "/api/v1/wages/debts", "rs_a")
    assert sorted(d["id"] for d in got.json) == sorted([debts["road"], debts["park"]])
    assert got.headers["X-Total-Count"] == "2"
    road = next(d for d in got.json if d["id"] == debts["road"])
    assert (road["case_nos"], road["wages_left"], road["linked_case"]) == (["RS-001"], "36000.00", True)
    # Projects: the register, but a project's debts and payments only where they are flagged.
    listed = {p["name"]: p for p in get(client, w, "/api/v1/wages/projects", "rs_a").json}
    assert [d["id"] for d in listed["景区道路维修工程"]["debts"]] == [debts["road"]]
    assert listed["游客中心改造工程"]["debts"] == []
    detail = get(client, w, f"/api/v1/wages/projects/{centre}", "rs_a").json
    assert (detail["debts"], detail["payments"]) == ([], [])
    office = get(client, w, f"/api/v1/wages/projects/{centre}").json
    assert [d["id"] for d in office["debts"]] == [debts["centre"]] and len(office["payments"]) == 1
    # Every case (they are all wage cases), the board, the exchange workbook.
    assert len(get(client, w, "/api/v1/wages/cases", "rs_a").json) == 3
    assert get(client, w, "/api/v1/wages/festival", "rs_a").status_code == 200
    assert get(client, w, "/api/v1/wages/exchange.xlsx", "rs_a").status_code == 200
    page = get(client, w, "/wages", "rs_a").get_data(as_text=True)
    assert "景区道路维修工程" in page and 'href="/debts/' not in page and "游客中心改造工程" in page
    project_page = get(client, w, f"/wages/projects/{centre}", "rs_a").get_data(as_text=True)
    assert f'data-debt="{debts["centre"]}"' not in project_page
    # Read only: no import, link or payment.
    assert upload(client, w, "cases", CASE_SHEET, dry_run=True, user="rs_a").status_code == 403
    rs3 = next(c for c in get(client, w, "/api/v1/wages/cases", "rs_a").json if c["case_no"] == "RS-003")
    h = w.headers("rs_a")
    assert (
        client.post(
            f"/api/v1/wages/cases/{rs3['id']}/link", json={"debt_id": debts["centre"]}, headers=h
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/wages/projects/{centre}/payments",
            json={"debt_id": debts["centre"], "paid_on": "2023-07-02", "amount": "1.00"},
            headers=h,
        ).status_code
        == 403
    )
    # A liaison at a.town2 sees a.town2's flagged debt only; one in jurisdiction B sees nothing at all.
    assert [d["id"] for d in get(client, w, "/api/v1/wages/debts", "rs_a2").json] == [debts["park"]]
    assert get(client, w, f"/api/v1/wages/projects/{centre}", "rs_a2").status_code == 404
    assert get(client, w, "/api/v1/wages/debts", "rs_b").status_code == 404


def test_clearance_order_by_hand(client, linked):
    """a.town1: the road (RS-001, 36,000 wages, due 31 January 2023), the visitor centre (due the same
    day), a flagged debt with no case (delivered later, so due later) and an unflagged one due earlier."""
    w = linked
    flagged = add_debt(
        client,
        w,
        "a.town1",
        project_name="公厕改造",
        contract_no="GC-1",
        amount_owed="20000.00",
        delivery_date="2023-03-01",
        migrant_wages=True,
        migrant_wage_amount="5000.00",
    )
    early = add_debt(
        client, w, "a.town1", project_name="绿化养护", contract_no="LH-1", delivery_date="2022-11-01"
    )
    order = get(client, w, f"/api/v1/wages/priority?unit_id={nid(w, 'a.town1')}").json
    assert [(o["debt_id"], o["tier"], o["wages_left"]) for o in order] == [
        (w.debts["road"], 0, "36000.00"),
        (flagged, 1, "5000.00"),
        (early, 2, "0.00"),
        (w.debts["centre"], 2, "0.00"),
    ]
    assert [o["rank"] for o in order] == [1, 2, 3, 4]
    page = get(client, w, f"/wages/priority?unit_id={nid(w, 'a.town1')}").get_data(as_text=True)
    assert page.index(f'data-debt="{w.debts["road"]}"') < page.index(f'data-debt="{early}"')
    assert (
        get(client, w, f"/api/v1/wages/priority?unit_id={nid(w, 'a.town1')}", "clerk_a2").status_code == 404
    )


def patch_debt(client, world, debt_id, body):
    h = world.headers("office_a")
    etag = client.get(f"/api/v1/debts/{debt_id}", headers=h).headers["ETag"]
    return client.patch(
        f"/api/v1/debts/{debt_id}", json=body, headers=world.headers("office_a", **{"If-Match": etag})
    )


def test_the_plan_pays_the_linked_wage_debt_first(client, ledger):
    w = ledger
    # Before any case: the visitor centre is planned for 30 September.
    assert (
        patch_debt(client, w, w.debts["centre"], {"planned_repayment_date": "2023-09-30"}).status_code == 200
    )
    upload(client, w, "projects", PROJECT_SHEET, dry_run=False)
    upload(client, w, "cases", CASE_SHEET, dry_run=False)
    # Linking RS-001 brought the road's plan forward to the unit's earliest planned date.
    road = client.get(f"/api/v1/debts/{w.debts['road']}", headers=w.headers("office_a")).json
    assert road["planned_repayment_date"] == "2023-09-30"
    r = patch_debt(client, w, w.debts["road"], {"planned_repayment_date": "2023-10-15"})
    assert r.status_code == 422 and "2023年9月30日" in r.json["errors"]["planned_repayment_date"][0]
    r = patch_debt(client, w, w.debts["centre"], {"planned_repayment_date": "2023-09-01"})
    assert r.status_code == 422 and "景区道路维修工程" in r.json["errors"]["planned_repayment_date"][0]
    assert (
        patch_debt(client, w, w.debts["centre"], {"planned_repayment_date": "2023-10-31"}).status_code == 200
    )
    assert patch_debt(client, w, w.debts["road"], {"planned_repayment_date": "2023-09-15"}).status_code == 200
    # Another unit's plan is its own business.
    assert patch_debt(client, w, w.debts["park"], {"planned_repayment_date": "2023-12-31"}).status_code == 200
    history = client.get(f"/api/v1/debts/{w.debts['road']}/history", headers=w.headers("office_a"))
    if history.status_code == 200:
        notes = [e.get("note") or "" for e in history.json]
        assert any("RS-001" in n for n in notes)


@needs_plugins("agreements")
def test_an_agreement_on_a_linked_wage_debt_schedules_the_wages_first(client, world):
    debt = add_debt(client, world, "a.town1", status="confirmed")
    world.debts = {"road": debt}
    upload(client, world, "projects", PROJECT_SHEET, dry_run=False)
    upload(client, world, "cases", CASE_SHEET, dry_run=False)
    h = world.headers("clerk_a1")
    body = {
        "debt_id": debt,
        "agreed_amount": "100000.00",
        "installments": [
            {"due_on": "2023-10-20", "amount": "70000.00"},
            {"due_on": "2023-09-15", "amount": "30000.00"},
        ],
    }
    # 36,000 wages left: the first due date (15 September) carries only 30,000.
    r = client.post("/api/v1/agreements/agreements", json=body, headers=h)
    assert r.status_code == 422, r.json
    assert "至少应为36000.00元（当前30000.00元）" in r.json["errors"]["installments"][0]
    body["installments"] = [
        {"due_on": "2023-09-15", "amount": "36000.00"},
        {"due_on": "2023-10-20", "amount": "64000.00"},
    ]
    r = client.post("/api/v1/agreements/agreements", json=body, headers=h)
    assert r.status_code == 201, r.json
    # An unflagged debt is not held to it.
    other = add_debt(
        client, world, "a.town1", project_name="绿化养护", contract_no="LH-1", status="confirmed"
    )
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            **body,
            "debt_id": other,
            "installments": [
                {"due_on": "2023-09-15", "amount": "1000.00"},
                {"due_on": "2023-10-20", "amount": "99000.00"},
            ],
        },
        headers=h,
    )
    assert r.status_code == 201, r.json


def test_a_payment_recorded_on_the_debt_page_shows_as_bypassing_the_account(client, linked):
    w = linked
    r = client.post(
        f"/api/v1/debts/{w.debts['centre']}/payments",
        json={"paid_on": "2023-07-05", "amount": "20000.00"},
        headers=w.headers("clerk_a1"),
    )
    assert r.status_code == 201, r.json
    detail = get(client, w, f"/api/v1/wages/projects/{w.projects['游客中心改造工程']}").json
    # 25% of 20,000 = 5,000 belonged in the wage account; nothing is known to have reached it.
    assert [
        (p["amount"], p["labour_share_due"], p["to_wage_account"], p["bypassed"]) for p in detail["payments"]
    ] == [("20000.00", "5000.00", "0.00", True)]
    # A debt outside any project gets no such row.
    other = add_debt(client, w, "a.town1", project_name="绿化养护", contract_no="LH-1")
    assert (
        client.post(
            f"/api/v1/debts/{other}/payments",
            json={"paid_on": "2023-07-05", "amount": "100.00"},
            headers=w.headers("clerk_a1"),
        ).status_code
        == 201
    )
    with system_scope():
        from plugins.wages.linkage.models import WageAccountPayment

        assert db.session.scalar(db.select(db.func.count(WageAccountPayment.id))) == 1


@needs_plugins("complaints")
def test_complaints_about_wages_reach_the_shared_view(client, liaison):
    from tests.complaints.conftest import filing

    w = liaison
    r = client.post(
        "/api/v1/public/complaints",
        json=filing(amount="35万", migrant_wages="是", migrant_wage_amount="12万"),
    )
    assert r.status_code == 201, r.json
    assert (
        client.post("/api/v1/public/complaints", json=filing(creditor_name="另一家公司")).status_code == 201
    )
    for user in ("office_a", "rs_a"):
        got = get(client, w, "/api/v1/wages/complaints", user).json
        assert [(c["tracking_code"], c["migrant_wage_amount"]) for c in got] == [
            (r.json["tracking_code"], "120000.00")
        ], user
    page = get(client, w, "/wages", "rs_a").get_data(as_text=True)
    assert r.json["tracking_code"] in page
    # A unit does not see a complaint still at the office.
    assert get(client, w, "/api/v1/wages/complaints", "clerk_a1").json == []


def test_cleared_before_the_festival(client, linked, app):
    w = linked
    road = w.projects["景区道路维修工程"]
    r = client.post(
        f"/api/v1/wages/projects/{road}/payments",
        json={
            "debt_id": w.debts["road"],
            "paid_on": "2023-12-01",
            "amount": "36000.00",
            "wage_amount": "36000.00",
            "to_wage_account": "36000.00",
        },
        headers=w.headers("office_a"),
    )
    assert r.status_code == 201, r.json
    with system_scope():
        a = w.node("a")
        during = metrics.figures(a, dt.date(2024, 1, 10))
        assert (during.campaign_start, during.campaign_festival) == (
            dt.date(2023, 11, 15),
            dt.date(2024, 2, 10),
        )
        assert (during.cleared_in_campaign, during.cleared_in_campaign_amount) == (1, Decimal("36000.00"))
        # In July 2024 the last campaign is the one that ended on 10 February 2024.
        after = metrics.figures(a, dt.date(2024, 7, 1))
        assert (after.campaign_festival, after.cleared_in_campaign) == (dt.date(2024, 2, 10), 1)
        # Cleared on 1 December 2023: 183 days after the case was received (1 June 2023).
        assert after.average_days == Decimal("183.0")
        # On 1 November 2023 it was not cleared yet; the last campaign then was 2022–23.
        before = metrics.figures(a, dt.date(2023, 11, 1))
        assert (before.campaign_festival, before.cleared_in_campaign) == (dt.date(2023, 1, 22), 0)
    html = get(client, w, "/").get_data(as_text=True)
    assert "春节前清偿" in html


def test_history_of_projects_cases_and_wage_payments(client, linked):
    w = linked
    road = w.projects["景区道路维修工程"]
    r = client.post(
        f"/api/v1/wages/projects/{road}/payments",
        json={
            "debt_id": w.debts["road"],
            "paid_on": "2023-07-01",
            "amount": "36000.00",
            "wage_amount": "36000.00",
            "to_wage_account": "7200.00",
        },
        headers=w.headers("office_a"),
    )
    assert r.status_code == 201
    with system_scope():
        events = db.session.execute(db.select(Event.entity_type, Event.action)).all()
    seen = {(t, a) for t, a in events}
    for expected in (
        ("wage_projects", "created"),
        ("wage_projects", "debt_linked"),
        ("wage_cases", "imported"),
        ("wage_cases", "linked"),
        ("wage_cases", "cleared"),
        ("wage_account_payments", "recorded"),
    ):
        assert expected in seen, (expected, sorted(seen))


def test_exchange_workbook_opens_for_the_liaison(client, liaison):
    data = get(client, liaison, "/api/v1/wages/exchange.xlsx", "rs_a").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]][:4] == ["项目", "建设单位", "施工总承包单位", "欠薪金额（元）"]


def test_a_project_registered_by_hand_links_its_debts(client, ledger):
    w, h = ledger, ledger.headers("office_a")
    body = {
        "unit_id": nid(w, "a.town1"),
        "name": "游客中心改造工程",
        "contractor_name": "五台山宏达建筑工程有限公司",
        "contract_no": "HT-2022-002",
        "wage_account": "6228 4801 0000 4321",
        "labour_share_percent": "25",
        "wage_deposit": "80000.00",
        "workforce": 30,
    }
    r = client.post("/api/v1/wages/projects", json=body, headers=h)
    assert r.status_code == 201, r.json
    assert (r.json["wage_account_masked"], r.json["labour_share_percent"]) == ("****4321", "25.00")
    assert [d["id"] for d in r.json["debts"]] == [w.debts["centre"]]
    r = client.post("/api/v1/wages/projects", json={**body, "labour_share_amount": "5000.00"}, headers=h)
    assert r.status_code == 422 and "labour_share_amount" in r.json["errors"]
    r = client.post("/api/v1/wages/projects", json={**body, "unit_id": nid(w, "b.town1")}, headers=h)
    assert r.status_code == 404
    assert client.post("/api/v1/wages/projects", json=body, headers=w.headers("clerk_a1")).status_code == 403
    assert client.post("/api/v1/wages/projects", json={"name": "x"}, headers=h).status_code == 422
