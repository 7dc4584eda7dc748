"""The jurisdiction's template and the rejected-rows workbook: both parse back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl

from core.tenancy.plans import load_plan
from plugins.ledger.parsing import CANONICAL_FIELDS, FIELD_LABELS, build_template, parse_file, write_rejected
from plugins.ledger.parsing.template import DATA_SHEET, HEADER_ROW, HELP_SHEET, header_label
from tests.ledger.fixtures import PLAN, SIMPLE_HEADER, code, fill_sheet, messy_xlsx, simple_row, write_xlsx

TODAY = dt.date(2023, 8, 1)
WUTAISHAN = load_plan("tenants/wutaishan")


def test_template_layout(tmp_path):
    path = tmp_path / "模板.xlsx"
    build_template(WUTAISHAN, path, unit_names=["台怀镇人民政府", "五台山风景区旅游发展局"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == [DATA_SHEET, HELP_SHEET] and wb.sheetnames[2] == "选项"
    ws = wb[DATA_SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers == [header_label(f) for f in CANONICAL_FIELDS]
    assert "*欠款金额（元）" in headers and "*款项类别" in headers and "备注" in headers
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"货物,工程,服务"' in lists
    assert '"中型,小型,微型"' in lists
    assert '"机关,事业单位,国有企业"' in lists
    assert any("选项" in f for f in lists)
    assert wb["选项"].sheet_state == "hidden"
    help_text = "\n".join(str(c.value) for row in wb[HELP_SHEET].iter_rows() for c in row if c.value)
    assert "2023年8月25日" in help_text and "2023年10月31日" in help_text
    assert "金额单位为元" in help_text
    assert "大型企业不属于清欠范围" in help_text
    assert "已进入司法程序" in help_text
    assert "台清欠办函【2023】4号" in help_text


def test_template_round_trip(tmp_path):
    path = tmp_path / "模板.xlsx"
    build_template(PLAN, path)
    idx = {f: i for i, f in enumerate(CANONICAL_FIELDS)}
    rows = []
    for i, (cat, size) in enumerate([("货物", "中型"), ("工程", "小型"), ("服务", "微型")]):
        row = [None] * len(CANONICAL_FIELDS)
        values = {
            "debtor_unit": "台怀镇人民政府",
            "debtor_type": "机关",
            "creditor_name": f"山西某某{i}有限公司",
            "credit_code": code(i),
            "creditor_size": size,
            "is_private": "是",
            "project_name": f"项目{i}",
            "contract_no": f"HT-{i}",
            "contract_date": dt.datetime(2022, 1, 10),
            "contract_amount": 200000,
            "category": cat,
            "amount_owed": 100000.5,
            "undisputed_amount": 80000.5,
            "disputed_amount": 20000,
            "origin_date": dt.datetime(2022, 6, 1),
            "delivery_date": dt.datetime(2022, 5, 1),
            "acceptance_date": dt.datetime(2022, 5, 20),
            "agreed_payment_date": dt.datetime(2022, 6, 30),
            "source": "自查",
            "migrant_wages": "是",
            "migrant_wage_amount": 30000,
            "judicial": "否",
            "reason": "资金未到位",
            "remarks": "无",
            "row_key": f"K{i}",
        }
        for fld, value in values.items():
            row[idx[fld]] = value
        rows.append(row)
    fill_sheet(path, DATA_SHEET, HEADER_ROW + 1, rows)
    res = parse_file(path, path.name, PLAN, today=TODAY)
    assert res.file_issues == [] and res.unmapped_headers == []
    assert res.header_row == HEADER_ROW
    assert set(res.columns) == set(CANONICAL_FIELDS)
    assert res.counts == {
        "read": 3,
        "accepted": 3,
        "warning": 0,
        "rejected": 0,
        "duplicate": 0,
        "skipped": 0,
    }, [r.issues for r in res.rows]
    v = res.rows[0].values
    assert v["amount_owed"] == Decimal("100000.50") and v["category"] == "goods" and v["is_private"] is True
    assert v["row_key"] == "K0" and res.rows[0].row_key == "id:K0"


def test_labels_are_chinese():
    assert all(FIELD_LABELS[f] and not FIELD_LABELS[f].isascii() for f in CANONICAL_FIELDS)


def test_rejected_rows_round_trip(tmp_path):
    rows = [
        SIMPLE_HEADER,
        simple_row(1),
        simple_row(2, owed=-5, contract="-2+3+cmd|calc"),
        simple_row(3, category="租金"),
    ]
    res = parse_file(write_xlsx(tmp_path / "a.xlsx", rows), "a.xlsx", PLAN, today=TODAY)
    rejected = res.by_status("rejected")
    assert len(rejected) == 2
    out = tmp_path / "rejected.xlsx"
    write_rejected(rejected, out)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[0] == "行号" and header[-1] == "错误原因"
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == [3, 4]
    assert "'-2+3+cmd|calc" in [c.value for c in ws[2]]  # escaped, not a formula
    assert "欠款金额必须大于0" in ws[2][len(header) - 1].value
    again = parse_file(out, "rejected.xlsx", PLAN, today=TODAY)
    assert again.unmapped_headers == [] and again.file_issues == []
    assert [r.row_number for r in again.rows] == [2, 3]
    assert [r.status for r in again.rows] == ["rejected", "rejected"]
    # The clerk fixes the cells and uploads the same workbook again.
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    ws.cell(row=2, column=col["欠款金额（元）"], value=500)
    ws.cell(row=2, column=col["统一社会信用代码"], value=code(2))
    ws.cell(row=3, column=col["款项类别"], value="服务")
    wb.save(out)
    fixed = parse_file(out, "rejected.xlsx", PLAN, today=TODAY)
    assert [r.status for r in fixed.rows] == ["accepted", "accepted"], [r.issues for r in fixed.rows]


def test_rejected_rows_keep_the_sheet_unit(tmp_path):
    path = messy_xlsx(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["I5"] = 11  # undisputed 11 + disputed 2.5 ≠ 12.5 (万元)
    wb.save(path)
    res = parse_file(path, "m.xlsx", PLAN, today=TODAY)
    bad = res.by_status("rejected")
    assert [r.row_number for r in bad] == [5]
    out = tmp_path / "r.xlsx"
    write_rejected(bad, out)
    again = parse_file(out, "r.xlsx", PLAN, today=TODAY)
    assert again.rows[0].issues[0].message == bad[0].issues[0].message  # amounts still read in 万元
    assert "欠款金额（万元）" in again.columns.values()
