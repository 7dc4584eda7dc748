"""Progress report exports: .xlsx and .docx in the upward-reporting layout."""

from __future__ import annotations

import io

import docx
from openpyxl import load_workbook

from core.extensions import db
from core.tenancy.scope import system_scope
from plugins.agreements.progress.export import safe_text
from tests.agreements.conftest import make_debt


def _data(client, aw):
    d = make_debt(client, aw, amount_owed="123456.78")
    client.post(
        f"/api/v1/debts/{d['id']}/payments",
        json={"paid_on": "2023-08-20", "amount": "23456.78"},
        headers=aw.headers("clerk_a1"),
    )
    with system_scope():  # a unit name a spreadsheet would run as a formula
        node = aw.node("a.town2")
        node.name = '=HYPERLINK("http://x")'
        db.session.commit()
    make_debt(client, aw, user="clerk_a2", unit="a.town2", amount_owed="10000.00", contract_no="HT-9")


def test_xlsx_layout_wan_totals_and_formula_escape(client, aw):
    _data(client, aw)
    r = client.get("/api/v1/agreements/progress/export.xlsx?as_of=2023-08-25", headers=aw.headers("office_a"))
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "甲风景区防范和化解拖欠中小企业账款工作进展情况表"
    assert rows[1][0] == "统计日期：2023年8月25日"
    assert rows[2][:4] == ["序号", "单位", "欠款笔数", "欠款金额（万元）"]
    by_name = {row[1]: row for row in rows[3:5]}
    assert by_name["甲一镇人民政府"][3:6] == [12.35, 2.35, 10.0]
    assert '\'=HYPERLINK("http://x")' in by_name  # escaped, stays text
    total = rows[5]
    assert (
        total[0] == "合计" and total[2] == 2 and total[3] == 13.35 and total[6] == 0.1758
    )  # 23 456.78 / 133 456.78 = 0.17576…, a number shown as a percentage
    assert ws.cell(row=4, column=4).number_format == "0.00"
    assert ws.cell(row=6, column=7).number_format == "0.00%"
    assert any(row[0] == "合计" and row[1] == 2 for row in rows[6:])  # the by-class table's total


def test_docx_has_title_date_tables_and_totals(client, aw):
    _data(client, aw)
    r = client.get("/api/v1/agreements/progress/export.docx?as_of=2023-08-25", headers=aw.headers("office_a"))
    assert r.status_code == 200
    doc = docx.Document(io.BytesIO(r.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "甲风景区防范和化解拖欠中小企业账款工作进展情况表" in text and "2023年8月25日" in text
    assert "13.35万元" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[-1].cells][:4] == ["合计", "", "2", "13.35"]


def test_safe_text():
    assert [safe_text(v) for v in ("=1+1", "+86", "-5", "@x", "正常", None)] == [
        "'=1+1",
        "'+86",
        "'-5",
        "'@x",
        "正常",
        "",
    ]
