"""Prevention lists export what is on screen (issue 14, point 2): the deposits register and 新增拖欠 as
printable Excel in the reader's unit with a 合计 equal to the page's, real dates, and a background job with
progress when the list is long."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from core import clock
from core.extensions import db
from core.jobs.models import Job, JobStatus
from core.models.debt import Debt
from core.tenancy.scope import system_scope
from core.units import in_unit
from tests.conftest import needs_plugins
from tests.prevention.test_deposits import deposit
from tests.prevention.test_new_arrears import add_debt, set_baseline
from tests.test_web import login

pytestmark = needs_plugins("prevention")


def _sheet(data: bytes):
    ws = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(row for row in rows if row[0] == "合计")
    return ws, rows, rows[2], rows[3 : rows.index(total)], total


def _page_total(html: str, testid: str) -> str:
    row = re.search(rf'data-testid="{testid}">(.*?)</tr>', html, re.S).group(1)
    return re.search(r'<td class="num">([^<]*)</td>', row).group(1)


def test_the_deposits_register_exports_as_on_screen(app, client, world, monkeypatch):
    amounts = ["120000.00", "33333.33", "4444.45"]
    for n, amount in enumerate(amounts):
        deposit(client, world, amount=amount, enterprise_name=f"企业{n}")
    login(client, "office_a")
    page = client.get("/prevention/deposits").get_data(as_text=True)
    assert 'data-testid="deposits-export"' in page
    exact = sum((Decimal(a) for a in amounts), Decimal("0.00"))
    assert _page_total(page, "deposits-total") == f"{in_unit(exact, 'wan'):,.2f}"

    r = client.get("/prevention/deposits/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws, rows, header, data, total = _sheet(r.data)
    assert rows[1][-1] == "单位：万元" and "保证金台账" in rows[0][0]
    assert sorted(row[1] for row in data) == ["企业0", "企业1", "企业2"]
    money = header.index("金额（万元）")
    assert Decimal(str(total[money])) == in_unit(exact, "wan")
    # Dates are dates, shown the Chinese way; the header is frozen and printed on every page.
    due = header.index("应退还日期")
    assert isinstance(data[0][due], dt.datetime)
    assert ws.cell(row=4, column=due + 1).number_format == 'yyyy"年"m"月"d"日"'
    assert ws.freeze_panes == "A4" and ws.page_setup.orientation == "landscape"

    # Over the inline limit the file is written by a job the reader follows.
    monkeypatch.setitem(app.config, "EXPORT_INLINE_ROWS", 2)
    r = client.get("/prevention/deposits/export.xlsx")
    assert r.status_code == 302 and "/exports/" in r.headers["Location"]
    job_id = r.headers["Location"].rsplit("/", 1)[1]
    with system_scope():
        job = db.session.get(Job, job_id)
        assert job.name == "prevention.deposits_export" and job.status == JobStatus.SUCCEEDED, job.error
        assert (job.progress_done, job.progress_total) == (3, 3)
    *_rest, background_total = _sheet(client.get(f"/exports/{job_id}/file").data)
    assert background_total == total


def test_new_arrears_export_totals_the_page(client, world):
    set_baseline(world, "2023-09-01")
    owed = {"XZ-1": "150000.00", "XZ-2": "20000.05"}
    add_debt(client, world, "XZ-OLD", "2023-06-01")  # due before the baseline: not new arrears
    ids = [add_debt(client, world, no, "2023-10-01") for no in owed]
    for debt_id, amount in zip(ids, owed.values(), strict=True):
        with system_scope():
            db.session.get(Debt, debt_id).amount_owed = Decimal(amount)
            db.session.commit()
    login(client, "office_a")
    page = client.get("/prevention/new-arrears").get_data(as_text=True)
    assert 'data-testid="new-arrears-export"' in page
    assert "共 2 笔新增拖欠" in page
    exact = sum((Decimal(a) for a in owed.values()), Decimal("0.00"))
    assert _page_total(page, "new-arrears-total") == f"{in_unit(exact, 'wan'):,.2f}"
    r = client.get("/prevention/new-arrears/export.xlsx")
    assert r.status_code == 200
    _ws, _rows, header, data, total = _sheet(r.data)
    assert sorted(row[header.index("合同编号")] for row in data) == ["XZ-1", "XZ-2"]
    assert Decimal(str(total[header.index("未付金额（万元）")])) == in_unit(exact, "wan")
    assert total[1] == "共 2 笔" and {row[-1] for row in data} == {"未经审查"}


def test_unbudgeted_debts_export_equals_the_api_list(client, world):
    year = clock.today().year
    add_debt(client, world, "YS-1", f"{year - 1}-06-01")
    add_debt(client, world, "YS-2", (clock.today() - dt.timedelta(days=31)).isoformat())
    listed = client.get("/api/v1/prevention/budget/unbudgeted", headers=world.headers("office_a")).json
    exact = sum((Decimal(r["outstanding"]) for r in listed), Decimal("0.00"))
    login(client, "office_a")
    page = client.get("/prevention/budget").get_data(as_text=True)
    assert 'data-testid="unbudgeted-export"' in page
    assert _page_total(page, "unbudgeted-total") == f"{in_unit(exact, 'wan'):,.2f}"
    r = client.get("/prevention/budget/debts-export.xlsx")
    assert r.status_code == 200
    _ws, rows, header, data, total = _sheet(r.data)
    assert f"{year}年到期未安排预算的欠款" in rows[0][0]
    assert len(data) == len(listed) == 2
    assert Decimal(str(total[header.index("未付金额（万元）")])) == in_unit(exact, "wan")


def test_the_projects_register_exports_with_its_totals(client, world):
    from tests.prevention.test_projects import create

    create(client, world)
    create(
        client,
        world,
        name="甲一镇文化广场",
        budget="333333.33",
        funding=[{"source": "上级补助", "amount": "333333.33", "secured": True}],
    )
    login(client, "office_a")
    page = client.get("/prevention/projects").get_data(as_text=True)
    assert 'data-testid="projects-export"' in page
    r = client.get("/prevention/projects/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    _ws, rows, header, data, total = _sheet(r.data)
    assert "政府投资项目登记表" in rows[0][0] and rows[1][-1] == "单位：万元"
    assert sorted(row[1] for row in data) == ["甲一镇文化广场", "甲一镇污水管网工程"]
    budget, secured, short = (header.index(f"{c}（万元）") for c in ("总投资", "已落实资金", "未落实资金"))
    assert Decimal(str(total[budget])) == in_unit(Decimal("1333333.33"), "wan")
    assert Decimal(str(total[secured])) == in_unit(Decimal("733333.33"), "wan")
    assert Decimal(str(total[short])) == in_unit(Decimal("600000.00"), "wan")
    assert total[1] == "共 2 个项目"
