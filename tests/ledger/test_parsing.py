"""The parser on real-world spreadsheets: formats, encodings, messy layouts, synonyms, units, dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from plugins.ledger.parsing import normalize as nz
from plugins.ledger.parsing import parse_file, read_table
from tests.ledger.fixtures import (
    PLAN,
    SIMPLE_HEADER,
    code,
    messy_xls,
    messy_xlsx,
    simple_row,
    write_csv,
    write_xlsx,
)

TODAY = dt.date(2023, 8, 1)


def parse(path, plan=PLAN, **kw):
    kw.setdefault("today", TODAY)
    return parse_file(path, path.name, plan, **kw)


def check_counts(res):
    c = res.counts
    assert (
        c["read"]
        == c["accepted"] + c["warning"] + c["rejected"] + c["duplicate"] + c["skipped"]
        == len(res.rows)
    )
    assert all(r.status in ("accepted", "warning", "rejected", "duplicate", "skipped") for r in res.rows)


@pytest.mark.parametrize("builder, suffix", [(messy_xlsx, ".xlsx"), (messy_xls, ".xls")])
def test_messy_workbook(tmp_path, builder, suffix):
    res = parse(builder(tmp_path / f"台账{suffix}"))
    check_counts(res)
    assert res.file_issues == []
    assert res.header_row == 4  # two-row merged header on rows 3–4
    assert res.unit_multiplier == Decimal(10000)
    assert res.columns["amount_owed"] == "欠款金额"
    assert res.columns["undisputed_amount"] == "无争议"
    assert res.columns["creditor_name"] == "债权人"
    by_row = {r.row_number: r for r in res.rows}
    r5 = by_row[5]
    assert r5.status == "accepted", r5.issues
    assert r5.values["amount_owed"] == Decimal("125000.00")  # 12.5 万元
    assert r5.values["undisputed_amount"] == Decimal("100000.00")
    assert r5.values["disputed_amount"] == Decimal("25000.00")
    assert r5.values["category"] == "works"
    assert r5.values["contract_date"] == dt.date(2022, 3, 15)
    assert r5.values["delivery_date"] == dt.date(2022, 6, 30)
    r6 = by_row[6]
    assert r6.values["amount_owed"] == Decimal("125000.00")  # "125,000元" keeps its own unit
    assert r6.values["creditor_name"] == "忻州市佛光商贸有限公司"  # U+3000 and trailing space gone
    assert r6.values["category"] == "goods"  # 采购
    assert r6.values["delivery_date"] == dt.date(2022, 3, 15)  # 2022.3.15
    r7 = by_row[7]
    assert r7.status == "warning"
    assert r7.values["amount_owed"] == Decimal("125000.00")  # "12.5万"
    assert r7.values["undisputed_amount"] == Decimal("100000.00")  # derived from the disputed part
    assert r7.values["delivery_date"] == dt.date(2022, 3, 1)  # month only
    assert [i.field for i in r7.issues] == ["delivery_date"]
    assert "年月" in r7.issues[0].message
    r9 = by_row[9]
    assert r9.status == "accepted", r9.issues
    assert r9.values["contract_date"] == dt.date(2021, 11, 2)  # real datetime cell
    assert r9.values["delivery_date"] == dt.date(2022, 3, 15)  # Excel serial 44635
    assert r9.values["remarks"] == "含质保金"  # NBSP stripped
    assert by_row[10].skip_reason == "合计行"
    assert by_row[11].skip_reason == "填表人/审核人"
    assert by_row[12].skip_reason == "填表人/审核人"
    assert 8 not in by_row  # a wholly empty row is not a data row
    assert res.counts == {"read": 7, "accepted": 3, "warning": 1, "rejected": 0, "duplicate": 0, "skipped": 3}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    rows = [
        ["某局拖欠中小企业账款台账"],
        SIMPLE_HEADER,
        simple_row(1),
        simple_row(2, owed="１２，５００．００"),
        simple_row(3, owed="1,234,567.8", creditor="　山西 某某 有限公司　"),
    ]
    res = parse(write_csv(tmp_path / "台账.csv", rows, encoding=encoding))
    check_counts(res)
    assert res.header_row == 2
    assert [r.status for r in res.rows] == ["accepted"] * 3, [r.issues for r in res.rows]
    assert res.rows[0].values["debtor_unit"] == "台怀镇人民政府"
    assert res.rows[1].values["amount_owed"] == Decimal("12500.00")
    assert res.rows[2].values["amount_owed"] == Decimal("1234567.80")
    assert res.rows[2].values["creditor_name"] == "山西 某某 有限公司"


def test_csv_tab_separated_gbk(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_bytes(
        (
            "\t".join(SIMPLE_HEADER)
            + "\n"
            + "\t".join("" if v is None else str(v) for v in simple_row(1))
            + "\n"
        ).encode("gbk")
    )
    res = parse(path)
    assert res.counts["accepted"] == 1


def test_synonyms_from_plan_hooks_and_header_noise(tmp_path):
    plan = dict(PLAN, column_synonyms={"creditor_name": ["供应商全称"], "size_class": ["企业类型"]})
    header = [
        "拖欠 单位",
        "供应商全称",
        "统一社会\n信用代码",
        "企业类型",
        "乙方合同号",
        "款项类别",
        "欠款金额\n（万元）",
        "交付日期",
        "备注说明",
    ]
    rows = [header, ["台怀镇人民政府", "山西某某公司", code(1), "微型", "HT-1", "服务", 2, "2022-05-01", "x"]]
    res = parse(write_xlsx(tmp_path / "a.xlsx", rows), plan, synonyms={"contract_no": ["乙方合同号"]})
    assert res.columns["creditor_name"] == "供应商全称"  # plan synonym
    assert res.columns["creditor_size"] == "企业类型"  # plan says size_class
    assert res.columns["contract_no"] == "乙方合同号"  # hook synonym
    assert res.columns["debtor_unit"] == "拖欠 单位"  # spaces ignored
    assert res.columns["credit_code"] == "统一社会\n信用代码"  # line break ignored
    assert res.unmapped_headers == ["备注说明"]
    row = res.rows[0]
    assert row.status == "accepted", row.issues
    assert row.values["amount_owed"] == Decimal("20000.00")  # the header's own （万元）
    # the 欠款金额 header's unit is the file's marker: the preview reports 万元, from the header
    assert (res.unit_multiplier, res.unit_source) == (Decimal(10000), "header")


def test_full_width_header_and_yuan_column_in_wan_sheet(tmp_path):
    rows = [
        ["单位：万元"],
        ["欠款单位", "债权企业名称", "款项类别", "欠款金额(元)", "合同金额", "统一社会信用代码"],
        ["台怀镇人民政府", "某公司", "工程", 5000, 1, code(1)],
    ]
    res = parse(write_xlsx(tmp_path / "a.xlsx", rows))
    v = res.rows[0].values
    assert v["amount_owed"] == Decimal("5000.00")  # the column says 元
    assert v["contract_amount"] == Decimal("10000.00")  # the sheet says 万元
    assert res.rows[0].status == "accepted"


def test_reporting_unit_row_gives_the_debtor(tmp_path):
    rows = [
        ["填报单位：台怀镇人民政府", None, None, "单位：元"],
        ["债权企业名称", "款项类别", "欠款金额", "统一社会信用代码"],
        ["某公司", "货物", 100, code(1)],
    ]
    res = parse(write_xlsx(tmp_path / "a.xlsx", rows))
    assert res.file_issues == []
    assert res.rows[0].values["debtor_unit"] == "台怀镇人民政府"


def test_default_debtor_and_missing_columns(tmp_path):
    rows = [["债权企业名称", "统一社会信用代码", "项目名称", "欠款金额"], ["某公司", code(1), "道路", 100]]
    res = parse(write_xlsx(tmp_path / "a.xlsx", rows), default_debtor="台怀镇人民政府")
    assert res.file_issues == ["缺少必填列：款项类别（可下载模板对照列名）"]
    assert res.rows[0].status == "rejected"
    assert res.rows[0].issues[0].message == "款项类别不能为空"


def test_no_header_found(tmp_path):
    res = parse(write_xlsx(tmp_path / "a.xlsx", [["随便写点什么"], [1, 2, 3]]))
    assert res.rows == []
    assert res.file_issues and "未找到表头" in res.file_issues[0]


def test_summary_sheet_ignored_and_second_ledger_sheet_read(tmp_path):
    summary = [["单位名称", "欠款金额", "款项类别", "项目名称"], ["某局", 100, "工程", "x"]]
    ledger2 = [SIMPLE_HEADER, simple_row(7)]
    path = write_xlsx(
        tmp_path / "a.xlsx", [SIMPLE_HEADER, simple_row(1)], extra_sheets={"汇总": summary, "二季度": ledger2}
    )
    res = parse(path)
    assert [(r.sheet, r.row_number, r.status) for r in res.rows] == [
        ("台账", 2, "accepted"),
        ("二季度", 2, "accepted"),
    ]
    assert any("汇总" in n for n in res.notes)


def test_repeated_header_and_seq_only_rows_skipped(tmp_path):
    header = ["序号", *SIMPLE_HEADER]
    rows = [header, [1, *simple_row(1)], header, [2, *simple_row(2)], [3], [4, " ", None]]
    res = parse(write_xlsx(tmp_path / "a.xlsx", rows))
    check_counts(res)
    assert [r.skip_reason for r in res.rows] == [None, "重复表头", None, "空行", "空行"]
    assert "序号" not in res.unmapped_headers


def test_progress_and_max_rows(tmp_path):
    from plugins.ledger.parsing import LedgerFileError

    rows = [SIMPLE_HEADER, *(simple_row(i) for i in range(2500))]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    seen = []
    res = parse(path, progress=seen.append)
    assert res.counts["accepted"] == 2500
    assert seen[:2] == [1000, 2000] and seen[-1] == 2500
    with pytest.raises(LedgerFileError, match="上限"):
        parse(path, max_rows=100)


def test_read_table_row_numbers_match_excel(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C4"] = "标题"
    ws["B6"] = "x"
    wb.save(tmp_path / "a.xlsx")
    got = list(read_table(tmp_path / "a.xlsx", "a.xlsx", max_rows=10))
    assert [(n, cells) for _, n, cells in got] == [(4, [None, None, "标题"]), (6, [None, "x", None])]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2022-03-15", dt.date(2022, 3, 15)),
        ("2022/3/15", dt.date(2022, 3, 15)),
        ("2022.3.15", dt.date(2022, 3, 15)),
        ("2022年3月15日", dt.date(2022, 3, 15)),
        ("２０２２年３月１５日", dt.date(2022, 3, 15)),
        ("20220315", dt.date(2022, 3, 15)),
        (20220315, dt.date(2022, 3, 15)),
        (44635, dt.date(2022, 3, 15)),
        (44635.5, dt.date(2022, 3, 15)),
        ("44635", dt.date(2022, 3, 15)),
        ("2022-03-15 00:00:00", dt.date(2022, 3, 15)),
        (dt.datetime(2022, 3, 15, 10, 30), dt.date(2022, 3, 15)),
        (dt.date(2022, 3, 15), dt.date(2022, 3, 15)),
    ],
)
def test_dates(raw, expected):
    assert nz.date(raw) == (expected, None, False)


@pytest.mark.parametrize("raw", ["2022.3", "2022年3月", "2022-03", "2022/3", 2022.3])
def test_month_only_dates(raw):
    assert nz.date(raw) == (dt.date(2022, 3, 1), None, True)


@pytest.mark.parametrize("raw", ["2022-02-30", "去年", "2022.13", 12, True])
def test_bad_dates(raw):
    day, problem, _ = nz.date(raw)
    assert day is None and problem


@pytest.mark.parametrize(
    "raw, mult, expected",
    [
        ("125,000元", Decimal(10000), "125000.00"),
        ("12.5万", Decimal(1), "125000.00"),
        ("12.5万元", Decimal(1), "125000.00"),
        ("１２，５００．００", Decimal(1), "12500.00"),
        ("¥ 3,000.456", Decimal(1), "3000.46"),
        (12.5, Decimal(10000), "125000.00"),
        (0.1, Decimal(1), "0.10"),
        (100, Decimal(1), "100.00"),
        ("(1,000.00)", Decimal(1), "-1000.00"),
        ("-5", Decimal(1), "-5.00"),
        ("'3000", Decimal(1), "3000.00"),
    ],
)
def test_amounts(raw, mult, expected):
    assert nz.amount(raw, mult) == (Decimal(expected), None)


@pytest.mark.parametrize("raw", ["十万", "1.2.3", "12万5"])
def test_bad_amounts(raw):
    value, problem = nz.amount(raw)
    assert value is None and "格式不正确" in problem


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("货物", "goods"),
        ("工程", "works"),
        ("工程款", "works"),
        ("服务费", "services"),
        ("采购", "goods"),
        ("物资", "goods"),
        ("货物类", "goods"),
        ("工程物资采购", "works"),
        ("Services", "services"),
        ("其他", None),
    ],
)
def test_categories(raw, expected):
    assert nz.category(raw) == expected
