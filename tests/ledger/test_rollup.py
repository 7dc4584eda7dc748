"""Roll-ups (SQL aggregates, Decimal money, SOE subtree) checked by hand, and the .xlsx export upward."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from tests.ledger.test_rounds_support import add_debt, lw, nid, pay

__all__ = ["lw"]

INJECTION = '=HYPERLINK("http://evil.example","点击查看")'


@pytest.fixture
def ledger(client, lw):
    d1 = add_debt(
        client,
        lw,
        "clerk_a1",
        "a.town1",
        1,
        amount_owed="100000.00",
        category="works",
        origin_date="2023-01-15",
        project_name=INJECTION,
    )
    pay(client, lw, "clerk_a1", d1["id"], "40000.00")
    add_debt(
        client,
        lw,
        "office_a",
        "a.town1.office",
        2,
        amount_owed="50000.00",
        category="goods",
        origin_date="2023-01-20",
        source="audit",
        remarks="-1+2",
    )
    add_debt(
        client,
        lw,
        "clerk_a2",
        "a.town2",
        3,
        amount_owed="30000.50",
        category="services",
        origin_date="2023-03-05",
        source="complaint",
    )
    add_debt(client, lw, "soe_a", "a.soe", 4, amount_owed="20000.00", category="goods", origin_date=None)
    add_debt(
        client,
        lw,
        "soe_a",
        "a.soe.sub",
        5,
        amount_owed="12000.00",
        category="services",
        origin_date="2022-12-01",
    )
    # In judicial proceedings: recorded, but outside the campaign's totals.
    add_debt(
        client,
        lw,
        "clerk_a2",
        "a.town2",
        6,
        amount_owed="99999.00",
        category="works",
        origin_date="2023-02-01",
        judicial=True,
        status="judicial",
    )
    return lw


def summary(client, world, by: str, user: str = "office_a", **query) -> dict:
    r = client.get("/api/v1/ledger/summary", query_string={"by": by, **query}, headers=world.headers(user))
    assert r.status_code == 200, r.json
    return r.json


def table(result: dict) -> list[tuple]:
    return [(r["label"], r["count"], r["owed"], r["paid"], r["outstanding"]) for r in result["rows"]]


def test_by_unit_rolls_up_subtrees(client, ledger):
    result = summary(client, ledger, "unit")
    assert table(result) == [
        ("甲一镇人民政府", 2, "150000.00", "40000.00", "110000.00"),  # with its 财政所
        ("甲二镇人民政府", 1, "30000.50", "0.00", "30000.50"),  # the judicial case left out
        ("甲旅游集团", 2, "32000.00", "0.00", "32000.00"),  # the SOE group includes its subsidiary
    ]
    assert result["total"] == {
        "key": "total",
        "label": "合计",
        "count": 5,
        "owed": "212000.50",
        "paid": "40000.00",
        "outstanding": "172000.50",
    }
    # The SOE group's own view: its own debts as 本级, then the subsidiary.
    soe = summary(client, ledger, "unit", "soe_a")
    assert table(soe) == [
        ("甲旅游集团（本级）", 1, "20000.00", "0.00", "20000.00"),
        ("甲旅游集团酒店公司", 1, "12000.00", "0.00", "12000.00"),
    ]
    # Drill-down and isolation: a sibling township cannot name another's subtree.
    town1 = summary(client, ledger, "unit", unit=nid(ledger, "a.town1"))
    assert table(town1) == [
        ("甲一镇人民政府（本级）", 1, "100000.00", "40000.00", "60000.00"),
        ("甲一镇财政所", 1, "50000.00", "0.00", "50000.00"),
    ]
    r = client.get(
        f"/api/v1/ledger/summary?by=unit&unit={nid(ledger, 'a.town1')}", headers=ledger.headers("clerk_a2")
    )
    assert r.status_code == 404
    assert summary(client, ledger, "unit", "clerk_b1")["total"]["count"] == 0


def test_other_dimensions(client, ledger):
    assert table(summary(client, ledger, "kind")) == [
        ("乡（镇）", 2, "130000.50", "40000.00", "90000.50"),
        ("事业单位", 1, "50000.00", "0.00", "50000.00"),
        ("国有企业", 1, "20000.00", "0.00", "20000.00"),
        ("子公司", 1, "12000.00", "0.00", "12000.00"),
    ]
    assert table(summary(client, ledger, "category")) == [
        ("货物", 2, "70000.00", "0.00", "70000.00"),
        ("工程", 1, "100000.00", "40000.00", "60000.00"),
        ("服务", 2, "42000.50", "0.00", "42000.50"),
    ]
    assert table(summary(client, ledger, "source")) == [
        ("自查", 3, "132000.00", "40000.00", "92000.00"),
        ("审计", 1, "50000.00", "0.00", "50000.00"),
        ("线索", 1, "30000.50", "0.00", "30000.50"),
    ]
    assert table(summary(client, ledger, "status")) == [
        ("待核实", 4, "112000.50", "0.00", "112000.50"),
        ("部分偿还", 1, "100000.00", "40000.00", "60000.00"),
    ]
    assert table(summary(client, ledger, "month")) == [
        ("2022年12月", 1, "12000.00", "0.00", "12000.00"),
        ("2023年1月", 2, "150000.00", "40000.00", "110000.00"),
        ("2023年3月", 1, "30000.50", "0.00", "30000.50"),
        ("未填写发生日期", 1, "20000.00", "0.00", "20000.00"),
    ]
    for by in ("kind", "category", "source", "status", "month"):
        assert summary(client, ledger, by)["total"]["owed"] == "212000.50", by
    r = client.get("/api/v1/ledger/summary?by=nonsense", headers=ledger.headers("office_a"))
    assert r.status_code == 422


def workbook(client, world, user: str = "office_a", **query):
    r = client.get("/api/v1/ledger/export.xlsx", query_string=query, headers=world.headers(user))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in r.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(r.data)).active


def rows_of(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def wan(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_export_whole_ledger_in_template_layout(client, ledger):
    ws = workbook(client, ledger, as_of="2023-08-25")
    rows = rows_of(ws)
    assert rows[0][0] == "甲风景区拖欠中小企业账款台账（截至2023年8月25日）"
    assert rows[1][0] == "填报单位：甲风景区" and rows[1][-1] == "单位：万元"
    header = rows[2]
    assert header[:3] == ["序号", "欠款单位", "欠款单位类型"] and "欠款金额（万元）" in header
    owed = header.index("欠款金额（万元）")
    data = [r for r in rows[3:] if isinstance(r[0], int)]
    assert len(data) == 5
    assert sorted(wan(r[owed]) for r in data) == [
        wan("1.20"),
        wan("2.00"),
        wan("3.00"),
        wan("5.00"),
        wan("10.00"),
    ]
    total = next(r for r in rows if r[0] == "合计")
    assert wan(total[owed]) == sum(wan(r[owed]) for r in data) == wan("21.20")
    assert ws.cell(4, owed + 1).number_format == "#,##0.00"
    # Dates as officials write them; text typed by outsiders never runs as a formula.
    origin = header.index("欠款形成日期")
    # A real date cell shown as 2023年1月15日 (issue 14: dates are not text in exports).
    assert dt.datetime(2023, 1, 15) in [r[origin] for r in data]
    project = header.index("项目名称")
    assert "'" + INJECTION in [r[project] for r in data]
    assert "'-1+2" in [r[header.index("备注")] for r in data]
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r)
    assert any(isinstance(r[0], str) and r[0].startswith("填表人") for r in rows)


def test_export_rollup_by_unit_and_by_category(client, ledger):
    rows = rows_of(workbook(client, ledger, by="unit", as_of="2023-08-25"))
    assert rows[0][0] == "甲风景区拖欠中小企业账款汇总表（按单位）（截至2023年8月25日）"
    assert rows[1][-1] == "单位：万元"
    assert rows[2] == ["序号", "单位", "笔数", "欠款金额", "已付金额", "未付余额"]
    body = [r for r in rows[3:] if isinstance(r[0], int)]
    assert [(r[1], r[2], wan(r[3]), wan(r[4]), wan(r[5])) for r in body] == [
        ("甲一镇人民政府", 2, wan("15.00"), wan("4.00"), wan("11.00")),
        ("甲二镇人民政府", 1, wan("3.00"), wan("0.00"), wan("3.00")),
        ("甲旅游集团", 2, wan("3.20"), wan("0.00"), wan("3.20")),
    ]
    total = next(r for r in rows if r[0] == "合计")
    assert (total[2], wan(total[3]), wan(total[4]), wan(total[5])) == (
        5,
        wan("21.20"),
        wan("4.00"),
        wan("17.20"),
    )
    cat = rows_of(workbook(client, ledger, by="category"))
    assert [r[1] for r in cat[3:] if isinstance(r[0], int)] == ["货物", "工程", "服务"]
    # The clerk of another jurisdiction exports nothing of a.
    other = rows_of(workbook(client, ledger, "clerk_b1"))
    assert not [r for r in other[3:] if isinstance(r[0], int)]


def test_export_round_snapshot_and_summary_page(client, ledger):
    r = client.post(
        "/api/v1/ledger/rounds",
        json={"name": "第一轮", "as_of": "2023-08-20"},
        headers=ledger.headers("office_a"),
    )
    rnd = r.json
    assert (
        client.post(
            f"/api/v1/ledger/rounds/{rnd['id']}/submissions", json={}, headers=ledger.headers("clerk_a1")
        ).status_code
        == 201
    )
    rows = rows_of(workbook(client, ledger, round=rnd["id"]))
    assert rows[0][0] == "甲风景区拖欠中小企业账款台账（截至2023年8月20日）"
    body = [r for r in rows[3:] if isinstance(r[0], int)]
    assert len(body) == 2 and "'" + INJECTION in [r[4] for r in body]
    page = client.get("/ledger/summary?by=unit", headers=ledger.headers("office_a")).get_data(as_text=True)
    # The reader's table unit (万元 by default): 212 000.50 元 is 21.20 万元.
    assert ">21.20<" in page and "欠款金额（万元）" in page and "export.xlsx?by=unit" in page


def test_exported_ledger_reads_back_through_the_importer(client, ledger, tmp_path):
    """The export speaks the template's columns: a unit can send it on and the next office imports it."""
    from plugins.ledger.parsing import parse_file
    from tests.ledger.fixtures import PLAN

    r = client.get("/api/v1/ledger/export.xlsx", headers=ledger.headers("office_a"))
    path = tmp_path / "导出台账.xlsx"
    path.write_bytes(r.data)
    parsed = parse_file(path, path.name, PLAN, today=dt.date(2023, 8, 25))
    assert parsed.file_issues == []
    data = [row for row in parsed.rows if row.status != "skipped"]
    assert [row.status for row in data] == ["accepted"] * 5, [row.issues for row in data]
    assert sorted(row.values["amount_owed"] for row in data) == [
        Decimal("12000.00"),
        Decimal("20000.00"),
        Decimal("30000.00"),
        Decimal("50000.00"),
        Decimal("100000.00"),
    ]
    assert {row.values["debtor_unit"] for row in data} >= {"甲一镇人民政府", "甲二镇人民政府"}
    # The apostrophe that kept it from running in Excel is not part of the name it protects.
    assert INJECTION in {row.values.get("project_name") for row in data}
