"""Canonical ledger fields, their Chinese labels and synonyms, and finding the header in a messy sheet.

Clerks rename, merge, annotate and reorder columns; a header cell is matched after removing spaces, line
breaks, full-width forms, required-marks and a trailing "（元）/(万元)" — which, when present, also gives
that column its own amount unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

# The fields that land on the Debt itself, in template order.
DEBT_FIELDS: tuple[str, ...] = (
    "project_name",
    "contract_no",
    "contract_date",
    "contract_amount",
    "category",
    "amount_owed",
    "undisputed_amount",
    "disputed_amount",
    "origin_date",
    "delivery_date",
    "acceptance_date",
    "agreed_payment_date",
    "source",
    "migrant_wages",
    "migrant_wage_amount",
    "judicial",
    "reason",
    "remarks",
    # As the ledger declares them for this debt (the export writes them back): the unit's own kind and
    # the creditor's registration may say otherwise.
    "debtor_type",
    "is_private",
)
_PARTY_FIELDS = ("debtor_unit", "debtor_type", "creditor_name", "credit_code", "creditor_size", "is_private")
# Ordered as in the template. ``row_key`` is an optional clerk-maintained stable identifier (行标识).
CANONICAL_FIELDS: tuple[str, ...] = (
    *_PARTY_FIELDS,
    *(f for f in DEBT_FIELDS if f not in _PARTY_FIELDS),
    "row_key",
)

FIELD_LABELS: dict[str, str] = {
    "debtor_unit": "欠款单位",
    "debtor_type": "欠款单位类型",
    "creditor_name": "债权企业名称",
    "credit_code": "统一社会信用代码",
    "creditor_size": "企业规模",
    "is_private": "是否民营企业",
    "project_name": "项目名称",
    "contract_no": "合同编号",
    "contract_date": "合同签订日期",
    "contract_amount": "合同金额（元）",
    "category": "款项类别",
    "amount_owed": "欠款金额（元）",
    "undisputed_amount": "无争议金额（元）",
    "disputed_amount": "有争议金额（元）",
    "origin_date": "欠款形成日期",
    "delivery_date": "交付日期",
    "acceptance_date": "验收日期",
    "agreed_payment_date": "约定付款日期",
    "source": "线索来源",
    "migrant_wages": "是否涉及农民工工资",
    "migrant_wage_amount": "农民工工资金额（元）",
    "judicial": "是否进入司法程序",
    "reason": "拖欠原因",
    "remarks": "备注",
    "row_key": "行标识",
}

# Short names for messages ("欠款金额不能为空"), without the unit suffix.
FIELD_NAMES: dict[str, str] = {f: re.sub(r"（.*?）$", "", label) for f, label in FIELD_LABELS.items()}
FIELD_NAMES["paid_amount"] = "已付金额"
FIELD_NAMES["paid_on"] = "偿还时间"
FIELD_NAMES["planned_repayment_date"] = "计划偿还时间"

REQUIRED_FIELDS: tuple[str, ...] = ("debtor_unit", "creditor_name", "category", "amount_owed")

AMOUNT_FIELDS = frozenset(
    {
        "contract_amount",
        "amount_owed",
        "undisputed_amount",
        "disputed_amount",
        "migrant_wage_amount",
        "paid_amount",
    }
)
DATE_FIELDS = frozenset(
    {
        "contract_date",
        "origin_date",
        "delivery_date",
        "acceptance_date",
        "agreed_payment_date",
        "paid_on",
        "planned_repayment_date",
    }
)
BOOL_FIELDS = frozenset({"is_private", "migrant_wages", "judicial"})

# Recognised but not part of the template: read when present, never required.
EXTRA_FIELDS: tuple[str, ...] = ("paid_amount", "paid_on", "planned_repayment_date")
# Labels for every field a column can be mapped to from the preview (template fields and the extras).
MAPPABLE_LABELS: dict[str, str] = {
    **{f: FIELD_NAMES[f] for f in FIELD_LABELS if f != "row_key"},
    **{f: FIELD_NAMES[f] for f in EXTRA_FIELDS},
    "row_key": FIELD_NAMES["row_key"],
}
# Other names plans use for canonical fields (wutaishan's plan says ``size_class``).
FIELD_ALIASES = {"size_class": "creditor_size", "creditor_size_class": "creditor_size", "seq": "_seq"}

# Columns that are recognised so they are not reported as unmapped, but carry nothing to import: a
# positional 序号 changes whenever a clerk inserts a row, so it must not be a matching key; 行号/错误原因
# come from our own rejected-rows workbook when it is uploaded again.
IGNORED = "_ignored"
IGNORED_HEADERS = ("序号", "编号", "错误原因", "导入错误原因", "NO", "NO.")
# 行号 of our own rejected-rows workbook: the row's number in the clerk's original file, reported again.
SOURCE_ROW = "_source_row"
SOURCE_ROW_HEADERS = ("行号", "原行号", "原文件行号")

DEFAULT_SYNONYMS: dict[str, list[str]] = {
    "debtor_unit": [
        "欠款单位",
        "欠款单位名称",
        "债务单位",
        "债务人",
        "债务人名称",
        "拖欠单位",
        "拖欠单位名称",
        "付款单位",
        "欠款主体",
        "债务主体",
        "单位名称",
        "填报单位",
        "责任单位",
        "欠款方",
    ],
    "debtor_type": [
        "欠款单位类型",
        "单位类型",
        "单位性质",
        "欠款单位性质",
        "债务单位类型",
        "债务人类型",
        "主体类型",
    ],
    "creditor_name": [
        "债权企业名称",
        "债权企业",
        "债权人",
        "债权人名称",
        "债权单位",
        "债权单位名称",
        "企业名称",
        "中小企业名称",
        "收款单位",
        "收款单位名称",
        "供应商",
        "供应商名称",
        "施工单位",
        "承包单位",
        "被拖欠企业",
        "被拖欠企业名称",
        "债权方",
    ],
    "credit_code": [
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "企业统一社会信用代码",
        "债权企业统一社会信用代码",
        "组织机构代码",
        "纳税人识别号",
    ],
    "creditor_size": [
        "企业规模",
        "规模",
        "企业规模类型",
        "规模类型",
        "企业划型",
        "中小企业类型",
        "企业规模（中型/小型/微型）",
    ],
    "is_private": ["是否民营企业", "是否民营", "民营企业", "是否为民营企业", "企业性质是否民营"],
    "project_name": [
        "项目名称",
        "工程名称",
        "采购项目",
        "采购项目名称",
        "项目",
        "工程项目名称",
        "服务项目名称",
    ],
    "contract_no": ["合同编号", "合同号", "合同编码", "合同文号"],
    "contract_date": ["合同签订日期", "签订日期", "合同日期", "合同签订时间", "签订时间"],
    "contract_amount": ["合同金额", "合同总额", "合同价款", "合同总金额", "合同价"],
    "category": [
        "款项类别",
        "款项类型",
        "拖欠类别",
        "拖欠款项类别",
        "类别",
        "欠款类别",
        "欠款类型",
        "账款类型",
        "账款类别",
    ],
    "amount_owed": [
        "欠款金额",
        "拖欠金额",
        "拖欠账款金额",
        "应付未付金额",
        "欠款余额",
        "未付金额",
        "拖欠金额合计",
        "欠款金额合计",
        "欠款总额",
        "拖欠总额",
        "拖欠款项金额",
        "欠款",
        "金额合计",
    ],
    "undisputed_amount": [
        "无争议金额",
        "无分歧金额",
        "无争议",
        "无分歧",
        "其中无争议",
        "其中无争议金额",
        "无异议金额",
        "其中无分歧金额",
        "其中无分歧",
        "无分歧账款金额",
        "无争议账款金额",
    ],
    "disputed_amount": [
        "有争议金额",
        "争议金额",
        "有争议",
        "有分歧",
        "有分歧金额",
        "其中有争议",
        "其中有争议金额",
        "其中有分歧金额",
        "有分歧账款金额",
        "有争议账款金额",
    ],
    "origin_date": [
        "欠款形成日期",
        "欠款形成时间",
        "拖欠形成时间",
        "拖欠发生时间",
        "形成时间",
        "欠款日期",
        "发生日期",
    ],
    "delivery_date": ["交付日期", "交付时间", "完工日期", "交货日期", "服务完成日期", "竣工日期"],
    "acceptance_date": ["验收日期", "验收时间", "竣工验收日期", "验收合格日期"],
    "agreed_payment_date": [
        "约定付款日期",
        "约定付款时间",
        "合同约定付款日期",
        "约定支付日期",
        "应付款日期",
        "应付款时间",
        "应付日期",
        "到期日",
        "到期日期",
        "到期时间",
        "付款到期日",
        "约定还款日期",
        "约定支付时间",
        "合同约定付款时间",
        "付款期限",
    ],
    "source": ["线索来源", "问题来源", "来源", "发现途径", "欠款来源"],
    "migrant_wages": ["是否涉及农民工工资", "涉及农民工工资", "是否含农民工工资", "是否涉农民工工资"],
    "migrant_wage_amount": [
        "农民工工资金额",
        "涉及农民工工资金额",
        "农民工工资",
        "其中农民工工资",
        "含农民工工资金额",
    ],
    "judicial": ["是否进入司法程序", "是否已进入司法程序", "司法程序", "是否诉讼", "是否涉诉"],
    "reason": ["拖欠原因", "未支付原因", "欠款原因", "未付原因"],
    "remarks": ["备注", "说明", "其他说明"],
    "row_key": ["行标识", "台账编号", "欠款编号", "债务编号", "唯一标识"],
    "paid_amount": ["已付金额", "已支付金额", "已清偿金额", "已偿还金额"],
    "paid_on": [
        "偿还时间",
        "偿还日期",
        "已偿还时间",
        "已偿还日期",
        "实际偿还时间",
        "实际还款日期",
        "还款日期",
    ],
    "planned_repayment_date": [
        "计划偿还时间",
        "计划偿还日期",
        "计划还款时间",
        "计划还款日期",
        "预计偿还时间",
    ],
}

# One place for every "is this header/cell that?" regex, compiled once.
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_MARKS = re.compile(r"^[*※★#]+|[*※★:：]+$")
# "其中：无分歧金额" in the official 2023 layout: the "of which" belongs to the layout, not the name.
_OF_WHICH = re.compile(r"^其中[:：]?")
_UNIT_SUFFIX = re.compile(r"[（(\[【]\s*(?:单位\s*[:：]?\s*)?(人民币)?(万元|元)\s*[）)\]】]$")
_ANY_PAREN = re.compile(r"[（(\[【][^（()）\[\]【】]*[）)\]】]")
UNIT_ROW = re.compile(r"(?:金额)?单位\s*[:：]\s*(?:人民币)?\s*(万元|元)")
_REPORTING_UNIT = re.compile(
    r"(?:填报|填表|报送)单位\s*[:：]\s*(.+?)(?:\s{2,}|(?:金额)?单位\s*[:：]|填报日期|日期|$)"
)


def compact(text: object) -> str:
    """Full-width to half-width, all spaces and line breaks removed: the form header and key matching use."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text)))


def header_key(text: object) -> tuple[str, Decimal | None]:
    """A header cell → (matching key, its own unit multiplier or None)."""
    key = _MARKS.sub("", compact(text))
    if len(key) > 3:
        key = _OF_WHICH.sub("", key)
    multiplier = None
    m = _UNIT_SUFFIX.search(key)
    if m:
        multiplier = Decimal(10000) if m.group(2) == "万元" else Decimal(1)
        key = key[: m.start()]
    return _MARKS.sub("", key), multiplier


def build_synonyms(
    plan: dict | None,
    extra: dict[str, list[str]] | None = None,
    mapping: dict[str, str] | None = None,
) -> dict[str, str]:
    """header key → field. ``mapping`` (header → field or IGNORED, what users chose in a preview) wins
    over everything; then the template's labels, the plan's own map, hook results and the defaults."""
    out: dict[str, str] = {}

    def add(mapping: dict | None) -> None:
        for raw_field, names in (mapping or {}).items():
            fld = FIELD_ALIASES.get(raw_field, raw_field)
            if fld not in FIELD_LABELS and fld not in EXTRA_FIELDS and fld != "_seq":
                continue
            for name in [names] if isinstance(names, str) else names or []:
                key, _ = header_key(name)
                if key:
                    out.setdefault(key, fld)

    for fld, label in FIELD_LABELS.items():  # the template's own labels always parse back
        out[header_key(label)[0]] = fld
    add((plan or {}).get("column_synonyms"))
    add(extra)
    add(DEFAULT_SYNONYMS)
    for name in IGNORED_HEADERS:
        out.setdefault(header_key(name)[0], IGNORED)
    for name in SOURCE_ROW_HEADERS:
        out.setdefault(header_key(name)[0], SOURCE_ROW)
    for header, fld in (mapping or {}).items():
        key, _ = header_key(header)
        if key and (fld in MAPPABLE_LABELS or fld == IGNORED):
            out[key] = fld
    return out


@dataclass
class Column:
    index: int
    header: str  # the source header as shown (child, or "parent/child" for two-row headers)
    field: str | None  # canonical field, IGNORED, or None when unmapped
    multiplier: Decimal | None = None  # from the header's own "（万元）" suffix
    raw_header: str = ""  # key in ParsedRow.raw: the header, with the sheet's unit when it had none


@dataclass
class HeaderMatch:
    header_row: int  # index into the scanned rows of the last header row
    first_row: int  # index of the first header row
    columns: list[Column] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len({c.field for c in self.columns if c.field and c.field not in (IGNORED, SOURCE_ROW)})


def _match(text: object, synonyms: dict[str, str]) -> tuple[str | None, Decimal | None]:
    key, multiplier = header_key(text)
    if not key:
        return None, multiplier
    fld = synonyms.get(key)
    if fld is None:
        # "欠款金额（含税）", "债权人（全称）": an explanatory parenthesis is not part of the name.
        stripped = _ANY_PAREN.sub("", key)
        if stripped and stripped != key:
            fld = synonyms.get(stripped)
    return fld, multiplier


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def match_single(row: list[object], synonyms: dict[str, str]) -> list[Column]:
    columns = []
    for i, cell in enumerate(row):
        text = _text(cell)
        if not text:
            continue
        fld, mult = _match(text, synonyms)
        columns.append(Column(i, text, fld, mult))
    return _dedupe(columns)


def match_double(top: list[object], bottom: list[object], synonyms: dict[str, str]) -> list[Column]:
    """Two header rows where a merged parent (金额) spans children (欠款金额/无争议/有争议).

    A merged cell's text sits in its first column only, so the parent is carried right over blank cells
    that have a child. A child is matched alone first, then as parent+child, and a vertically merged
    parent (child blank) stands alone.
    """
    width = max(len(top), len(bottom))
    columns = []
    parent = ""
    for i in range(width):
        p = _text(top[i]) if i < len(top) else ""
        c = _text(bottom[i]) if i < len(bottom) else ""
        if p:
            parent = p
        elif not c:
            parent = ""
        if not c:
            if p:
                fld, mult = _match(p, synonyms)
                columns.append(Column(i, p, fld, mult))
            continue
        _, parent_mult = header_key(parent) if parent else ("", None)
        fld, mult = _match(c, synonyms)
        header = c
        if fld is None and parent:
            fld, m2 = _match(parent + c, synonyms)
            header = f"{parent}{c}" if fld else f"{parent}/{c}"
            mult = mult or m2
            if fld is None:  # a user's mapping names the column as the preview showed it
                fld, m2 = _match(header, synonyms)
                mult = mult or m2
            if fld is None and compact(c) in ("合计", "小计", "金额", "总额", "总计"):
                fld, m3 = _match(parent, synonyms)
                mult = mult or m3
        columns.append(Column(i, header, fld, mult or parent_mult))
    return _dedupe(columns)


def _dedupe(columns: list[Column]) -> list[Column]:
    """The first column claiming a field keeps it; a later one is reported unmapped, not merged."""
    seen: set[str] = set()
    for col in columns:
        if col.field and col.field not in (IGNORED, SOURCE_ROW):
            if col.field in seen:
                col.field = None
            else:
                seen.add(col.field)
    return columns


MIN_HEADER_FIELDS = 3


def find_header(rows: list[list[object]], synonyms: dict[str, str]) -> HeaderMatch | None:
    """The first row naming at least three fields, taken with the next row when that one completes it."""
    for i, row in enumerate(rows):
        single = HeaderMatch(i, i, match_single(row, synonyms))
        # A title row above the header names no field, so it is never taken as a parent row.
        if single.score >= 1 and i + 1 < len(rows) and _child_row_is_header(rows[i + 1], synonyms):
            double = HeaderMatch(i + 1, i, match_double(row, rows[i + 1], synonyms))
            if double.score >= MIN_HEADER_FIELDS and double.score > single.score:
                return double
        if single.score >= MIN_HEADER_FIELDS:
            return single
    return None


def _child_row_is_header(row: list[object], synonyms: dict[str, str]) -> bool:
    """A second header row names at least one field and holds no numbers (a data row would)."""
    texts = [c for c in row if _text(c)]
    if not texts or any(isinstance(c, int | float) and not isinstance(c, bool) for c in texts):
        return False
    return any(_match(c, synonyms)[0] for c in texts)


def find_unit(rows: list[list[object]]) -> Decimal | None:
    """The sheet-level amount unit from a "单位：万元" line above (or in) the header."""
    for row in rows:
        for cell in row:
            if isinstance(cell, str):
                m = UNIT_ROW.search(compact(cell))
                if m:
                    return Decimal(10000) if m.group(1) == "万元" else Decimal(1)
    return None


def find_reporting_unit(rows: list[list[object]]) -> str | None:
    """ "填报单位：某某局" above the header: the debtor when the sheet has no debtor column."""
    for row in rows:
        cells = [_text(c) for c in row]
        for i, text in enumerate(cells):
            m = _REPORTING_UNIT.search(text.replace("\u3000", "  "))
            if m:
                name = m.group(1).strip(" ：:")
                if not name and i + 1 < len(cells):  # "填报单位：" | "某某局" in the next cell
                    name = cells[i + 1]
                if name and not UNIT_ROW.search(compact(name)):
                    return name
    return None
