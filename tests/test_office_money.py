"""Money as officials read it: 万元/元 per user, one rounding rule, 合计 rows, exports that print."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.units import in_unit, ratio, total_differs
from core.web.templating import wan
from tests.test_web import csrf_token, debts, login, text  # noqa: F401  (fixture)


def test_one_rounding_rule_half_up_once():
    # 638 250 yuan is 63.825 万元: half up gives 63.83 everywhere (the old page filter gave 63.82).
    assert in_unit(Decimal("638250"), "wan") == Decimal("63.83")
    assert wan(Decimal("638250")) == "63.83"
    assert in_unit(Decimal("0.005"), "yuan") == Decimal("0.01")
    assert ratio(Decimal("1"), Decimal("8")) == Decimal("0.1250")
    assert ratio(Decimal("1"), Decimal("0")) == Decimal("0.0000")
    # Three rows of 0.4 万元-and-a-bit: rounded rows add to 1.20, the exact total rounds to 1.21.
    rows = [Decimal("4044"), Decimal("4044"), Decimal("4044")]
    assert total_differs(rows, "wan") and not total_differs(rows, "yuan")


def set_unit(client, unit: str, back: str = "/debts"):
    token = csrf_token(client, back)
    return client.post("/preferences/money-unit", data={"unit": unit, "next": back, "csrf_token": token})


def test_reader_switches_tables_between_wan_and_yuan(client, world, debts):  # noqa: F811
    login(client, "office_a")
    page = text(client.get("/debts"))
    assert "欠款金额（万元）" in page and "单位：万元" in page
    r = set_unit(client, "yuan")
    assert r.status_code == 302 and r.headers["Location"].endswith("/debts")
    page = text(client.get("/debts"))
    assert "欠款金额（元）" in page and "100,000.00" in page
    dashboard = text(client.get("/"))
    assert "金额单位：元" in dashboard
    # The choice belongs to the user: another reader still sees 万元.
    other = client.application.test_client()
    login(other, "leader_a")
    assert "欠款金额（万元）" in text(other.get("/debts"))
    assert set_unit(client, "pounds").status_code == 400


def test_every_dashboard_table_and_the_debt_list_have_a_total_row(client, world, debts):  # noqa: F811
    login(client, "office_a")
    dashboard = text(client.get("/"))
    assert dashboard.count('class="total-row"') >= 4
    page = text(client.get("/debts"))
    assert 'data-testid="debts-total"' in page and "合计" in page


def _api_total(client, world, query: str) -> tuple[int, Decimal, Decimal]:
    r = client.get(f"/api/v1/debts?{query}", headers=world.headers("office_a"))
    assert r.status_code == 200
    return (
        int(r.headers["X-Total-Count"]),
        Decimal(r.headers["X-Total-Amount-Owed"]),
        Decimal(r.headers["X-Total-Outstanding"]),
    )


@pytest.mark.parametrize("unit", ["yuan", "wan"])
def test_filtered_debt_export_equals_the_api_total_to_the_fen(client, world, debts, unit):  # noqa: F811
    login(client, "office_a")
    set_unit(client, unit)
    count, owed, outstanding = _api_total(client, world, "category=works")
    assert count == 1 and owed > 0
    page = text(client.get("/debts?category=works"))
    href = re.search(r'href="([^"]+)" data-testid="debts-export"', page).group(1).replace("&amp;", "&")
    assert "category=works" in href
    r = client.get(href)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[2]
    owed_col = next(i for i, h in enumerate(header) if h.startswith("欠款金额"))
    left_col = next(i for i, h in enumerate(header) if h.startswith("未清偿"))
    total = next(row for row in rows if row[0] == "合计")
    data = rows[3 : rows.index(total)]
    assert len(data) == count
    assert Decimal(str(total[owed_col])) == in_unit(owed, unit)
    assert Decimal(str(total[left_col])) == in_unit(outstanding, unit)
    assert rows[1][-1] == f"单位：{'元' if unit == 'yuan' else '万元'}"


def test_debt_export_prints_on_landscape_a4_with_real_dates(client, world, debts):  # noqa: F811
    login(client, "office_a")
    ws = load_workbook(io.BytesIO(client.get("/debts/export.xlsx").data)).active
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$3" and ws.freeze_panes == "A4"
    header = [c.value for c in ws[3]]
    due = header.index("应付款日期") + 1
    cells = [ws.cell(row=r, column=due) for r in range(4, 4 + 2)]
    assert all(c.number_format == 'yyyy"年"m"月"d"日"' for c in cells)
    assert any(c.is_date for c in cells)
    unit_col = header.index("债务单位") + 1
    # Wide enough for the longest Chinese unit name (two columns a character).
    longest = max(len(ws.cell(row=r, column=unit_col).value or "") for r in range(4, 6))
    assert ws.column_dimensions[chr(64 + unit_col)].width >= longest * 2


def test_creditor_list_has_unit_switch_total_and_export(client, world, debts):  # noqa: F811
    login(client, "office_a")
    page = text(client.get("/enterprises"))
    assert "未清偿（万元）" in page and 'data-testid="enterprises-total"' in page
    count, owed, outstanding = _api_total(client, world, "")
    assert f"欠款 {count} 笔" in page
    assert f"{in_unit(outstanding, 'wan'):,.2f}" in page
    set_unit(client, "yuan", "/enterprises")
    r = client.get("/enterprises/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    assert rows[1][-1] == "单位：元"
    assert total[5] == count and Decimal(str(total[6])) == outstanding
