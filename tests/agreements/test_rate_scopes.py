"""Every 清偿率 names its scope, and the dashboard, the progress page and its export agree (issue 14, 5)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.agreements.conftest import make_debt, nid
from tests.conftest import debt_payload
from tests.test_web import login, text


def _ledger(client, aw):
    confirmed = make_debt(client, aw, amount_owed="123456.78")
    client.post(
        f"/api/v1/debts/{confirmed['id']}/payments",
        json={"paid_on": "2023-08-20", "amount": "23456.78"},
        headers=aw.headers("clerk_a1"),
    )
    make_debt(client, aw, user="clerk_a2", unit="a.town2", amount_owed="10000.00")
    # Not yet verified: counted in 清偿率（全部欠款）, not in 清偿率（已确认欠款）.
    body = debt_payload(unit_id=nid(aw, "a.town2"), amount_owed="66543.22", status="to_verify")
    assert client.post("/api/v1/debts", json=body, headers=aw.headers("clerk_a2")).status_code == 201


def test_dashboard_progress_page_and_export_agree_for_the_same_scope(client, aw):
    _ledger(client, aw)
    dashboard = client.get("/api/v1/dashboard?as_of=2023-08-25", headers=aw.headers("office_a")).json
    totals = dashboard["totals"]
    progress = client.get(
        "/api/v1/agreements/progress?as_of=2023-08-25", headers=aw.headers("office_a")
    ).json["total"]
    # Two scopes, two different numbers: 23 456.78 / 200 000.00 and 23 456.78 / 133 456.78.
    assert totals["clearance_rate"] == "0.1173"
    assert totals["confirmed_clearance_rate"] == "0.1758"
    assert Decimal(progress["ratio"]) == Decimal(totals["confirmed_clearance_rate"])
    assert Decimal(progress["owed"]) == Decimal(totals["confirmed_owed"])

    r = client.get("/api/v1/agreements/progress/export.xlsx?as_of=2023-08-25", headers=aw.headers("office_a"))
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[2]
    total = next(row for row in rows if row[0] == "合计")
    column = header.index("清偿率（已确认欠款）")
    assert Decimal(str(total[column])) == Decimal(totals["confirmed_clearance_rate"])

    login(client, "office_a")
    page = text(client.get("/"))
    assert "清偿率（全部欠款）" in page and "清偿率（已确认欠款）" in page
    assert 'data-key="confirmed_clearance_rate" data-value="0.1758"' in page
    progress_page = text(client.get("/agreements/progress?as_of=2023-08-25"))
    assert "清偿率（已确认欠款）" in progress_page and "17.58%" in progress_page


def test_per_unit_rates_agree_and_every_rate_column_names_its_scope(client, aw):
    _ledger(client, aw)
    dashboard = client.get("/api/v1/dashboard?as_of=2023-08-25", headers=aw.headers("office_a")).json
    progress = client.get("/api/v1/agreements/progress?as_of=2023-08-25", headers=aw.headers("office_a")).json
    on_dashboard = {u["name"]: u for u in dashboard["by_unit"]}
    in_progress = {u["unit_name"]: u for u in progress["units"]}
    assert set(in_progress) <= set(on_dashboard) and in_progress
    for name, unit in in_progress.items():
        assert Decimal(unit["ratio"]) == Decimal(on_dashboard[name]["confirmed_clearance_rate"]), name
        assert Decimal(unit["owed"]) == Decimal(on_dashboard[name]["confirmed_owed"]), name
    # 甲一镇: 23 456.78 of 123 456.78 (19.00%); 甲二镇: 0 of 10 000 confirmed (its 待核实 debt is left out).
    assert on_dashboard["甲一镇人民政府"]["confirmed_clearance_rate"] == "0.1900"

    login(client, "office_a")
    page = text(client.get("/agreements/progress?as_of=2023-08-25"))
    for table in ("progress-units", "behind"):
        header = page.split(f'id="{table}"', 1)[1].split("</thead>", 1)[0]
        rates = [h for h in header.split("<th") if "清偿率" in h]
        assert rates and all("清偿率（已确认欠款）" in h for h in rates), table
    dashboard_page = text(client.get("/"))
    header = dashboard_page.split('id="by-unit"', 1)[1].split("</thead>", 1)[0]
    assert "清偿率（全部欠款）" in header
