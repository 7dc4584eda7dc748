"""The agreements list reads money in the reader's unit, has a 合计 over every agreement and an export
(issue 14, point 1); a long list is exported in the background."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.agreements.conftest import make_debt
from tests.test_office_money import set_unit
from tests.test_web import login, text


def _agree(client, aw, amount: str, user: str = "clerk_a1", unit: str = "a.town1") -> None:
    debt = make_debt(client, aw, user=user, unit=unit, amount_owed=amount)
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": debt["id"],
            "agreed_amount": amount,
            "installments": [{"due_on": "2023-10-01", "amount": amount}],
        },
        headers=aw.headers(user),
    )
    assert r.status_code == 201, r.json


def test_agreements_list_switches_unit_totals_and_exports(app, client, aw, monkeypatch):
    _agree(client, aw, "100000.00")
    _agree(client, aw, "23456.78", user="clerk_a2", unit="a.town2")
    login(client, "office_a")
    page = text(client.get("/agreements/"))
    assert "协议金额（万元）" in page and 'data-testid="agreements-total"' in page
    assert "12.35" in page  # 123 456.78 元 in 万元, rounded once
    set_unit(client, "yuan", "/agreements/")
    assert "123,456.78" in text(client.get("/agreements/"))

    r = client.get("/agreements/export.xlsx")
    assert r.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(r.data)).active.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    assert rows[1][-1] == "单位：元" and total[1] == "共 2 份"
    assert Decimal(str(total[4])) == Decimal("123456.78")

    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 1)
    r = client.get("/agreements/export.xlsx")
    assert r.status_code == 302
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    data = client.get(f"/exports/{job_id}/file")
    assert data.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(data.data)).active.iter_rows()]
    assert next(row for row in rows if row[0] == "合计")[1] == "共 2 份"

    # A clerk's list, total and export hold their unit's agreement only.
    clerk = app.test_client()
    login(clerk, "clerk_a2")
    page = text(clerk.get("/agreements/"))
    assert "共 1 份协议" in page and "2.35" in page
