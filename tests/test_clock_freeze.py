"""At 23:30 UTC it is already 07:30 the next morning in Beijing: every part of the product says the same date.

The clock is pinned (``CLOCK_NOW``) at 2024-03-14 23:30 UTC, i.e. 2024-03-15 07:30 Beijing time. The server's
UTC date (the 14th) must appear nowhere a person reads a date; stored timestamps stay in UTC.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import unquote

import openpyxl
import pytest

from core import clock
from tests.complaints.conftest import filing
from tests.conftest import debt_payload, needs_plugins
from tests.test_web import login

NOW_UTC = "2024-03-14T23:30:00"
TODAY = "2024-03-15"
CN_TODAY = "2024年3月15日"
CN_NOW = "2024年3月15日 07:30"
DUE = dt.date(2023, 1, 31)  # debt_payload: delivered 2023-01-01, 30-day term


@pytest.fixture
def pinned(app, world):
    app.config["CLOCK_NOW"] = NOW_UTC  # the app fixture unpins it afterwards
    return world


def _download_name(response) -> str:
    header = response.headers["Content-Disposition"]
    match = re.search(r"filename\*=UTF-8''([^;]+)", header)
    return unquote(match.group(1)) if match else header


def _cells(data: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]


def test_the_clock_itself(app, pinned):
    assert clock.today() == dt.date(2024, 3, 15)
    assert clock.now().strftime("%Y-%m-%d %H:%M %z") == "2024-03-15 07:30 +0800"
    assert clock.utcnow() == dt.datetime(2024, 3, 14, 23, 30)
    assert clock.local_date(dt.datetime(2024, 3, 14, 16, 0)) == dt.date(2024, 3, 15)  # 00:00 Beijing
    assert clock.local_date(dt.datetime(2024, 3, 14, 15, 59)) == dt.date(2024, 3, 14)


def test_core_debts_payments_and_dashboard_agree(client, pinned):
    h = pinned.headers("clerk_a1")
    r = client.post("/api/v1/debts", json=debt_payload(), headers=h)
    assert r.status_code == 201, r.json
    debt = r.json
    assert debt["computed_on"] == TODAY
    assert debt["overdue_days"] == (dt.date(2024, 3, 15) - DUE).days
    assert debt["created_at"].startswith("2024-03-14T23:30")  # stored in UTC
    # A payment dated Beijing's today is not "in the future"; tomorrow is, and is refused with 422.
    pay = f"/api/v1/debts/{debt['id']}/payments"
    r = client.post(pay, json={"paid_on": TODAY, "amount": "100.00"}, headers=h)
    assert r.status_code == 201, r.json
    r = client.post(pay, json={"paid_on": "2024-03-16", "amount": "100.00"}, headers=h)
    assert r.status_code == 422 and r.json["errors"] == {"paid_on": ["付款日期不能晚于今天"]}
    # A contract signed today is not in the future either (core validation).
    r = client.post("/api/v1/debts", json=debt_payload(contract_no="HT-2", contract_date=TODAY), headers=h)
    assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/debts/{debt['id']}/recompute", headers=h)
    assert r.json["computed_on"] == TODAY
    dashboard = client.get("/api/v1/dashboard", headers=pinned.headers("office_a")).json
    assert dashboard["as_of"] == TODAY

    pages = client.application.test_client()
    login(pages, "office_a")
    assert f"统计截至 {CN_TODAY}" in pages.get("/").get_data(as_text=True)
    page = pages.get(f"/debts/{debt['id']}").get_data(as_text=True)
    assert CN_TODAY in page and "2024年3月14日" not in page


@needs_plugins("ledger")
def test_rounds_and_their_export_agree(client, pinned):
    h, office = pinned.headers("clerk_a1"), pinned.headers("office_a")
    client.post("/api/v1/debts", json=debt_payload(), headers=h)
    r = client.post("/api/v1/ledger/rounds", json={"name": "一季度台账", "deadline": TODAY}, headers=office)
    assert r.status_code == 201, r.json
    rnd = r.json
    assert rnd["as_of"] == TODAY
    r = client.post(f"/api/v1/ledger/rounds/{rnd['id']}/submissions", json={}, headers=h)
    assert r.status_code == 201, r.json
    sub = r.json
    # Submitted on the deadline day in Beijing (the 15th), though the UTC date is the 14th: on time.
    assert sub["late"] is False and sub["submitted_at"].startswith("2024-03-14T23:30")
    assert sub["rows"][0]["overdue_days"] == (dt.date(2024, 3, 15) - DUE).days

    r = client.get("/api/v1/ledger/export.xlsx", headers=office)
    assert r.status_code == 200
    assert "20240315" in _download_name(r)
    assert f"填报日期：{CN_TODAY}" in _cells(r.data)

    pages = client.application.test_client()
    login(pages, "office_a")
    board = pages.get(f"/ledger/rounds/{rnd['id']}").get_data(as_text=True)
    assert f"统计截至 {CN_TODAY}" in board and CN_NOW in board


@needs_plugins("complaints")
def test_complaints_agree(client, pinned):
    r = client.post("/api/v1/public/complaints", json=filing())
    assert r.status_code == 201, r.json
    office = pinned.headers("office_a")
    (case,) = client.get("/api/v1/complaints", headers=office).json
    assert case["received_on"] == TODAY
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=office).json
    assert detail["timeline"][0]["at"] == "2024-03-15T07:30:00+08:00"  # local time, with its offset

    pages = client.application.test_client()
    login(pages, "office_a")
    page = pages.get(f"/complaints/{case['id']}").get_data(as_text=True)
    assert CN_NOW in page and "23:30" not in page


@needs_plugins("disclosure", "agreements")
def test_disclosure_and_progress_exports_agree(client, pinned):
    office = pinned.headers("office_a")
    # In Beijing it is 2024 already: 2023 can be published, 2024 has not ended.
    assert client.post("/api/v1/disclosure/reports", json={"year": 2024}, headers=office).status_code == 409
    r = client.post("/api/v1/disclosure/reports", json={"year": 2023}, headers=office)
    assert r.status_code == 201, r.json
    again = client.post("/api/v1/disclosure/reports", json={"year": 2023}, headers=office)
    assert again.status_code == 409 and CN_TODAY in again.json["errors"]["note"][0]
    r = client.get(f"/api/v1/disclosure/reports/{r.json['id']}/export.xlsx", headers=office)
    assert r.status_code == 200  # the published report's workbook carries its local publication time
    assert f"发布日期：{CN_NOW}" in _cells(r.data)

    r = client.get("/api/v1/agreements/progress/export.xlsx", headers=office)
    assert r.status_code == 200 and TODAY in r.headers["Content-Disposition"]
    progress = client.get("/api/v1/agreements/progress", headers=office).json
    assert progress["as_of"] == TODAY

    pages = client.application.test_client()
    login(pages, "office_a")
    page = pages.get("/disclosure?year=2023").get_data(as_text=True)
    assert CN_NOW in page
    public = pages.get("/public/a/disclosure").get_data(as_text=True)
    assert CN_NOW in public


def test_a_plan_names_its_own_time_zone(app, client, world):
    """The plan key ``timezone`` moves the business day: at 17:30 UTC it is already the 15th in Beijing, but
    still the 14th in Urumqi (UTC+6)."""
    from core.extensions import db
    from core.tenancy.scope import system_scope

    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "timezone": "Asia/Urumqi"}
        db.session.commit()
    app.config["CLOCK_NOW"] = "2024-03-14T17:30:00"
    h = world.headers("clerk_a1")
    debt = client.post("/api/v1/debts", json=debt_payload(), headers=h).json
    assert debt["computed_on"] == "2024-03-14"
    r = client.post(
        f"/api/v1/debts/{debt['id']}/payments", json={"paid_on": TODAY, "amount": "1.00"}, headers=h
    )
    assert r.status_code == 422 and "paid_on" in r.json["errors"]  # the 15th is tomorrow in Urumqi
    assert client.get("/api/v1/dashboard", headers=world.headers("office_a")).json["as_of"] == "2024-03-14"
    with app.app_context():  # no request, no jurisdiction in hand: the app's zone (Beijing)
        assert clock.today() == dt.date(2024, 3, 15)
