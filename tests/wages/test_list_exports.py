"""The wages page's lists export what is on screen (issue 14, point 2), and the wage-debt list pages with a
合计 over every page (it showed at most 200 rows before)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from core.extensions import db
from core.jobs.models import Job, JobStatus
from core.tenancy.scope import system_scope
from core.units import in_unit
from tests.wages.conftest import add_debt, get

ZERO = Decimal("0.00")


def _sheet(data: bytes):
    ws = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    return rows, rows[2], rows[3 : rows.index(total)], total


def _sum(rows, key) -> Decimal:
    return sum((Decimal(r[key]) for r in rows if r[key] is not None), ZERO)


def test_every_list_of_the_wages_page_exports_with_its_totals(client, linked):
    h = linked.headers("office_a")
    html = get(client, linked, "/wages").get_data(as_text=True)
    for which in ("cases", "debts", "projects"):
        assert f'data-testid="wage-{which}-export"' in html

    cases = client.get("/api/v1/wages/cases", headers=h).json
    rows, header, data, total = _sheet(get(client, linked, "/wages/cases/export.xlsx").data)
    assert "人社欠薪案件" in rows[0][0] and rows[1][-1] == "单位：万元"
    assert sorted(r[header.index("案件编号")] for r in data) == sorted(c["case_no"] for c in cases)
    assert Decimal(str(total[header.index("欠薪金额（万元）")])) == in_unit(_sum(cases, "amount_owed"), "wan")
    assert total[1] == f"共 {len(cases)} 件"

    debts = client.get("/api/v1/wages/debts?open=true", headers=h).json
    assert len(debts) == 2
    rows, header, data, total = _sheet(get(client, linked, "/wages/debts/export.xlsx").data)
    assert len(data) == 2
    for column, key in (("未付余额", "outstanding"), ("尚欠工资", "wages_left")):
        assert Decimal(str(total[header.index(f"{column}（万元）")])) == in_unit(_sum(debts, key), "wan")
    assert {r[header.index("人社案件")] for r in data} == {"RS-001", "RS-002"}

    projects = client.get("/api/v1/wages/projects", headers=h).json
    rows, header, data, total = _sheet(get(client, linked, "/wages/projects/export.xlsx").data)
    assert sorted(r[header.index("项目名称")] for r in data) == sorted(p["name"] for p in projects)
    deposits = _sum(projects, "wage_deposit")
    assert Decimal(str(total[header.index("工资保证金（万元）")])) == in_unit(deposits, "wan")
    assert "****" in data[0][header.index("工资专用账户")]

    rows, _header, data, total = _sheet(get(client, linked, "/wages/complaints/export.xlsx").data)
    assert "涉及农民工工资的投诉线索" in rows[0][0] and total[1] == f"共 {len(data)} 件"

    # The page's 合计 is the same figure, in the same unit.
    row = re.search(r'data-testid="wage-debts-total">(.*?)</tr>', html, re.S).group(1)
    shown = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert shown[2] == f"{in_unit(_sum(debts, 'wages_left'), 'wan'):,.2f}"


def test_the_liaison_exports_only_the_wage_flagged_part(client, liaison):
    rows, header, data, _total = _sheet(get(client, liaison, "/wages/debts/export.xlsx", "rs_a2").data)
    assert [r[header.index("债务单位")] for r in data] == ["甲二镇人民政府"]
    assert get(client, liaison, "/wages/debts/export.xlsx", "rs_b").status_code == 404
    assert get(client, liaison, "/wages/nothing/export.xlsx").status_code == 404


def test_the_wage_debt_list_pages_and_totals_every_page(app, client, ledger, monkeypatch):
    amounts = [Decimal("1000.01") * (n + 1) for n in range(23)]
    for n, amount in enumerate(amounts):
        add_debt(
            client,
            ledger,
            "a.town1",
            contract_no=f"XS-{n:02}",
            amount_owed=f"{amount}",
            migrant_wages=True,
            migrant_wage_amount=f"{amount / 2:.2f}",
        )
    first = get(client, ledger, "/wages").get_data(as_text=True)
    second = get(client, ledger, "/wages?page=2").get_data(as_text=True)
    on_first = re.findall(r'data-debt="(\d+)"', first)
    on_second = re.findall(r'data-debt="(\d+)"', second)
    assert len(on_first) == 20 and len(on_second) == 3 and not set(on_first) & set(on_second)
    assert "第 1 / 2 页" in first
    exact = sum(amounts, ZERO)
    for html in (first, second):
        row = re.search(r'data-testid="wage-debts-total">(.*?)</tr>', html, re.S).group(0)
        assert "全部 23 笔" in row
        assert re.findall(r'<td class="num">([^<]*)</td>', row)[0] == f"{in_unit(exact, 'wan'):,.2f}"

    # Long lists are written by a job the reader follows; the file holds every page.
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 5)
    r = get(client, ledger, "/wages/debts/export.xlsx")
    assert r.status_code == 302 and "/exports/" in r.headers["Location"]
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    with system_scope():
        job = db.session.get(Job, job_id)
        assert job.name == "wages.debts_export" and job.status == JobStatus.SUCCEEDED, job.error
        assert (job.progress_done, job.progress_total) == (23, 23)
    _rows, header, data, total = _sheet(get(client, ledger, f"/exports/{job_id}/file").data)
    assert len(data) == 23
    assert Decimal(str(total[header.index("未付余额（万元）")])) == in_unit(exact, "wan")
