"""Values as clerks write them → normalised Python values. Each parser returns (value, problem) where the
problem is a Chinese message fragment; the row rules decide whether it is an error or a warning.

All regexes are compiled once at import: these run for every cell of 100,000-row files.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from core.rules import amounts

CENT = Decimal("0.01")
WAN = Decimal(10000)

_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_NUM_JUNK = re.compile(r"[,\s¥￥$]|RMB|人民币", re.IGNORECASE)
_AMOUNT = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(万元|万|元)?$")
_FULL_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
EMPTY_MARKS = frozenset({"", "-", "--", "—", "——", "/", "\\", "无", "N/A", "NA", "#N/A"})


def text(value: object) -> str:
    """A cell as clean text: NBSP/U+3000/line breaks become one space, trimmed; a leading apostrophe (how
    Excel and our own exports mark literal text) dropped. Full-width letters and brackets in names are kept:
    they are part of registered Chinese names."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    out = str(value).strip()
    # Most cells are clean: no control or separator character other than single ASCII spaces (isprintable
    # is False for NBSP, U+3000, zero-width spaces and line breaks), so the pattern is not needed.
    if not out.isprintable() or "  " in out:
        out = _WS.sub(" ", out).strip()
    if out.startswith("'"):
        out = out[1:].strip()
    return out


def multiline_text(value: object) -> str:
    """``text`` line by line: line breaks (CR, LF, CRLF, Excel's _x000D_) kept, blank lines dropped."""
    if not isinstance(value, str):
        return text(value)
    lines = value.replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(t for t in (text(line) for line in lines) if t)


_KEYS: dict[str, str] = {}
_KEYS_MAX = 200_000


def key(value: object) -> str:
    """Matching form of a name/code: NFKC, no spaces, upper case; “（）” and “()” compare equal."""
    if type(value) is str:
        # Names and codes repeat down a ledger (one creditor, many invoices): remembered, within bounds.
        found = _KEYS.get(value)
        if found is None:
            found = _WS.sub("", unicodedata.normalize("NFKC", text(value))).upper()
            if len(_KEYS) >= _KEYS_MAX:
                _KEYS.clear()
            _KEYS[value] = found
        return found
    return _WS.sub("", unicodedata.normalize("NFKC", text(value))).upper()


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and text(value) in EMPTY_MARKS)


def row_number(value: object) -> int | None:
    """A row number as our rejected-rows workbook writes it (an int; text "12" from a CSV)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer() and value > 0:
        return int(value)
    t = text(value)
    return int(t) if t.isdigit() and int(t) > 0 else None


def plain_number(value: object) -> Decimal | None:
    """A bare figure as written (no unit in the cell), for judging the unit; None for "12.5万"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value
    raw = _NUM_JUNK.sub("", unicodedata.normalize("NFKC", text(value)))
    m = _AMOUNT.match(raw)
    if not m or m.group(3):
        return None
    try:
        return Decimal(m.group(2))
    except InvalidOperation:
        return None


def amount(value: object, multiplier: Decimal = Decimal(1)) -> tuple[Decimal | None, str | None]:
    """Yuan with 2 decimals; a bare number is in the column's or sheet's unit (``multiplier``). The one
    amount parser lives in core (``core.rules.amounts``), shared with the complaint form."""
    return amounts.parse_cell(value, multiplier)


def _from_serial(serial: float) -> dt.date | None:
    # Excel's 1900 date system (with its fictitious 1900-02-29, absorbed by the 1899-12-30 epoch).
    if 1 <= serial < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return None


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def date(value: object) -> tuple[dt.date | None, str | None, bool]:
    """(date, problem, month_only). Month-only values ("2022.3", "2022年3月") become the 1st of the month."""
    if is_empty(value):
        return None, None, False
    if isinstance(value, dt.datetime):
        return value.date(), None, False
    if isinstance(value, dt.date):
        return value, None, False
    if isinstance(value, bool):
        return None, "格式不正确", False
    if isinstance(value, int | float):
        if isinstance(value, float) and 1900 <= value < 2100 and not value.is_integer():
            # A clerk typed 2022.3 in a number cell: year.month (2022.1 may be 2022.10 — warned anyway).
            y, _, m = repr(value).partition(".")
            got = _safe_date(int(y), int(m), 1) if m.isdigit() else None
            return (got, None, True) if got else (None, f"格式不正确（{value}）", False)
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            m = _COMPACT_DATE.match(str(int(value)))
            got = _safe_date(*map(int, m.groups())) if m else None
            return (got, None, False) if got else (None, f"格式不正确（{int(value)}）", False)
        if 10000 <= value < 80000:  # Excel serials for 1927–2119; anything else is not a date
            return _from_serial(float(value)), None, False
        return None, f"格式不正确（{text(value)}）", False
    raw = unicodedata.normalize("NFKC", text(value)).replace(" ", "")
    if m := _FULL_DATE.match(raw):
        got = _safe_date(*map(int, m.groups()))
        return (got, None, False) if got else (None, f"不是有效日期（{text(value)}）", False)
    if m := _COMPACT_DATE.match(raw):
        got = _safe_date(*map(int, m.groups()))
        return (got, None, False) if got else (None, f"不是有效日期（{text(value)}）", False)
    if m := _MONTH.match(raw):
        got = _safe_date(int(m.group(1)), int(m.group(2)), 1)
        return (got, None, True) if got else (None, f"不是有效日期（{text(value)}）", False)
    if _SERIAL.match(raw):
        got = _from_serial(float(raw))
        if got and 1927 <= got.year <= 2119:
            return got, None, False
    return None, f"格式不正确（{text(value)}）", False


_TRUE = frozenset(
    {"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔", "有", "涉及", "已进入", "已起诉", "是的", "对"}
)
_FALSE = frozenset({"否", "N", "NO", "FALSE", "0", "×", "✗", "无", "不涉及", "未进入", "没有", "不是", "未"})


def boolean(value: object) -> tuple[bool | None, str | None]:
    if value is None or (isinstance(value, str) and not text(value)):
        return None, None
    if isinstance(value, bool):
        return value, None
    k = key(value)
    if k in _TRUE:
        return True, None
    if k in _FALSE:
        return False, None
    return None, f"无法识别（{text(value)}），应填“是”或“否”"


_CATEGORY_EXACT = {
    "货物": "goods",
    "GOODS": "goods",
    "物资": "goods",
    "采购": "goods",
    "货款": "goods",
    "设备": "goods",
    "材料": "goods",
    "商品": "goods",
    "工程": "works",
    "WORKS": "works",
    "工程款": "works",
    "施工": "works",
    "建设": "works",
    "建筑": "works",
    "服务": "services",
    "SERVICES": "services",
    "服务费": "services",
    "劳务": "services",
    "咨询": "services",
    "维修": "services",
}
_CATEGORY_CONTAINS = (
    ("工程", "works"),
    ("施工", "works"),
    ("建设", "works"),
    ("服务", "services"),
    ("劳务", "services"),
    ("货", "goods"),
    ("物资", "goods"),
    ("采购", "goods"),
    ("设备", "goods"),
    ("材料", "goods"),
)


def category(value: object) -> str | None:
    k = key(value).replace("类", "")
    if k in _CATEGORY_EXACT:
        return _CATEGORY_EXACT[k]
    # Ordered: "工程物资采购" is a works debt, "服务采购" a services one.
    return next((cat for word, cat in _CATEGORY_CONTAINS if word in k), None)


_SIZES = {
    "中型": "medium",
    "中": "medium",
    "中型企业": "medium",
    "MEDIUM": "medium",
    "小型": "small",
    "小": "small",
    "小型企业": "small",
    "SMALL": "small",
    "微型": "micro",
    "微": "micro",
    "微型企业": "micro",
    "小微": "micro",
    "MICRO": "micro",
    "大型": "large",
    "大": "large",
    "大型企业": "large",
    "LARGE": "large",
}


def size(value: object) -> str | None:
    k = key(value)
    if k in _SIZES:
        return _SIZES[k]
    for word, code in (("大型", "large"), ("中型", "medium"), ("小型", "small"), ("微型", "micro")):
        if word in k:
            return code
    return None


DEBTOR_TYPE_LABELS = {"agency": "机关", "institution": "事业单位", "large_enterprise": "国有企业"}
_DEBTOR_TYPES = {
    "机关": "agency",
    "行政机关": "agency",
    "党政机关": "agency",
    "政府部门": "agency",
    "乡镇": "agency",
    "乡（镇）": "agency",
    "乡(镇)": "agency",
    "部门": "agency",
    "AGENCY": "agency",
    "事业单位": "institution",
    "事业": "institution",
    "INSTITUTION": "institution",
    "国有企业": "large_enterprise",
    "国企": "large_enterprise",
    "大型国有企业": "large_enterprise",
    "国有独资": "large_enterprise",
    "国有控股": "large_enterprise",
    "国有企业子公司": "large_enterprise",
    "子公司": "large_enterprise",
    "LARGE_ENTERPRISE": "large_enterprise",
}
# Debtor types outside the campaign; named so the message can say why instead of "unrecognised".
OUT_OF_SCOPE_DEBTORS = frozenset({"民营企业", "私营企业", "个体工商户", "个人", "外资企业", "中小企业"})


def debtor_type(value: object) -> str | None:
    k = key(value)
    if k in _DEBTOR_TYPES:
        return _DEBTOR_TYPES[k]
    if "国有" in k or "国企" in k:
        return "large_enterprise"
    if "事业" in k:
        return "institution"
    if "机关" in k or "政府" in k or "委员会" in k:
        return "agency"
    return None


_SOURCES = {
    "自查": "self_inspection",
    "自行排查": "self_inspection",
    "排查": "self_inspection",
    "梳理排查": "self_inspection",
    "审计": "audit",
    "审计发现": "audit",
    "巡视": "inspection",
    "巡察": "inspection",
    "巡视巡察": "inspection",
    "督导": "supervision",
    "督查": "supervision",
    "监督检查": "supervision",
    "线索": "complaint",
    "投诉": "complaint",
    "举报": "complaint",
    "投诉举报": "complaint",
    "信访": "complaint",
    "12345": "complaint",
    "其他": "other",
}


def source(value: object) -> str | None:
    k = key(value)
    if k in _SOURCES:
        return _SOURCES[k]
    for word, code in (
        ("审计", "audit"),
        ("巡", "inspection"),
        ("督", "supervision"),
        ("投诉", "complaint"),
        ("举报", "complaint"),
        ("线索", "complaint"),
        ("自查", "self_inspection"),
    ):
        if word in k:
            return code
    return None


def credit_code_text(value: object) -> str:
    """Codes typed as numbers lose nothing (they contain letters almost always), but a float cell would."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text(value)


def fmt_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def fmt_amount(value: Decimal) -> str:
    return f"{value:,.2f}"
