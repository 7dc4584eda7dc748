"""Money as people write it → Decimal yuan. One parser for ledger cells and complaint forms.

Ledger cells are strict: a number, optionally with 元/万元, thousands separators, currency marks or the
accounting-style brackets for a negative. Complaint forms also take what SME owners type: ``约43.9万元``,
``20多万``, ``3万余元``, ``20-30万`` (the lower bound), ``35万左右`` — the number is kept and flagged
``approximate``. Full-width digits and punctuation are folded first (NFKC).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10000)
YI = Decimal(100000000)
MAX_AMOUNT = Decimal("9999999999999.99")

_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_NUM_JUNK = re.compile(r"[,\s¥￥$]|RMB|人民币", re.IGNORECASE)
_AMOUNT = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(万元|万|元)?$")
EMPTY_MARKS = frozenset({"", "-", "--", "—", "——", "/", "\\", "无", "N/A", "NA", "#N/A"})

# Words around a written amount that make it an estimate.
_APPROX_BEFORE = ("大约", "大概", "约", "近", "将近", "接近", "差不多", "估计", "预计", "共约", "合计约")
ONE = Decimal(1)
_UNITS = {"亿元": YI, "亿": YI, "万元": WAN, "万": WAN, "元": ONE, "块钱": ONE, "块": ONE}
_LOOSE = re.compile(
    r"^(?P<num>\d+(?:\.\d+)?)(?:(?P<sep>[-~～至到])(?P<hi>\d+(?:\.\d+)?))?"
    r"(?P<post1>多|余|来)?(?P<unit>亿元|亿|万元|万|元|块钱|块)?(?P<post2>多|余)?(?P<tail>元)?$"
)
_FILLER = re.compile(r"^(?:欠款|欠|拖欠|金额|共计|合计|总计|一共|共|计|为|是|:)+")
_TRAILER = re.compile(r"(?:整|钱|人民币)+$")

HINT = "请填写数字金额，例如“350000”“35万”“169,700元”；记不清可写“约43.9万元”或“20多万”，不知道可以留空"


@dataclass(frozen=True)
class Amount:
    """A parsed amount: ``value`` in yuan (None when blank or unreadable), whether it is an estimate, and
    a Chinese ``problem`` when the text could not be read."""

    value: Decimal | None
    approximate: bool = False
    blank: bool = False
    problem: str | None = None


def clean_text(value: object) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value).lstrip("'") in EMPTY_MARKS)


def parse_cell(value: object, multiplier: Decimal = Decimal(1)) -> tuple[Decimal | None, str | None]:
    """A ledger cell: yuan with 2 decimals, or (None, problem). "12.5万" and "125,000元" carry their own
    unit; a bare number is in the column's unit (``multiplier``). Floats go through repr so 0.1 stays 0.1."""
    if type(value) is float and value - value == 0:  # the common cell, finite (NaN and ±inf fail the test)
        return (Decimal(repr(value)) * multiplier).quantize(CENT, ROUND_HALF_UP), None
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, "格式不正确"
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, "格式不正确"
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return (number * multiplier).quantize(CENT, ROUND_HALF_UP), None
    if isinstance(value, Decimal):
        return (value * multiplier).quantize(CENT, ROUND_HALF_UP), None
    shown = _WS.sub(" ", str(value)).strip()
    if shown.startswith("'"):
        shown = shown[1:].strip()
    raw = unicodedata.normalize("NFKC", shown)
    negative = raw.startswith("(") and raw.endswith(")")  # accounting style (1,000.00)
    if negative:
        raw = raw[1:-1]
    m = _AMOUNT.match(_NUM_JUNK.sub("", raw))
    if not m:
        return None, f"格式不正确（{shown}）"
    try:
        number = Decimal(m.group(2))
    except InvalidOperation:
        return None, f"格式不正确（{shown}）"
    if m.group(1) == "-" or negative:
        number = -number
    unit = m.group(3)
    factor = WAN if unit in ("万", "万元") else Decimal(1) if unit == "元" else multiplier
    return (number * factor).quantize(CENT, ROUND_HALF_UP), None


def parse_written(value: object) -> Amount:
    """An amount a person typed on a form (yuan unless they wrote 万/亿). Blank is allowed (``blank``)."""
    if is_blank(value) or (isinstance(value, str) and clean_text(value) in ("不清楚", "不知道", "待定")):
        return Amount(None, blank=True)
    if isinstance(value, bool | float):
        return Amount(None, problem=f"金额请按文字填写。{HINT}")
    if isinstance(value, int | Decimal):
        return _checked(Decimal(value), False)
    text = _NUM_JUNK.sub("", clean_text(value)).replace("，", "").replace("。", "")
    text = _TRAILER.sub("", _FILLER.sub("", text))
    approximate = False
    for word in _APPROX_BEFORE:
        if text.startswith(word):
            text, approximate = text[len(word) :], True
            break
    for word in ("左右", "上下", "出头"):
        if text.endswith(word):
            text, approximate = text[: -len(word)], True
    if text.startswith("-"):
        return Amount(None, problem="金额应大于0；不知道具体金额可以留空")
    if _CN_ONLY.match(text):
        number = _chinese_number(text.removesuffix("元").removesuffix("圆"))
        if number is not None:
            return _checked(number, approximate)
    m = _LOOSE.match(text)
    if not m:
        return Amount(None, problem=f"看不懂“{clean_text(value)[:30]}”这个金额。{HINT}")
    try:
        number = Decimal(m.group("num"))
        high = Decimal(m.group("hi")) if m.group("hi") else None
    except InvalidOperation:
        return Amount(None, problem=f"看不懂“{clean_text(value)[:30]}”这个金额。{HINT}")
    if high is not None:
        if high < number:
            return Amount(None, problem=f"金额范围“{clean_text(value)[:30]}”前小后大才对。{HINT}")
        approximate = True  # a range: the lower bound, which the debtor cannot dispute as too high
    if m.group("post1") or m.group("post2"):
        approximate = True
    factor = _UNITS.get(m.group("unit") or "", Decimal(1))
    return _checked(number * factor, approximate)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {
    "两": 2,
    "〇": 0,
    **{c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")},
}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": WAN, "亿": YI}
_CN_ONLY = re.compile(r"^[零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟万亿]+[元圆]?$")


def _chinese_number(text: str) -> Decimal | None:
    """ "十二万五千" → 125000, "伍万" → 50000: whole yuan written in Chinese numerals (as on a contract)."""
    total, section, digit = Decimal(0), Decimal(0), None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            section += Decimal(digit if digit is not None else 1) * _CN_SMALL[char]
            digit = None
        elif char in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[char] if char == "亿" else total + section * _CN_BIG[char]
            section, digit = Decimal(0), None
        else:
            return None
    result = total + section + (digit or 0)
    return result if result > 0 else None


def _checked(number: Decimal, approximate: bool) -> Amount:
    if not number.is_finite() or number <= 0:
        return Amount(None, problem="金额应大于0；不知道具体金额可以留空")
    if number > MAX_AMOUNT:
        return Amount(None, problem="金额过大，请核对单位（元还是万元）")
    value = number.quantize(CENT, ROUND_HALF_UP)
    if value != number and not approximate:
        return Amount(None, problem="金额最多保留到分（两位小数）")
    return Amount(value, approximate=approximate)
