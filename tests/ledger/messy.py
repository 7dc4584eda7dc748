"""A generator of realistic, messy ledgers in the official 2023 layout, with its own totals to reconcile.

Reusable by any test (imports, commit, exports, benchmarks)::

    ledger = official_ledger(400, debtors=["甲一镇人民政府", "甲一镇财政所"], seed=7)
    ledger.write_xlsx(tmp_path / "乡镇台账.xlsx")          # title, 单位：万元, two-row merged header
    ledger.write_csv(tmp_path / "县台账.csv")               # 万元, one header row, no unit marker at all
    ledger.expected.amounts["data"]                       # Decimal yuan of 欠款金额 over the data rows

What it puts in, as clerks really do: a title row and a "填报单位：… 单位：万元" line; a two-row merged
header (``拖欠账款金额 / 其中：无分歧金额 / 有分歧金额``, ``偿还情况 / 已偿还金额 / 计划偿还时间``,
``到期日期``); invoices of one project without contract numbers (separate debts); exact copies and copies
with the same contract number and amounts (duplicates); wage rows without a wage amount; split columns
with a blank 有分歧; repaid amounts and planned dates; 备注 with line breaks; amounts to the fen in 万元
(six decimals); 小计 rows, rows holding only a 序号, a signature footer; and rows the importer must refuse
(split that does not add up, a large enterprise, an unreadable or negative amount, a debtor outside the
uploader's units). ``expected`` says what each data row must become and what the money sums to.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from core.rules.credit_code import make

WAN = Decimal(10000)
FEN = Decimal("0.01")

TOP = [
    "序号",
    "欠款单位",
    "欠款单位类型",
    "债权企业名称",
    "统一社会信用代码",
    "企业规模",
    "是否民营企业",
    "项目名称",
    "合同编号",
    "款项类别",
    "拖欠账款金额",
    None,
    None,
    "欠款形成时间",
    "到期日期",
    "是否涉及农民工工资",
    "农民工工资金额",
    "偿还情况",
    None,
    "备注",
]
SUB = (
    [None] * 10 + [None, "其中：无分歧金额", "有分歧金额"] + [None] * 4 + ["已偿还金额", "计划偿还时间", None]
)
# The same columns in one header row (CSV exports flatten the merged header).
FLAT = [
    "序号",
    "欠款单位",
    "欠款单位类型",
    "债权企业名称",
    "统一社会信用代码",
    "企业规模",
    "是否民营企业",
    "项目名称",
    "合同编号",
    "款项类别",
    "拖欠账款金额",
    "其中：无分歧金额",
    "有分歧金额",
    "欠款形成时间",
    "到期日期",
    "是否涉及农民工工资",
    "农民工工资金额",
    "已偿还金额",
    "计划偿还时间",
    "备注",
]
WIDTH = len(TOP)
OWED, UNDISPUTED, DISPUTED, WAGES, PAID, PLANNED, REMARKS = 10, 11, 12, 16, 17, 18, 19
CONTRACT, PROJECT = 8, 7
# Merged ranges of the two header rows (openpyxl refs, header on rows 3-4).
MERGES = [
    *(f"{c}3:{c}4" for c in "ABCDEFGHIJNOPQT"),
    "K3:M3",
    "R3:S3",
]

CREDITOR_WORDS = [
    "清凉",
    "佛光",
    "金岗",
    "黛螺",
    "台怀",
    "南禅",
    "东台",
    "龙泉",
    "白云",
    "紫府",
    "显通",
    "殊像",
]
TRADES = [
    ("建筑工程有限公司", "工程", "道路维修工程"),
    ("商贸有限公司", "货物", "办公用品采购"),
    ("物业服务有限公司", "服务", "物业服务"),
    ("科技有限公司", "服务", "信息系统运维"),
    ("建材有限公司", "货物", "建材采购"),
    ("园林绿化工程有限公司", "工程", "绿化提升工程"),
]
SIZES = ["小型", "微型", "中型", "小型企业", "微"]
REMARK_LINES = ["2023年6月已付部分款项", "待财政资金到位后支付", "已签订还款协议", "含质保金5%", "已对账确认"]


@dataclass
class Expected:
    """What the importer must make of the file: row counts and 欠款金额 sums in yuan (Decimal)."""

    rows: dict[str, int] = field(
        default_factory=lambda: {"accepted": 0, "rejected": 0, "duplicate": 0, "skipped": 0}
    )
    amounts: dict[str, Decimal] = field(
        default_factory=lambda: {k: Decimal("0.00") for k in ("data", "accepted", "rejected", "duplicate")}
    )
    rows_without_amount: int = 0
    # row numbers (as Excel shows them in write_xlsx) -> expected status, for spot checks
    status_of: dict[int, str] = field(default_factory=dict)
    # (first row, duplicate row) pairs, numbered as in write_xlsx
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    paid: Decimal = Decimal("0.00")  # 已偿还金额 over the accepted rows
    multiline_remarks: int = 0  # accepted rows whose 备注 has a line break
    invoice_groups: int = 0  # projects billed in several rows without a contract number


@dataclass
class Ledger:
    title: str
    reporter: str
    body: list[tuple[str, list]]  # (kind, 20 cells) in file order; kind: data | skip
    expected: Expected

    XLSX_FIRST_ROW = 5  # title, unit line, two header rows

    def sheet_rows(self) -> list[list]:
        return [
            [self.title] + [None] * (WIDTH - 1),
            [f"填报单位：{self.reporter}"] + [None] * (WIDTH - 2) + ["单位：万元"],
            list(TOP),
            list(SUB),
            *(cells for _kind, cells in self.body),
        ]

    def write_xlsx(self, path: Path) -> Path:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "清欠台账"
        for row in self.sheet_rows():
            ws.append(row)
        ws.merge_cells(f"A1:{_letter(WIDTH)}1")
        for ref in MERGES:
            ws.merge_cells(ref)
        wb.save(path)
        return Path(path)

    def write_csv(self, path: Path, *, encoding: str = "utf-8-sig") -> Path:
        """One flat header row and the data, amounts in 万元, and no unit marker anywhere (no title, no
        "单位" line, no "（万元）" in a header): the county file the issue describes. Row numbers are
        those of write_xlsx minus 3 (one header row instead of title, unit line and two header rows)."""
        with open(path, "w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(FLAT)
            for _kind, cells in self.body:
                writer.writerow(["" if v is None else _csv_text(v) for v in cells])
        return Path(path)


def _csv_text(value: object) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def wan_text(fen: int) -> str:
    """A fen amount written in 万元 (up to six decimals, exact), as plain text: "12.345678"."""
    return format((Decimal(fen) / Decimal(1_000_000)).normalize(), "f")


def official_ledger(
    n: int,
    *,
    debtors: list[str],
    foreign_debtor: str | None = None,
    seed: int = 2023,
    reporter: str | None = None,
    wages_without_amount: bool = True,
) -> Ledger:
    """About ``n`` data rows (plus 小计 / blank / footer rows) in the official layout, amounts in 万元.

    ``debtors`` must be units the uploader may import for; ``foreign_debtor`` (a unit outside them) adds
    rows the import must reject as not the uploader's. ``wages_without_amount=False`` gives every wage
    row a wage amount (for a commit that still requires one).
    """
    rnd = random.Random(seed)
    exp = Expected()
    body: list[tuple[str, list]] = []
    seq = 0
    first_row = Ledger.XLSX_FIRST_ROW
    history: list[
        tuple[int, list, int]
    ] = []  # (row number, cells, owed fen) of accepted rows with a contract

    def row_number() -> int:
        return first_row + len(body)

    def add(kind: str, cells: list, status: str | None = None, owed_fen: int | None = None) -> int:
        number = row_number()
        body.append((kind, cells))
        if kind == "skip":
            exp.rows["skipped"] += 1
            return number
        exp.status_of[number] = status
        exp.rows[status] += 1
        if owed_fen is None:
            exp.rows_without_amount += 1
        else:
            yuan = (Decimal(owed_fen) * FEN).quantize(FEN)
            exp.amounts["data"] += yuan
            exp.amounts[status] += yuan
        return number

    def creditor(i: int) -> tuple[str, str, str, str]:
        word = CREDITOR_WORDS[i % len(CREDITOR_WORDS)]
        suffix, category, project = TRADES[i % len(TRADES)]
        return f"山西{word}{suffix[:-4]}{i}{suffix[-4:]}", make(f"911409{i:011d}"), category, project

    def base(i: int, owed_fen: int, *, contract: str | None, project: str | None = None) -> list:
        nonlocal seq
        seq += 1
        name, code, category, default_project = creditor(i)
        debtor = debtors[i % len(debtors)]
        cells: list = [None] * WIDTH
        cells[0] = seq
        cells[1] = debtor
        cells[2] = "机关" if debtor.endswith(("政府", "局")) else "事业单位"
        cells[3] = name
        cells[4] = code
        cells[5] = SIZES[i % len(SIZES)]
        cells[6] = "是" if i % 7 else "否"
        cells[PROJECT] = project or f"{debtor[:3]}{default_project}{i}"
        cells[CONTRACT] = contract
        cells[9] = category
        cells[OWED] = float(wan_text(owed_fen)) if i % 3 else wan_text(owed_fen)
        disputed = 0 if i % 4 else owed_fen // 5
        cells[UNDISPUTED] = float(wan_text(owed_fen - disputed))
        cells[DISPUTED] = float(wan_text(disputed)) if disputed else None  # blank 有分歧 counts as 0
        day = dt.date(2022, 1 + i % 12, 1 + i % 28)
        cells[13] = [day, day.isoformat(), f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y.%m.%d")][
            i % 4
        ]
        due = dt.date(2023, 1 + i % 9, 1 + (i * 3) % 28)
        cells[14] = due.strftime("%Y/%m/%d") if i % 2 else due
        if i % 5 == 0:
            cells[15] = "是"  # a wage row: the wage amount is often not filled in
            cells[WAGES] = float(wan_text(owed_fen // 3)) if i % 10 == 0 or not wages_without_amount else None
        else:
            cells[15] = "否"
        if i % 6 == 1:
            cells[PAID] = float(wan_text(owed_fen // 4))
            cells[PLANNED] = dt.date(2023, 10, 31).isoformat() if i % 12 == 1 else "2023年12月31日"
        if i % 8 == 3:
            cells[REMARKS] = "\n".join(REMARK_LINES[(i + k) % len(REMARK_LINES)] for k in range(2))
        elif i % 8 == 5:
            cells[REMARKS] = REMARK_LINES[i % len(REMARK_LINES)]
        return cells

    def accepted(i: int, *, contract: str | None = None, project: str | None = None) -> int:
        owed_fen = rnd.randint(50_00, 3_000_000_00)  # 50 元 … 300 万元, to the fen
        cells = base(i, owed_fen, contract=contract, project=project)
        number = add("data", cells, "accepted", owed_fen)
        if cells[PAID] is not None:
            exp.paid += (Decimal(owed_fen // 4) * FEN).quantize(FEN)
        if cells[REMARKS] and "\n" in cells[REMARKS]:
            exp.multiline_remarks += 1
        if contract:
            history.append((number, cells, owed_fen))
        return owed_fen

    i = 0
    group_fen = 0
    while sum(exp.rows.values()) - exp.rows["skipped"] < n:
        i += 1
        kind = i % 25
        if kind == 3:
            # A project billed in several invoices, none with a contract number: each is its own debt.
            exp.invoice_groups += 1
            project = f"第{i}号乡村道路硬化工程"
            for _ in range(rnd.randint(2, 3)):
                group_fen += accepted(i, project=project)
        elif kind == 7 and history:
            # An exact copy of an earlier row (only 序号 differs).
            first, cells, owed_fen = rnd.choice(history)
            seq += 1
            copy = [seq, *cells[1:]]
            exp.duplicates.append((first, add("data", copy, "duplicate", owed_fen)))
        elif kind == 11 and history:
            # Same contract number and amounts, another remark: the same debt entered twice.
            first, cells, owed_fen = rnd.choice(history)
            seq += 1
            copy = [seq, *cells[1:]]
            copy[REMARKS] = "重复录入（财务科补报）"
            exp.duplicates.append((first, add("data", copy, "duplicate", owed_fen)))
        elif kind == 13:
            # 无分歧 + 有分歧 ≠ 欠款: rejected, the three figures named.
            owed_fen = rnd.randint(1000_00, 500_000_00)
            cells = base(i, owed_fen, contract=f"HT-{i:05d}")
            cells[UNDISPUTED] = float(wan_text(owed_fen // 2))
            cells[DISPUTED] = float(wan_text(owed_fen // 3))
            add("data", cells, "rejected", owed_fen)
        elif kind == 17:
            owed_fen = rnd.randint(1000_00, 500_000_00)
            cells = base(i, owed_fen, contract=f"HT-{i:05d}")
            cells[5] = "大型"  # large enterprises are outside the campaign
            add("data", cells, "rejected", owed_fen)
        elif kind == 19:
            cells = base(i, 100_00, contract=f"HT-{i:05d}")
            cells[OWED] = "待核实"  # no figure at all: rejected, listed as a row without an amount
            cells[UNDISPUTED] = None
            add("data", cells, "rejected", None)
        elif kind == 21:
            owed_fen = -rnd.randint(100_00, 10_000_00)
            cells = base(i, 100_00, contract=f"HT-{i:05d}")
            cells[OWED] = float(wan_text(owed_fen))
            cells[UNDISPUTED] = cells[DISPUTED] = None
            add("data", cells, "rejected", owed_fen)
        elif kind == 23 and foreign_debtor:
            owed_fen = rnd.randint(1000_00, 500_000_00)
            cells = base(i, owed_fen, contract=f"HT-{i:05d}")
            cells[1] = foreign_debtor
            add("data", cells, "rejected", owed_fen)
        else:
            accepted(i, contract=f"HT-{2023}-{i:05d}" if i % 9 else None)
        if i % 40 == 0:
            # A 小计 line after a block, then a row holding only its 序号 (the clerk's spare line).
            sub = [None] * WIDTH
            sub[1] = "小计"
            sub[OWED] = float(wan_text(group_fen)) if group_fen else None
            add("skip", sub)
            seq += 1
            add("skip", [seq] + [None] * (WIDTH - 1))
            group_fen = 0
    total = [None] * WIDTH
    total[0] = "合计"
    total[OWED] = wan_text(int(exp.amounts["data"] * 100))
    add("skip", total)
    add("skip", ["填表人：王晓燕", None, None, "审核人：李国华", None, None, None, "联系电话：0350-6541234"])
    return Ledger(
        title=f"{reporter or debtors[0]}拖欠中小企业账款台账（2023年）",
        reporter=reporter or debtors[0],
        body=body,
        expected=exp,
    )
