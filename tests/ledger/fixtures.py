"""Builders for realistic, messy ledger spreadsheets, written to a tmp dir at test time (no binaries).

They imitate what clerks really send: title and 填报单位/单位 rows, merged two-row headers, renamed columns,
amounts in 万元 with per-cell units, dates in every common spelling, blank and total rows, signature footers.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl

from core.rules.credit_code import make

DEBTORS = ["五台山风景区旅游发展局", "台怀镇人民政府", "五台山文旅集团有限公司"]
CREDITORS = [
    "山西清凉建筑工程有限公司",
    "忻州市佛光商贸有限公司",
    "五台县金岗物业服务有限公司",
    "山西黛螺科技有限公司",
]


def code(i: int) -> str:
    """A valid unified social credit code, distinct for each i."""
    return make(f"911422{i:011d}")


def bad_checksum_code(i: int) -> str:
    good = code(i)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return good[:17] + alphabet[(alphabet.index(good[17]) + 1) % 31]


PLAN = {
    "name": "测试辖区清欠工作方案",
    "deadlines": {"ledger_complete": "2023-08-25", "all_cleared": "2023-10-31"},
    "rules": {"credit_code_strict": False, "payment_term_days": 30, "max_agreed_term_days": 60},
    "scope": {
        "creditor_sizes": ["medium", "small", "micro"],
        "categories": ["goods", "works", "services"],
        "exclude_judicial": True,
    },
}


def write_xlsx(
    path: Path, rows: list[list], *, merges: list[str] = (), sheet: str = "台账", extra_sheets=None
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    for name, extra in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in extra:
            other.append(row)
    wb.save(path)
    return path


def write_xls(
    path: Path, rows: list[list], *, merges: list[tuple[int, int, int, int]] = (), sheet: str = "台账"
) -> Path:
    """Legacy .xls through xlwt. ``merges`` are (first_row, last_row, first_col, last_col), 0-based."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    merged_cells = {}
    for r1, r2, c1, c2 in merges:
        merged_cells[(r1, c1)] = (r2, c2)
    covered = {
        (r, c)
        for (r1, c1), (r2, c2) in merged_cells.items()
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
        if (r, c) != (r1, c1)
    }
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            if (r, c) in merged_cells:
                r2, c2 = merged_cells[(r, c)]
                ws.write_merge(r, r2, c, c2, value)
            elif isinstance(value, dt.date | dt.datetime):
                ws.write(r, c, value, date_style)
            elif value is not None:
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


# A simple one-row header in template labels, for rule tests.
SIMPLE_HEADER = [
    "欠款单位",
    "债权企业名称",
    "统一社会信用代码",
    "企业规模",
    "合同编号",
    "款项类别",
    "欠款金额（元）",
    "无争议金额（元）",
    "有争议金额（元）",
    "交付日期",
    "是否进入司法程序",
]


def simple_row(i: int, **overrides) -> list:
    values = {
        "debtor": DEBTORS[i % len(DEBTORS)],
        "creditor": f"{CREDITORS[i % len(CREDITORS)]}{i}",
        "code": code(i),
        "size": "小型",
        "contract": f"HT-2022-{i:04d}",
        "category": "工程",
        "owed": 100000 + i,
        "undisputed": None,
        "disputed": None,
        "delivered": "2022-06-30",
        "judicial": "否",
    }
    values.update(overrides)
    return list(values.values())


def messy_rows() -> tuple[list[list], list[str], list[tuple[int, int, int, int]]]:
    """What clerks send: title, 填报单位/单位：万元 line, two-row merged header, mixed formats, junk rows.

    Returns (rows, openpyxl merge refs, xlwt merges). Sheet row numbers: header rows 3–4, data from 5.
    """
    header1 = [
        "序号",
        "债务单位",
        "债权人",
        "信用代码",
        "企业规模",
        "合同号",
        "款项类型",
        "金额",
        None,
        None,
        "签订日期",
        "完工日期",
        "备注",
    ]
    header2 = [None, None, None, None, None, None, None, "欠款金额", "无争议", "有争议", None, None, None]
    rows = [
        ["五台山风景区拖欠中小企业账款台账", *[None] * 12],
        [
            "填报单位：五台山风景区旅游发展局",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "单位：万元",
            None,
            None,
        ],
        header1,
        header2,
        # 5: plain numbers in the sheet unit (万元), ISO dates
        [
            1,
            "五台山风景区旅游发展局",
            "山西清凉建筑工程有限公司",
            code(1),
            "小型",
            "HT-001",
            "工程款",
            12.5,
            10,
            2.5,
            "2022-03-15",
            "2022/6/30",
            None,
        ],
        # 6: per-cell units override the sheet unit; full-width spaces around the name; 年月日 dates
        [
            2,
            "台怀镇人民政府",
            "\u3000忻州市佛光商贸有限公司 ",
            code(2),
            "微型",
            "HT-002",
            "采购",
            "125,000元",
            None,
            None,
            "2022年3月15日",
            "2022.3.15",
            None,
        ],
        # 7: "12.5万" in a 万元 sheet is still 12.5万; compact and month-only dates
        [
            3,
            "台怀镇人民政府",
            "五台县金岗物业服务有限公司",
            code(3),
            "中型",
            "HT-003",
            "服务费",
            "12.5万",
            None,
            "2.5万",
            "20220315",
            "2022.3",
            None,
        ],
        [None] * 13,
        # 9: real datetime cells and an Excel serial number
        [
            4,
            "五台山文旅集团有限公司",
            "山西黛螺科技有限公司",
            code(4),
            "小型",
            "HT-004",
            "货物",
            3,
            None,
            None,
            dt.datetime(2021, 11, 2),
            44635,
            "\u00a0含质保金",
        ],
        # 10: a total row, then footers
        ["合计", None, None, None, None, None, None, 31, None, None, None, None, None],
        [
            "填表人：张三",
            None,
            None,
            "审核人：李四",
            None,
            None,
            None,
            None,
            None,
            None,
            "联系电话：0350-6543210",
            None,
            None,
        ],
        ["单位负责人：王五", *[None] * 12],
    ]
    merges = [
        "A1:M1",
        "A3:A4",
        "B3:B4",
        "C3:C4",
        "D3:D4",
        "E3:E4",
        "F3:F4",
        "G3:G4",
        "H3:J3",
        "K3:K4",
        "L3:L4",
        "M3:M4",
    ]
    xlwt_merges = [
        (0, 0, 0, 12),
        (2, 3, 0, 0),
        (2, 3, 1, 1),
        (2, 3, 2, 2),
        (2, 3, 3, 3),
        (2, 3, 4, 4),
        (2, 3, 5, 5),
        (2, 3, 6, 6),
        (2, 2, 7, 9),
        (2, 3, 10, 10),
        (2, 3, 11, 11),
        (2, 3, 12, 12),
    ]
    return rows, merges, xlwt_merges


def messy_xlsx(path: Path) -> Path:
    rows, merges, _ = messy_rows()
    return write_xlsx(path, rows, merges=merges)


def messy_xls(path: Path) -> Path:
    rows, _, merges = messy_rows()
    return write_xls(path, rows, merges=merges)


def big_xlsx(path: Path, n: int) -> Path:
    """n data rows in the template layout, streamed with openpyxl's write-only mode (for benchmarks)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["清欠台账"])
    ws.append(["填报单位：测试局", None, None, None, None, None, "单位：元"])
    ws.append(
        [
            "*欠款单位",
            "欠款单位类型",
            "*债权企业名称",
            "统一社会信用代码",
            "企业规模",
            "项目名称",
            "合同编号",
            "合同签订日期",
            "合同金额（元）",
            "*款项类别",
            "*欠款金额（元）",
            "无争议金额（元）",
            "有争议金额（元）",
            "交付日期",
            "约定付款日期",
            "线索来源",
            "是否涉及农民工工资",
            "是否进入司法程序",
            "拖欠原因",
            "备注",
        ]
    )
    cats = ["货物", "工程", "服务"]
    sizes = ["中型", "小型", "微型"]
    base = dt.date(2021, 1, 1)
    for i in range(n):
        owed = 10000 + (i * 37) % 900000
        ws.append(
            [
                DEBTORS[i % 3],
                "机关",
                f"{CREDITORS[i % 4]}{i}",
                code(i),
                sizes[i % 3],
                f"项目{i}",
                f"HT-{i:07d}",
                base + dt.timedelta(days=i % 700),
                owed * 2,
                cats[i % 3],
                owed,
                owed - 1000,
                1000,
                base + dt.timedelta(days=30 + i % 700),
                "2023-06-30",
                "自查",
                "否",
                "否",
                "资金不足",
                None,
            ]
        )
    wb.save(path)
    return path


def add_zip_member(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)


def replace_zip_member(path: Path, name: str, data: bytes) -> None:
    """Rewrite an .xlsx with one member replaced (to plant DTDs and the like)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == name else src.read(info.filename))
    tmp.replace(path)


def fill_sheet(path: Path, sheet: str, first_row: int, rows: list[list]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(path)
