"""The winter campaign: the Spring Festival date, the window, the countdown board by unit, the daily
reminders to units still owing wages and the office's weekly digest."""

from __future__ import annotations

import datetime as dt

from plugins.wages.linkage import festival
from tests.ledger.test_rounds_support import run_job
from tests.wages.conftest import CASE_SHEET, PROJECT_SHEET, upload


def test_festival_dates_and_the_window():
    assert festival.festival_date(2024) == dt.date(2024, 2, 10)
    assert festival.festival_date(2025) == dt.date(2025, 1, 29)
    assert festival.festival_date(2026, {"wages": {"spring_festival": "2026-02-16"}}) == dt.date(2026, 2, 16)
    run = festival.campaign(dt.date(2023, 12, 1))
    assert (run.start, run.festival, run.active, run.days_left) == (
        dt.date(2023, 11, 15),
        dt.date(2024, 2, 10),
        True,
        71,
    )
    assert festival.campaign(dt.date(2024, 2, 11)).festival == dt.date(2025, 1, 29)
    assert festival.campaign(dt.date(2024, 6, 1)).active is False
    later = festival.campaign(dt.date(2023, 11, 20), {"wages": {"winter_campaign_start": "12-01"}})
    assert (later.start, later.active) == (dt.date(2023, 12, 1), False)


def test_board_reminders_and_digest(client, ledger):
    upload(client, ledger, "projects", PROJECT_SHEET, dry_run=False)
    upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    h = ledger.headers("office_a")
    board = client.get("/api/v1/wages/festival", headers=h).json
    # a.town1: road 36,000 wages; a.town2: car park 40,000 (the wage part is capped at the debt).
    assert [(u["unit_name"], u["debts"], u["wages_left"], u["cleared"]) for u in board["units"]] == [
        ("甲二镇人民政府", 1, "40000.00", False),
        ("甲一镇人民政府", 1, "36000.00", False),
    ]
    assert board["total"] == "76000.00"
    html = client.get("/wages/festival", headers=h).get_data(as_text=True)
    assert "76,000.00" in html and "未清零" in html
    mine = client.get("/api/v1/wages/festival", headers=ledger.headers("clerk_a1")).json
    assert [u["unit_name"] for u in mine["units"]] == ["甲一镇人民政府"]

    # 4 December 2023 is a Monday inside the campaign: two unit reminders and the office's digest.
    assert run_job("wages_daily", ledger, today="2023-12-04") == {
        "countdown": 2,
        "digest": 1,
        "date": "2023-12-04",
    }
    assert run_job("wages_daily", ledger, today="2023-12-04") == {
        "countdown": 0,
        "digest": 0,
        "date": "2023-12-04",
    }
    assert run_job("wages_daily", ledger, today="2023-12-05") == {
        "countdown": 2,
        "digest": 0,
        "date": "2023-12-05",
    }
    assert run_job("wages_daily", ledger, today="2023-07-03")["countdown"] == 0  # Monday, outside the window
    town1 = [n["title"] for n in client.get("/api/v1/notifications", headers=ledger.headers("clerk_a1")).json]
    assert "春节前清零：距春节还有 68 天，本单位尚欠农民工工资 36,000.00 元" in town1
    office = [n["title"] for n in client.get("/api/v1/notifications", headers=h).json]
    assert "农民工工资联动周报（2023年12月4日）" in office

    # Road's wages paid: a.town1 is cleared (清零) and gets no more reminders.
    road = next(
        p["id"]
        for p in client.get("/api/v1/wages/projects", headers=h).json
        if p["name"] == "景区道路维修工程"
    )
    body = {
        "debt_id": ledger.debts["road"],
        "paid_on": "2023-07-01",
        "amount": "36000.00",
        "wage_amount": "36000.00",
    }
    assert client.post(f"/api/v1/wages/projects/{road}/payments", json=body, headers=h).status_code == 201
    units = client.get("/api/v1/wages/festival", headers=h).json["units"]
    assert [(u["unit_name"], u["cleared"]) for u in units] == [
        ("甲二镇人民政府", False),
        ("甲一镇人民政府", True),
    ]
    assert run_job("wages_daily", ledger, today="2023-12-06")["countdown"] == 1
