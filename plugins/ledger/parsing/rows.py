"""The row rules and ``parse_file``: every row of a clerk's spreadsheet ends accepted, accepted with a
warning, rejected (with the field and a Chinese reason) or skipped (blank, 合计, footer, duplicate)."""

from __future__ import annotations

import datetime as dt
import gc
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from hashlib import blake2b
from pathlib import Path

from core import clock
from core.rules import credit_code as cc
from core.rules.amounts import CENT, parse_cell
from core.rules.validation import Issue
from plugins.ledger.parsing import normalize as nz
from plugins.ledger.parsing.headers import (
    AMOUNT_FIELDS,
    BOOL_FIELDS,
    DATE_FIELDS,
    FIELD_NAMES,
    IGNORED,
    SOURCE_ROW,
    Column,
    build_synonyms,
    compact,
    find_header,
    find_reporting_unit,
    find_unit,
)
from plugins.ledger.parsing.readers import read_table
from plugins.ledger.parsing.reconcile import reconcile
from plugins.ledger.parsing.template import plan_unit
from plugins.ledger.parsing.types import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    SKIPPED,
    WARNING,
    ParsedRow,
    ParseResult,
    UnitResolver,
)

UNIT_SAMPLE = 2000  # 欠款金额 figures kept to judge the unit; a sample tells 元 from 万元 well enough
HEADER_SCAN = 30  # header must start within the first 30 non-empty rows of a sheet
PROGRESS_EVERY = 1000
SIZE_LABELS = {"medium": "中型", "small": "小型", "micro": "微型", "large": "大型"}
CATEGORY_LABELS = {"goods": "货物", "works": "工程", "services": "服务"}
# Dates that may lie ahead: an agreed payment date not yet reached is unusual in an arrears ledger, not wrong.
FUTURE_OK = frozenset({"agreed_payment_date"})
# Dates that are meant to lie ahead (a repayment plan): never questioned.
FUTURE_PLANNED = frozenset({"planned_repayment_date"})
# Free text whose line breaks carry meaning (a clerk's numbered notes): kept, only trimmed per line.
MULTILINE_FIELDS = frozenset({"remarks", "reason"})

_TOTAL = re.compile(r"^(?:本页|本表|全部|以上|总)?(?:合计|总计|小计|累计|共计)(?:[:：(（].*)?$|^其中[:：]")
_FOOTER = re.compile(
    r"^(?:填表人|填报人|制表人|审核人|审批人|复核人|负责人|单位负责人|主要负责人|分管领导|分管负责人|联系人|"
    r"联系电话|电话|手机|填报日期|填表日期|制表日期|报送日期|单位盖章|盖章|签字|签名)(?:[:：].*)?$"
)
_NOTE = re.compile(r"^(?:注|说明|备注|填表说明)\d*[:：]")
# First characters of everything the three patterns above match.
_LEADS = frozenset("本全以总合小累共其填制审复负单主分联电手报盖签注说备")

# How ``_Parser.validate`` reads each field (one lookup per cell instead of a chain of set tests).
_AMOUNT, _DATE, _BOOL = "amount", "date", "bool"
_CELL, _OWED = "cell", "owed"  # how a field cell is read (see _Parser.cell_plans)
_KINDS: dict[str, str] = {
    **{f: _AMOUNT for f in AMOUNT_FIELDS},
    **{f: _DATE for f in DATE_FIELDS},
    **{f: _BOOL for f in BOOL_FIELDS},
}
_ONE = Decimal(1)
_NUMBERS = frozenset({int, float})
_LEAD_MEMO: dict[str, bool] = {}
_JUDICIAL = Issue("judicial", "已进入司法程序，不属于清欠范围", "error")
_NO_CODE = Issue("credit_code", "未填写统一社会信用代码，请补充", "warning")
_NO_CATEGORY = Issue("category", "款项类别不能为空", "error")


def _starts_like_a_footer(cell: str) -> bool:
    """Whether the cell's first visible character (under NFKC) is one ``_TOTAL``/``_FOOTER``/``_NOTE`` can
    start with; remembered per character, since this runs for every text cell of the file."""
    lead = cell[:1]
    if not lead or lead.isspace():
        lead = cell.strip()[:1]
        if not lead:
            return False
    found = _LEAD_MEMO.get(lead)
    if found is None:
        found = _LEAD_MEMO[lead] = unicodedata.normalize("NFKC", lead) in _LEADS
    return found


_HASHABLE_CELLS = frozenset({str, int, float, dt.date, dt.datetime})
_DATES_MAX = 100_000
# What each field column's cells became, remembered per distinct cell (see ``_Parser.cell_plans``): ledger
# columns repeat a few debtor units, creditors, categories, dates and flags down 100,000 rows.
_MEMO_MAX = 20_000
_ABSENT = object()  # the cell gives its field no value


def _new_memo() -> dict:
    """A column's memory of cell → (value, issue); tests swap in one that forgets, to compare."""
    return {}


def _memoisable(value: object) -> bool:
    """Whether a cell may be remembered by value: True == 1 == 1.0 and False == 0 == -0.0 hash alike but do
    not read alike (a flag is not a figure), so those are never remembered; every other cell a reader
    gives (str, int, float, date, datetime) reads the same as any cell equal to it."""
    return type(value) is str or (type(value) is not bool and value != 0 and value != 1)


def row_key_for(
    debtor: str | int | None,
    credit_code: str | None,
    creditor_name: str | None,
    contract_no: str | None,
    project_name: str | None = None,
) -> str:
    """The key matching a row to a debt across uploads: debtor (unit id once resolved, else its name) +
    creditor (credit code, else name) + contract number (else project name), all in matching form.

    The import workflow calls this for stored debts so both sides build keys the same way.
    """
    debtor_part = f"u{debtor}" if isinstance(debtor, int) else nz.key(debtor)
    creditor_part = nz.key(credit_code) or nz.key(creditor_name)
    contract = nz.key(contract_no)
    contract_part = f"c:{contract}" if contract else f"p:{nz.key(project_name)}"
    return f"{debtor_part}|{creditor_part}|{contract_part}"


@dataclass
class _Sheet:
    """Per-sheet state: header, column map and the unit in force."""

    name: str
    buffer: list[tuple[int, list[object]]] = field(default_factory=list)
    columns: list[Column] | None = None
    fields: list[Column] = field(default_factory=list)  # columns that carry a canonical field
    header_texts: dict[int, str] = field(default_factory=dict)
    multipliers: dict[str, Decimal] = field(default_factory=dict)  # amount field -> its column's unit
    multiplier: Decimal = Decimal(1)
    reporting_unit: str | None = None
    done: bool = False  # no usable header: the rest of the sheet is ignored
    data_columns: list[Column] = field(default_factory=list)  # every column but 序号/行号: "identical" rows
    last_data_index: int = -1
    pick_data: Callable[[list[object]], tuple] = tuple
    field_names: tuple[str, ...] = ()
    last_field_index: int = -1
    pick_fields: Callable[[list[object]], tuple] = tuple
    plans: tuple[tuple, ...] = ()  # per field cell, aligned with field_names: see _Parser.cell_plans
    creditor_at: int = -1  # positions in the field cells
    code_at: int = -1
    owed_at: int = -1
    data_at: tuple[int, ...] = ()  # the field cells that make a row not blank (all but 行号)
    source_rows_at: tuple[int, ...] = ()  # set when several columns are 行号 (see _merge_source_rows)

    def set_picks(self) -> None:
        """The data cells and the field cells of a row as tuples, each in one C call (this runs for every
        row); rows shorter than the header take ``_padded``."""
        self.last_data_index, self.pick_data = _picker([c.index for c in self.data_columns])
        self.field_names = names = tuple(c.field for c in self.fields)
        self.last_field_index, self.pick_fields = _picker([c.index for c in self.fields])
        self.creditor_at, self.code_at, self.owed_at = (
            names.index(f) if f in names else -1 for f in ("creditor_name", "credit_code", "amount_owed")
        )
        self.data_at = tuple(i for i, f in enumerate(names) if f != SOURCE_ROW)
        source_rows = tuple(i for i, f in enumerate(names) if f == SOURCE_ROW)
        self.source_rows_at = source_rows if len(source_rows) > 1 else ()


def _picker(indices: list[int]) -> tuple[int, Callable[[list[object]], tuple]]:
    if len(indices) > 1:
        return max(indices), operator.itemgetter(*indices)
    return max(indices, default=-1), lambda cells: tuple(cells[i] for i in indices)


def _padded(columns: list[Column], cells: list[object], n: int) -> tuple:
    return tuple(cells[c.index] if c.index < n else None for c in columns)


def _merge_source_rows(picked: tuple, at: tuple[int, ...]) -> tuple:
    """Several 行号 columns read as one field: the last filled one's cell, in the place of the first filled
    one (as a field → cell mapping built left to right keeps them), the others empty."""
    filled = [i for i in at if picked[i] is not None]
    if not filled:
        return picked
    out = list(picked)
    last = out[filled[-1]]
    for i in filled:
        out[i] = None
    out[filled[0]] = last
    return tuple(out)


class _Parser:
    def __init__(
        self,
        plan: dict,
        synonyms: dict[str, list[str]] | None,
        units: UnitResolver | None,
        today: dt.date,
        default_debtor: str | None,
        keep_raw: bool,
        amount_unit: Decimal | None = None,
        mapping: dict[str, str] | None = None,
    ) -> None:
        self.plan = plan or {}
        self.synonyms = build_synonyms(self.plan, synonyms, mapping)
        self.amount_unit = amount_unit  # chosen at upload: overrides the sheet's own marker
        self.plan_unit = plan_unit(self.plan)
        self.units = units
        self.today = today
        self.default_debtor = default_debtor
        self.keep_raw = keep_raw
        rules = self.plan.get("rules") or {}
        scope = self.plan.get("scope") or {}
        self.strict = bool(rules.get("credit_code_strict"))
        self.sizes = set(scope.get("creditor_sizes") or ["medium", "small", "micro"])
        self.categories = set(scope.get("categories") or ["goods", "works", "services"])
        self.debtor_kinds = set(scope.get("debtor_kinds") or [])
        self.exclude_judicial = scope.get("exclude_judicial", True)
        self.result = ParseResult()
        self.first_seen: dict[object, int] = {}  # content / contract+amounts / explicit key -> first row
        self.key_uses: dict[str, int] = {}  # row key -> rows using it so far (invoices of one project)
        self.fine_decimals: list[tuple[int, str]] = []  # (row, figure) 欠款金额 read in 元 with > 2 decimals
        self.owed_figures: list[Decimal] = []  # 欠款金额 as written (before the unit), for the unit check
        self.unit_cache: dict[str, tuple[int | None, str | None]] = {}
        self.dates: dict[object, tuple[dt.date | None, str | None, bool]] = {}
        self.memos: dict[str, dict] = {}  # field -> cell -> (value or _ABSENT, Issue or None)
        self.texts: dict[object, str] = {}
        self.blanks: dict[str, bool] = {}
        self.codes: dict[str, tuple[str | None, str | None, Issue | None]] = {}
        self.sizes_read: dict[str, tuple[str | None, Issue | None]] = {}
        self.kinds_read: dict[tuple[str, str], tuple[str | None, Issue | None]] = {}
        self.parsed_sheets = 0
        self.split_columns = False

    # -- sheets and headers -------------------------------------------------------------------------------

    def locate_header(self, sheet: _Sheet) -> None:
        rows = [cells for _, cells in sheet.buffer]
        match = find_header(rows, self.synonyms)
        buffered, sheet.buffer = sheet.buffer, []
        if match is None:
            sheet.done = True
            return
        fields = {c.field for c in match.columns}
        if not {"creditor_name", "amount_owed"} <= fields:
            # A summary sheet (by unit, by category) has no creditor column: not a ledger to import.
            self.result.notes.append(f"已忽略工作表“{sheet.name}”：未找到“债权企业名称”和“欠款金额”列")
            sheet.done = True
            return
        above = rows[: match.first_row]
        file_unit = find_unit(above)
        owed_column = next((c for c in match.columns if c.field == "amount_owed"), None)
        if self.amount_unit is not None:
            sheet.multiplier, source = self.amount_unit, "upload"
            if file_unit is not None and file_unit != self.amount_unit:
                self.result.notes.append(
                    f"工作表“{sheet.name}”标注的金额单位为{unit_label(file_unit)}，"
                    f"已按上传时选择的{unit_label(self.amount_unit)}读取"
                )
        elif file_unit is not None:
            sheet.multiplier, source = file_unit, "file"
        elif owed_column is not None and owed_column.multiplier is not None:
            sheet.multiplier, source = owed_column.multiplier, "header"
        else:
            sheet.multiplier, source = self.plan_unit, "plan"
        sheet.reporting_unit = find_reporting_unit(above)
        sheet.columns = match.columns
        sheet.fields = [c for c in match.columns if c.field and c.field not in (IGNORED, "_seq")]
        sheet.data_columns = [c for c in match.columns if c.field not in (IGNORED, SOURCE_ROW, "_seq")]
        sheet.set_picks()
        self.split_columns = {"undisputed_amount", "disputed_amount"} <= fields
        sheet.header_texts = {c.index: compact(c.header) for c in match.columns}
        sheet.multipliers = {c.field: c.multiplier or sheet.multiplier for c in sheet.fields}
        sheet.plans = self.cell_plans(sheet)
        for col in match.columns:
            # Amount headers carry the unit they were read in, so a rejected-rows workbook parses back right.
            col.raw_header = col.header
            if col.field in AMOUNT_FIELDS and col.multiplier is None and sheet.multiplier != 1:
                col.raw_header = f"{col.header}（万元）"
        self.parsed_sheets += 1
        if self.parsed_sheets == 1:
            res = self.result
            res.sheet = sheet.name
            res.header_row = buffered[match.header_row][0]
            res.unit_multiplier = sheet.multiplier
            res.unit_source = source
            res.columns = {
                c.field: c.header for c in match.columns if c.field and c.field not in (IGNORED, SOURCE_ROW)
            }
            res.unmapped_headers = [c.header for c in match.columns if c.field is None]
            res.headers = [c.raw_header for c in match.columns]
            missing = [
                FIELD_NAMES[f] for f in ("creditor_name", "category", "amount_owed") if f not in fields
            ]
            if "debtor_unit" not in fields and not (self.default_debtor or sheet.reporting_unit):
                missing.insert(0, FIELD_NAMES["debtor_unit"])
            if missing:
                res.file_issues.append("缺少必填列：" + "、".join(missing) + "（可下载模板对照列名）")
        for number, cells in buffered[match.header_row + 1 :]:
            self.row(sheet, number, cells)

    # -- rows --------------------------------------------------------------------------------------------

    def cell_plans(self, sheet: _Sheet) -> tuple[tuple, ...]:
        """How each field cell of the sheet is read: (field, key in the values, kind, memory, reader, unit).

        Amounts are read afresh (nearly every figure differs; ``parse_cell`` takes floats in one step);
        every other cell through ``reader`` once per distinct cell, remembered in the field's memory.
        """
        plans = []
        for fld in sheet.field_names:
            kind = _KINDS.get(fld)
            if kind is _AMOUNT:
                plan_kind = _OWED if fld == "amount_owed" else _AMOUNT
                plans.append((fld, fld, plan_kind, None, None, sheet.multipliers.get(fld, _ONE)))
                continue
            memo = self.memos.get(fld)
            if memo is None:
                memo = self.memos[fld] = _new_memo()
            target = "source_row" if fld == SOURCE_ROW else fld
            plans.append((fld, target, _CELL, memo, self.cell_reader(fld, kind), None))
        return tuple(plans)

    def cell_reader(self, fld: str, kind: str | None) -> Callable[[object], tuple[object, Issue | None]]:
        """cell → (value for the field or _ABSENT, the Issue it raises or None), for one field."""
        name = FIELD_NAMES.get(fld, fld)
        if kind is _DATE:
            return lambda value: self.read_date(fld, name, value)
        if kind is _BOOL:

            def read_flag(value: object) -> tuple[object, Issue | None]:
                flag, problem = nz.boolean(value)
                if problem:
                    return _ABSENT, Issue(fld, f"{name}{problem}", "error")
                return (_ABSENT if flag is None else flag), None

            return read_flag
        if fld == "credit_code":
            return lambda value: (nz.credit_code_text(value), None)
        if fld == SOURCE_ROW:

            def read_row_number(value: object) -> tuple[object, None]:
                number = nz.row_number(value)
                return (_ABSENT if number is None else number), None

            return read_row_number
        clean = nz.multiline_text if fld in MULTILINE_FIELDS else nz.text
        return lambda value: (clean(value) or _ABSENT, None)

    def read_date(self, fld: str, name: str, value: object) -> tuple[object, Issue | None]:
        day, problem, month_only = self.date_of(value)
        if problem:
            return _ABSENT, Issue(fld, f"{name}{problem}", "error")
        if day is None:
            return _ABSENT, None
        if day > self.today and fld not in FUTURE_PLANNED:
            if fld in FUTURE_OK:
                return day, Issue(
                    fld, f"{name}（{nz.fmt_date(day)}）尚未到期，请核实是否已构成拖欠", "warning"
                )
            return day, Issue(fld, f"{name}（{nz.fmt_date(day)}）晚于今天，请核实", "error")
        if day.year < 1980:
            return day, Issue(fld, f"{name}（{nz.fmt_date(day)}）不合理，请核实", "error")
        if month_only:
            return day, Issue(fld, f"{name}只填写了年月，已按{day.year}年{day.month}月1日记录", "warning")
        return day, None

    def row(self, sheet: _Sheet, number: int, cells: list[object]) -> None:
        assert sheet.columns is not None
        n = len(cells)
        picked = sheet.pick_fields(cells) if n > sheet.last_field_index else _padded(sheet.fields, cells, n)
        if sheet.source_rows_at:
            picked = _merge_source_rows(picked, sheet.source_rows_at)
        row = ParsedRow(number, sheet.name, {}, {}, [], ACCEPTED)
        self.result.rows.append(row)
        reason = self.skip_reason(sheet, cells, picked)
        if reason:
            row.status, row.skip_reason = SKIPPED, reason
        else:
            self.validate(sheet, row, picked, cells)
        # The original texts cost more memory than the parsed values; an accepted row never needs them
        # (only the rejected-rows export and problem listings do), unless the caller asks.
        if row.status != ACCEPTED or self.keep_raw:
            text_of = self.text_of
            row.raw = {
                col.raw_header: text_of(cells[col.index])
                for col in sheet.columns
                if col.index < n and cells[col.index] is not None
            }

    def text_of(self, value: object) -> str:
        """``nz.text``, remembered per cell."""
        found = self.texts.get(value)
        if found is None:
            found = nz.text(value)
            if _memoisable(value):
                if len(self.texts) >= _MEMO_MAX:
                    self.texts.clear()
                self.texts[value] = found
        return found

    def is_blank(self, value: object) -> bool:
        """``nz.is_empty``, remembered per text cell."""
        if type(value) is not str:
            return value is None
        found = self.blanks.get(value)
        if found is None:
            found = nz.is_empty(value)
            if len(self.blanks) >= _MEMO_MAX:
                self.blanks.clear()
            self.blanks[value] = found
        return found

    def skip_reason(self, sheet: _Sheet, cells: list[object], picked: tuple) -> str | None:
        creditor = picked[sheet.creditor_at] if sheet.creditor_at >= 0 else None
        # Total, footer and note rows start with one of a few characters; only such cells need the full
        # normalisation and the patterns (this runs for every row of 100,000-row files).
        memo = _LEAD_MEMO  # asked inline first: most cells start with a character already judged
        texts = [
            compact(c)
            for c in cells
            if type(c) is str and memo.get(c[:1]) is not False and _starts_like_a_footer(c)
        ]
        if texts:
            no_code = sheet.code_at < 0 or nz.is_empty(picked[sheet.code_at])
            for t in texts:
                if (
                    no_code
                    and _TOTAL.match(t)
                    and (creditor is None or compact(creditor) == t or _TOTAL.match(compact(creditor)))
                ):
                    return "合计行"
                if _FOOTER.match(t) and (creditor is None or compact(creditor) == t):
                    return "填表人/审核人"
                if _NOTE.match(t) and (creditor is None or compact(creditor) == t):
                    return "表尾说明"
        is_blank = self.is_blank
        for i in sheet.data_at:
            if not is_blank(picked[i]):
                break
        else:
            return "空行"
        if sheet.owed_at >= 0 and type(picked[sheet.owed_at]) in _NUMBERS:
            return None  # a number under 欠款金额: data, not a repeated header
        header = sheet.header_texts
        same = sum(
            1
            for i, c in enumerate(cells)
            if isinstance(c, str)
            and (h := header.get(i))
            and (h[:1] in c or h[:1].isascii())  # full-width forms of ASCII fold under NFKC
            and h == compact(c)
        )
        if same >= 3:
            return "重复表头"
        return None

    def validate(self, sheet: _Sheet, row: ParsedRow, picked: tuple, cells: list[object]) -> None:
        v = row.values
        issues = row.issues
        for (fld, target, kind, memo, read, factor), value in zip(sheet.plans, picked, strict=True):
            if value is None:
                continue
            if kind is _CELL:
                got = memo.get(value)
                if got is None:
                    got = read(value)
                    if _memoisable(value):
                        if len(memo) >= _MEMO_MAX:
                            memo.clear()
                        memo[value] = got
                found, issue = got
                if issue is not None:
                    issues.append(issue)
                if found is not _ABSENT:
                    v[target] = found
                continue
            if type(value) is float and value - value == 0:
                # parse_cell's own first step, inline (the usual amount cell: a finite float)
                amount, problem = (Decimal(repr(value)) * factor).quantize(CENT, ROUND_HALF_UP), None
            else:
                amount, problem = parse_cell(value, factor)
            if problem:
                issues.append(Issue(fld, f"{FIELD_NAMES.get(fld, fld)}{problem}", "error"))
            elif amount is not None:
                v[fld] = amount
                if kind is _OWED:
                    self.note_figure(row.row_number, value, factor)

        self.check_creditor(v, issues)
        self.check_debtor(v, sheet, issues)
        self.check_kinds(v, issues)
        self.check_amounts(v, issues)
        if v.get("judicial") and self.exclude_judicial:
            issues.append(_JUDICIAL)

        explicit_key = v.pop("row_key", None)
        # The parts of the row key, which the duplicate check uses too (``row_key_for``, inlined).
        get = v.get
        debtor = get("debtor_unit_id") or get("debtor_unit")
        creditor = nz.key(get("credit_code")) or nz.key(get("creditor_name"))
        contract = nz.key(get("contract_no"))
        if explicit_key:
            base_key = "id:" + nz.key(explicit_key)
            v["row_key"] = explicit_key
        else:
            debtor_part = f"u{debtor}" if isinstance(debtor, int) else nz.key(debtor)
            contract_part = f"c:{contract}" if contract else f"p:{nz.key(get('project_name'))}"
            base_key = f"{debtor_part}|{creditor}|{contract_part}"
        row.row_key = base_key
        if issues and any(i.level == "error" for i in issues):
            row.status = REJECTED
            return
        if contract:
            # nz.key of a unit id is its digits
            parties = (str(debtor) if type(debtor) is int else nz.key(debtor), creditor)
            amounts = (
                get("amount_owed"),
                get("contract_amount"),
                get("disputed_amount"),
                get("migrant_wage_amount"),
                get("paid_amount"),
                get("undisputed_amount"),
            )
            contract_key = ("contract", parties, contract, amounts)
        else:
            contract_key = None
        if self.duplicate(sheet, row, cells, explicit_key, contract_key):
            return
        # Two invoices of one project (no contract number) or two amounts under one contract are two debts:
        # the n-th row sharing a key gets "#n", so each matches its own debt again on the next upload.
        uses = self.key_uses.get(base_key, 0) + 1
        self.key_uses[base_key] = uses
        if uses > 1:
            row.row_key = f"{base_key}#{uses}"
        row.status = WARNING if issues else ACCEPTED

    def date_of(self, value: object) -> tuple[dt.date | None, str | None, bool]:
        """``nz.date``, remembered per cell value: a ledger repeats few distinct dates many times."""
        if type(value) not in _HASHABLE_CELLS:
            return nz.date(value)
        found = self.dates.get(value)
        if found is None:
            found = nz.date(value)
            if len(self.dates) < _DATES_MAX:
                self.dates[value] = found
        return found

    def duplicate(
        self,
        sheet: _Sheet,
        row: ParsedRow,
        cells: list[object],
        explicit_key: str | None,
        contract_key: tuple | None,
    ) -> bool:
        """Mark ``row`` a duplicate of an earlier one: identical in every data cell (序号 aside), or with the
        same non-empty contract number, parties and amounts (``contract_key``). A repeated 行标识 on a
        different row is an error: the clerk says two different rows are one debt. Anything else is its own
        debt."""
        n = len(cells)
        # A digest, not the texts: 100,000 rows of 20 cells would otherwise stay in memory twice.
        columns = sheet.data_columns
        picked = sheet.pick_data(cells) if n > sheet.last_data_index else _padded(columns, cells, n)
        content = ("cells", sheet.name, blake2b(repr(picked).encode(), digest_size=16).digest())
        # Each key is looked up and stored in one step (a new row is the rule): the map grows when the key is
        # new; a row found to be a duplicate or refused takes its keys back out.
        seen = self.first_seen
        number = row.row_number
        size = len(seen)
        first = seen.setdefault(content, number)
        if len(seen) == size:
            return self.mark_duplicate(row, first, "内容完全相同")
        if contract_key is not None:
            first = seen.setdefault(contract_key, number)
            if len(seen) == size + 1:
                del seen[content]
                return self.mark_duplicate(row, first, "合同编号和金额相同")
        if explicit_key:
            id_key = ("id", row.row_key)
            first = seen.get(id_key)
            if first is not None:
                del seen[content]
                if contract_key is not None:
                    del seen[contract_key]
                row.issues.append(
                    Issue("row_key", f"行标识“{explicit_key}”与第{first}行相同，但内容不同，请核实", "error")
                )
                row.status = REJECTED
                return True
            seen[id_key] = number
        return False

    def mark_duplicate(self, row: ParsedRow, first: int, same: str) -> bool:
        row.status = DUPLICATE
        row.issues.append(Issue("row", f"与第{first}行{same}，视为重复行，未导入", "error"))
        return True

    def note_figure(self, number: int, value: object, factor: Decimal) -> None:
        """Remember how 欠款金额 was written, to warn when the figures look like the other unit."""
        sampling = len(self.owed_figures) < UNIT_SAMPLE
        if factor != 1 and not sampling:
            return  # nothing more to learn: the decimals are only judged for figures read in 元
        if type(value) is float and sampling is False:
            # Decimal(repr(value)) has more than 2 decimals exactly when the repr does: the usual number cell
            # is told from the text, without the Decimal. Exponent forms, inf and nan take the long way.
            shown = repr(value)
            dot = shown.find(".")
            if dot >= 0 and "e" not in shown:
                if len(shown) - dot - 1 > 2:
                    self.fine_decimals.append((number, nz.text(value)))
                return
        figure = nz.plain_number(value)
        if figure is None:
            return  # "12.5万" carries its own unit
        if sampling:
            self.owed_figures.append(figure)
        if factor == 1 and -figure.as_tuple().exponent > 2:
            self.fine_decimals.append((number, nz.text(value)))

    def check_creditor(self, v: dict, issues: list[Issue]) -> None:
        if not v.get("creditor_name"):
            issues.append(Issue("creditor_name", "债权企业名称不能为空", "error"))
        raw_code = v.pop("credit_code", "")
        if raw_code:
            got = self.codes.get(raw_code)
            if got is None:
                got = self.codes[raw_code] = self.read_code(raw_code)
            code, warning, issue = got
            if issue is not None:
                issues.append(issue)
            if code is not None:
                v["credit_code"] = code
                if warning is not None:
                    v["credit_code_warning"] = warning
        elif v.get("creditor_name"):
            issues.append(_NO_CODE)
        if "creditor_size" in v:
            text = v.pop("creditor_size")
            got = self.sizes_read.get(text)
            if got is None:
                got = self.sizes_read[text] = self.read_size(text)
            size, issue = got
            if issue is not None:
                issues.append(issue)
            else:
                v["creditor_size"] = size

    def read_code(self, raw_code: str) -> tuple[str | None, str | None, Issue | None]:
        """A credit code → (code to keep or None, the warning kept with it, the Issue raised)."""
        checked = cc.check(raw_code)
        if not checked.valid:
            return None, None, Issue("credit_code", checked.message, "error")
        if checked.checksum_ok:
            return checked.code, None, None
        if self.strict:
            return (
                checked.code,
                None,
                Issue("credit_code", "统一社会信用代码校验位不符（本辖区要求严格校验）", "error"),
            )
        return checked.code, checked.message, Issue("credit_code", checked.message, "warning")

    def read_size(self, text: str) -> tuple[str | None, Issue | None]:
        size = nz.size(text)
        if size is None:
            return None, Issue("creditor_size", f"企业规模无法识别（{text}），应填中型、小型或微型", "error")
        if size == "large":
            return None, Issue("creditor_size", "大型企业不属于清欠范围", "error")
        if size not in self.sizes:
            return None, Issue("creditor_size", f"{SIZE_LABELS[size]}企业不属于本辖区清欠范围", "error")
        return size, None

    def check_debtor(self, v: dict, sheet: _Sheet, issues: list[Issue]) -> None:
        name = v.get("debtor_unit") or self.default_debtor or sheet.reporting_unit
        if not name:
            issues.append(Issue("debtor_unit", "欠款单位不能为空", "error"))
            return
        v["debtor_unit"] = name
        if self.units is None:
            return
        cache_key = nz.key(name)
        if cache_key not in self.unit_cache:
            self.unit_cache[cache_key] = self.units.resolve(name)
        unit_id, problem = self.unit_cache[cache_key]
        if unit_id is None:
            issues.append(Issue("debtor_unit", problem or f"欠款单位“{name}”不在您的管辖范围内", "error"))
        else:
            v["debtor_unit_id"] = unit_id

    def check_kinds(self, v: dict, issues: list[Issue]) -> None:
        if "category" in v:
            text = v.pop("category")
            got = self.kinds_read.get(("category", text))
            if got is None:
                got = self.kinds_read[("category", text)] = self.read_category(text)
            cat, issue = got
            if issue is not None:
                issues.append(issue)
            else:
                v["category"] = cat
        else:
            issues.append(_NO_CATEGORY)
        if "debtor_type" in v:
            text = v.pop("debtor_type")
            got = self.kinds_read.get(("debtor_type", text))
            if got is None:
                got = self.kinds_read[("debtor_type", text)] = self.read_debtor_type(text)
            kind, issue = got
            if issue is not None:
                issues.append(issue)
            if kind is not None:
                v["debtor_type"] = kind
        if "source" in v:
            text = v.pop("source")
            got = self.kinds_read.get(("source", text))
            if got is None:
                got = self.kinds_read[("source", text)] = self.read_source(text)
            src, issue = got
            if issue is not None:
                issues.append(issue)
            v["source"] = src

    def read_category(self, text: str) -> tuple[str | None, Issue | None]:
        cat = nz.category(text)
        if cat is None:
            return None, Issue("category", f"款项类别无法识别（{text}），应填货物、工程或服务", "error")
        if cat not in self.categories:
            return None, Issue("category", f"{CATEGORY_LABELS[cat]}类款项不属于本辖区清欠范围", "error")
        return cat, None

    def read_debtor_type(self, text: str) -> tuple[str | None, Issue | None]:
        """(type to keep or None, the Issue raised): an unrecognised type is only warned about."""
        kind = nz.debtor_type(text)
        if kind is None:
            if nz.key(text) in nz.OUT_OF_SCOPE_DEBTORS:
                return None, Issue(
                    "debtor_type",
                    f"欠款单位类型“{text}”不属于清欠范围（应为机关、事业单位或国有企业）",
                    "error",
                )
            return None, Issue("debtor_type", f"欠款单位类型无法识别（{text}），将按单位信息确定", "warning")
        if self.debtor_kinds and kind not in self.debtor_kinds:
            return None, Issue("debtor_type", f"欠款单位类型“{text}”不属于本辖区清欠范围", "error")
        return kind, None

    def read_source(self, text: str) -> tuple[str, Issue | None]:
        src = nz.source(text)
        if src is None:
            return "other", Issue("source", f"线索来源无法识别（{text}），已记为“其他”", "warning")
        return src, None

    def check_amounts(self, v: dict, issues: list[Issue]) -> None:
        def err(fld: str, msg: str) -> None:
            issues.append(Issue(fld, msg, "error"))

        def warn(fld: str, msg: str) -> None:
            issues.append(Issue(fld, msg, "warning"))

        if self.split_columns and v.get("undisputed_amount") is not None:
            # Both split columns in the sheet: a blank 有分歧 is 0, so 无分歧 + 有分歧 = 欠款 is checked.
            v.setdefault("disputed_amount", Decimal("0.00"))
        owed = v.get("amount_owed")
        if owed is None:
            if not any(i.field == "amount_owed" for i in issues):
                err("amount_owed", "欠款金额不能为空")
            return
        if owed <= 0:
            err("amount_owed", f"欠款金额必须大于0（{nz.fmt_amount(owed)}）")
            return
        und, dis = v.get("undisputed_amount"), v.get("disputed_amount")
        for fld, value in (
            ("undisputed_amount", und),
            ("disputed_amount", dis),
            ("contract_amount", v.get("contract_amount")),
            ("migrant_wage_amount", v.get("migrant_wage_amount")),
            ("paid_amount", v.get("paid_amount")),
        ):
            if value is not None and value < 0:
                err(fld, f"{FIELD_NAMES[fld]}不能为负数（{nz.fmt_amount(value)}）")
                return
        if und is not None and dis is not None:
            if und + dis != owed:
                err(
                    "undisputed_amount",
                    f"无争议金额（{nz.fmt_amount(und)}）与有争议金额（{nz.fmt_amount(dis)}）"
                    f"之和应等于欠款金额（{nz.fmt_amount(owed)}）",
                )
        elif und is not None:
            if und > owed:
                err(
                    "undisputed_amount",
                    f"无争议金额（{nz.fmt_amount(und)}）大于欠款金额（{nz.fmt_amount(owed)}）",
                )
            else:
                v["disputed_amount"] = owed - und
        elif dis is not None:
            if dis > owed:
                err(
                    "disputed_amount",
                    f"有争议金额（{nz.fmt_amount(dis)}）大于欠款金额（{nz.fmt_amount(owed)}）",
                )
            else:
                v["undisputed_amount"] = owed - dis
        contract = v.get("contract_amount")
        if contract is not None and contract > 0 and owed > contract:
            warn(
                "amount_owed",
                f"欠款金额（{nz.fmt_amount(owed)}）大于合同金额（{nz.fmt_amount(contract)}），请核实",
            )
        wages = v.get("migrant_wage_amount")
        if wages is not None and wages > owed:
            err(
                "migrant_wage_amount",
                f"农民工工资金额（{nz.fmt_amount(wages)}）不能大于欠款金额（{nz.fmt_amount(owed)}）",
            )
        if wages and wages > 0:
            if v.get("migrant_wages") is False:
                warn("migrant_wages", "填写了农民工工资金额，已按涉及农民工工资记录")
            v["migrant_wages"] = True


def parse_file(
    path: Path,
    filename: str,
    plan: dict,
    *,
    synonyms: dict[str, list[str]] | None = None,
    units: UnitResolver | None = None,
    progress: Callable[[int], None] | None = None,
    max_rows: int = 200_000,
    today: dt.date | None = None,
    default_debtor: str | None = None,
    keep_raw: bool = False,
    amount_unit: str | None = None,
    mapping: dict[str, str] | None = None,
) -> ParseResult:
    """Parse a clerk's ledger spreadsheet. Raises LedgerFileError when the file cannot be read at all.

    ``default_debtor`` is the debtor for sheets without a debtor column (the uploader's own unit); a
    "填报单位：…" line above the header serves the same purpose. ``ParsedRow.raw`` is filled for rejected,
    warning and skipped rows always, and for accepted rows only with ``keep_raw`` (it costs about 40% of
    the memory of a 100,000-row parse). ``today`` is for tests; future dates are judged against it.

    ``amount_unit`` ("yuan" or "wan", chosen at upload) is the unit of bare figures; without it the sheet's
    own marker (a "单位：万元" line, the 欠款金额 header's "（万元）"), else the plan's template unit. A
    figure written with its unit ("12.5万") is always read in that unit. ``mapping`` (header → field) is
    the users' own column mapping, which wins over every synonym.
    """
    parser = _Parser(
        plan,
        synonyms,
        units,
        today or clock.today(),
        default_debtor,
        keep_raw,
        amount_unit=UNIT_MULTIPLIERS[amount_unit] if amount_unit else None,
        mapping=mapping,
    )
    # Hundreds of thousands of small containers survive until the end, so the cyclic GC would rescan them
    # again and again for nothing (none of them form cycles); pausing it cuts parse time by about a third.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _run(parser, read_table(Path(path), filename, max_rows=max_rows), progress)
    finally:
        if gc_was_enabled:
            gc.enable()
    res = parser.result
    if parser.parsed_sheets == 0:
        res.file_issues.append(
            "未找到表头：请确认表格中有“欠款单位、债权企业名称、欠款金额”等列名（可下载模板对照）"
        )
    if parser.parsed_sheets:
        res.unit_warnings = _unit_warnings(parser, res.unit_multiplier)
    res.reconciliation = reconcile(res.rows)
    if progress:
        progress(len(res.rows))
    return res


UNIT_MULTIPLIERS = {"yuan": Decimal(1), "wan": nz.WAN}


def unit_label(multiplier: Decimal) -> str:
    return "万元" if multiplier == nz.WAN else "元"


UNIT_SOURCE_LABELS = {
    "upload": "上传时选择",
    "file": "文件中的“单位”行",
    "header": "欠款金额列标题中的单位",
    "plan": "本辖区台账模板的单位",
}


def unit_summary(result: ParseResult) -> dict:
    """The unit the figures were read in, where it came from and the warnings, JSON-ready for a preview."""
    code = "wan" if result.unit_multiplier == nz.WAN else "yuan"
    return {
        "amount_unit": code,
        "amount_unit_label": unit_label(result.unit_multiplier),
        "unit_source": result.unit_source,
        "unit_source_label": UNIT_SOURCE_LABELS.get(result.unit_source, result.unit_source),
        "unit_warnings": list(result.unit_warnings),
    }


def _unit_warnings(parser: _Parser, multiplier: Decimal) -> list[str]:
    """Chinese warnings when the 欠款金额 figures look like the other unit than the one they were read in."""
    out: list[str] = []
    other = "万元" if multiplier == 1 else "元"
    fine = parser.fine_decimals
    if fine:
        examples = "、".join(f"第{n}行 {text}" for n, text in fine[:3])
        out.append(
            f"有{len(fine)}行欠款金额超过两位小数（{examples}），按元读取会舍去不足1分的部分，"
            f"看起来像以万元填写；如确为万元，请选择“万元”重新解析"
        )
    figures = sorted(parser.owed_figures)
    if len(figures) >= 3:
        median = figures[len(figures) // 2]
        if multiplier == 1 and median < SMALL_YUAN:
            out.append(
                f"欠款金额的中位数仅为{nz.fmt_amount(median)}元，看起来像以{other}填写；"
                f"如确为{other}，请选择“{other}”重新解析"
            )
        elif multiplier != 1 and median >= LARGE_WAN:
            out.append(
                f"欠款金额的中位数为{nz.fmt_amount(median)}万元（{nz.fmt_amount(median * multiplier)}元），"
                f"看起来像以{other}填写；如确为{other}，请选择“{other}”重新解析"
            )
    return out


# A typical arrear is tens of thousands of yuan: a median under 100 "元" is almost surely 万元, and a
# median of 1,000,000 "万元" (100 亿元 per debt) almost surely 元.
SMALL_YUAN = Decimal(100)
LARGE_WAN = Decimal(1_000_000)


def _run(
    parser: _Parser, table: Iterable[tuple[str, int, list[object]]], progress: Callable[[int], None] | None
) -> None:
    sheet: _Sheet | None = None
    for name, number, cells in table:
        if sheet is None or sheet.name != name:
            if sheet is not None and sheet.columns is None and not sheet.done:
                parser.locate_header(sheet)
            sheet = _Sheet(name)
        if sheet.done:
            continue
        if sheet.columns is None:
            sheet.buffer.append((number, cells))
            if len(sheet.buffer) >= HEADER_SCAN:
                parser.locate_header(sheet)
            continue
        parser.row(sheet, number, cells)
        if progress and len(parser.result.rows) % PROGRESS_EVERY == 0:
            progress(len(parser.result.rows))
    if sheet is not None and sheet.columns is None and not sheet.done:
        parser.locate_header(sheet)
