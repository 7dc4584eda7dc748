"""The 确权 requests list exports what is on screen (issue 14, point 2) and totals in the reader's unit
(point 1): the filtered list, its 合计 and the file agree with the API to the fen."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from core.units import in_unit
from tests.conftest import needs_plugins
from tests.finance.conftest import file_request
from tests.finance.test_pages import login

pytestmark = needs_plugins("finance")


def _sheet(data: bytes):
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    return rows, rows[2], rows[3 : rows.index(total)], total


def test_the_requests_list_exports_with_its_filters_and_a_total(client, world):
    amounts = {"HT-1": "12.5万", "HT-2": "3333.33", "HT-3": "100000.05"}
    for contract, amount in amounts.items():
        file_request(client, contract_no=contract, amount=amount)
    api = client.get("/api/v1/finance/confirmations", headers=world.headers("office_a")).json
    exact = sum((Decimal(r["amount"]) for r in api), Decimal("0.00"))
    assert exact == Decimal("228333.38") and len(api) == 3

    login(client, "office_a")
    page = client.get("/finance").get_data(as_text=True)
    row = re.search(r'data-testid="confirmations-total">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'<td class="num">([^<]*)</td>', row).group(1) == f"{in_unit(exact, 'wan'):,.2f}"
    href = re.search(r'href="([^"]+)" data-testid="confirmations-export"', page).group(1)
    r = client.get(href.replace("&amp;", "&"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    rows, header, data, total = _sheet(r.data)
    assert rows[1][-1] == "单位：万元" and len(data) == 3
    assert Decimal(str(total[header.index("申请金额（万元）")])) == in_unit(exact, "wan")
    assert isinstance(data[0][header.index("答复期限")], dt.datetime)
    assert all(row[-1].startswith("剩余") for row in data)  # pending, within the 30 days

    # The filters on screen go into the file: no request is answered yet.
    r = client.get("/finance/export.xlsx?status=confirmed")
    _rows, _header, data, total = _sheet(r.data)
    assert data == [] and total[1] == "共 0 件"
    assert "status=pending" in client.get("/finance?status=pending").get_data(as_text=True)


def test_a_bad_status_filter_is_named_in_a_sentence(client, world):
    # Issue 14, point 7: the field and the allowed choices in Chinese, not a silently unfiltered list.
    login(client, "office_a")
    page = client.get("/finance?status=approved").get_data(as_text=True)
    assert "筛选条件有误：状态：“approved”不是可选的值，可选：" in page
    assert "待欠款单位确认" in page.split("可选：", 1)[1].split("</div>", 1)[0]
    assert "筛选条件有误" not in client.get("/finance?status=pending").get_data(as_text=True)


def test_the_list_pages_sorts_and_filters_overdue_in_the_query(client, world, on_day):
    """Every request in scope is reachable (the page showed at most 500 before) and the 合计 covers all
    pages; "overdue only" is a condition of the query, so it also finds overdue requests beyond the first
    page; the list sorts by the answer deadline (default) or the request date."""
    from tests.finance.conftest import request_body

    def filed(n: int, amount: str) -> None:
        r = client.post(
            "/api/v1/public/finance/confirmations",
            json=request_body(contract_no=f"HT-{n:02}", amount=amount),
            environ_base={"REMOTE_ADDR": f"10.0.{n}.1"},  # one filing per address: under the public limit
        )
        assert r.status_code == 201, r.json

    on_day("2026-01-05")
    filed(0, "1000.01")  # due 2026-02-04: overdue by March
    on_day("2026-03-02")
    amounts = [Decimal("1000.01")] + [Decimal(f"{n}00.00") for n in range(1, 22)]
    for n, amount in enumerate(amounts[1:], start=1):
        filed(n, f"{amount}")
    login(client, "office_a")
    first = client.get("/finance").get_data(as_text=True)
    second = client.get("/finance?page=2").get_data(as_text=True)
    codes = re.compile(r"<td><a href=\"/finance/confirmations/(\d+)\">")
    assert len(codes.findall(first)) == 20 and len(codes.findall(second)) == 2
    exact = sum(amounts, Decimal("0.00"))
    for page in (first, second):
        row = re.search(r'data-testid="confirmations-total">(.*?)</tr>', page, re.S).group(0)
        assert "全部 22 件" in row
        assert re.search(r'<td class="num">([^<]*)</td>', row).group(1) == f"{in_unit(exact, 'wan'):,.2f}"
    assert "HT-00" in first.split("<tbody>", 1)[1].split("</tr>", 1)[0]  # the soonest deadline first

    newest_first = client.get("/finance?sort=-requested_on").get_data(as_text=True)
    assert "HT-00" not in newest_first.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    overdue = client.get("/finance?overdue=1").get_data(as_text=True)
    assert len(codes.findall(overdue)) == 1 and "HT-00" in overdue and "逾期" in overdue
    _rows, header, data, _total = _sheet(client.get("/finance/export.xlsx?overdue=1").data)
    assert [r[header.index("合同编号")] for r in data] == ["HT-00"]
    assert data[0][header.index("期限情况")].startswith("逾期未答复")
