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
_UNITS = {
    "亿元": YI,
    "亿": YI,
    "万元": WAN,
    "万": WAN,
    "千元": Decimal(1000),
    "千": Decimal(1000),
    "元": ONE,
    "块钱": ONE,
    "块": ONE,
}
_UNIT_WORDS = r"亿元|亿|万元|万|千元|千|元|块钱|块"
_LOOSE = re.compile(
    rf"^(?P<num>\d+(?:\.\d+)?)(?:(?P<lo_unit>{_UNIT_WORDS})(?=[-~～至到]))?(?:(?P<sep>[-~～至到])(?P<hi>\d+(?:\.\d+)?))?"
    rf"(?P<post1>多|余|来)?(?P<unit>{_UNIT_WORDS})?(?P<post2>多|余)?(?P<tail>元|块钱|块)?$"
)
_FILLER = re.compile(r"^(?:欠款|欠|拖欠|金额|共计|合计|总计|一共|共|计|为|是|:)+")
_TRAILER = re.compile(r"(?:整|钱|人民币)+$")
# Notes after the amount that do not change it: "35万元（含税）", "12万 不含税".
_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_TAX_NOTE = re.compile(r"(?:含税|不含税|税后|税前|含票|不含票)$")
# "35w", "3.5k": the letters people type for 万 and 千 right after a number.
_LETTER_UNIT = re.compile(r"(?<=[\d.])([wWkK])(?=元|块|$|[-~～至到多余])")
# 多/几/来/余 between a number and its unit ("二十多万", "十几万", "四十来万", "3万多"): an estimate.
# 几 only after 十/百/千 ("十几万"); "几万" alone says no number at all.
_CN_VAGUE = re.compile(
    r"(?<=[\d零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟万亿])(多|来|余)|(?<=[十拾百佰千仟])几"
)

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
    text = _NOTE.sub("", clean_text(value))  # NFKC has made （） into ()
    text = _NUM_JUNK.sub("", text).replace("，", "").replace("。", "")
    text = _TAX_NOTE.sub("", _TRAILER.sub("", _FILLER.sub("", text)))
    text = _TRAILER.sub("", _LETTER_UNIT.sub(lambda m: "万" if m.group(1) in "wW" else "千", text))
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
    if _MIXED.match(text) and not _LOOSE.match(text):
        # Chinese numerals, or digits with 万/千 in between ("两万三", "二十多万", "4万8", "12万5千元").
        bare, vague = _CN_VAGUE.subn("", text)
        number = _chinese_number(re.sub(r"(?:元|圆|块钱|块)$", "", bare))
        if number is not None:
            return _checked(number, approximate or vague > 0)
    m = _LOOSE.match(text)
    if not m:
        return Amount(None, problem=f"看不懂“{clean_text(value)[:30]}”这个金额。{HINT}")
    try:
        number = Decimal(m.group("num"))
        high = Decimal(m.group("hi")) if m.group("hi") else None
    except InvalidOperation:
        return Amount(None, problem=f"看不懂“{clean_text(value)[:30]}”这个金额。{HINT}")
    if m.group("post1") or m.group("post2"):
        approximate = True
    low_unit = _UNITS.get(m.group("lo_unit") or m.group("unit") or "", ONE)
    number *= low_unit
    if high is not None:
        # "20-30万", "20万-30万", "5000元-3万": each end in its own unit, or the one written at the end.
        if high * _UNITS.get(m.group("unit") or m.group("lo_unit") or "", ONE) < number:
            return Amount(None, problem=f"金额范围“{clean_text(value)[:30]}”前小后大才对。{HINT}")
        approximate = True  # a range: the lower bound, which the debtor cannot dispute as too high
    return _checked(number, approximate)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {
    "两": 2,
    "〇": 0,
    **{c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")},
}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": WAN, "亿": YI}
_CN_CHARS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟万亿"
# Chinese numerals, possibly mixed with whole Arabic numbers ("4万8", "12万5千"), with an optional 元/块
# and the estimate words 多/几/来/余 inside; at least one Chinese numeral character.
_MIXED = re.compile(rf"^(?=.*[{_CN_CHARS}])(?:\d+|[{_CN_CHARS}多几来余])+(?:元|圆|块钱|块)?$")
_CN_TOKEN = re.compile(rf"\d+|[{_CN_CHARS}]")


def _chinese_number(text: str) -> Decimal | None:
    """ "十二万五千" → 125000, "伍万" → 50000: whole yuan written in Chinese numerals (as on a contract).

    A single digit after the last unit counts in the next unit down, as people say it: "两万三" is 23000,
    "4万8" 48000, "三百五" 350; after 零 it does not ("两万零三" is 20003). Arabic numbers count as digits
    ("12万5千" = 125000).
    """
    total, section, digit = Decimal(0), Decimal(0), None
    last_unit, zero_seen, digit_chars = None, False, 0
    tokens = _CN_TOKEN.findall(text)
    if "".join(tokens) != text:
        return None  # a character that is not part of a number ("几万")
    for token in tokens:
        if token.isdigit() and token.isascii():
            if digit is not None:
                return None
            digit, digit_chars = int(token), len(token)
        elif token in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # "三五万": two digits in a row is not a number we can read
            zero_seen = zero_seen or _CN_DIGITS[token] == 0
            digit, digit_chars = _CN_DIGITS[token], 1
        elif token in _CN_SMALL:
            section += Decimal(digit if digit is not None else 1) * _CN_SMALL[token]
            digit, last_unit, zero_seen = None, _CN_SMALL[token], False
        elif token in _CN_BIG:
            section += digit or 0
            total = (total + section) * _CN_BIG[token] if token == "亿" else total + section * _CN_BIG[token]
            section, digit, last_unit, zero_seen = Decimal(0), None, _CN_BIG[token], False
        else:
            return None
    if digit and last_unit is not None and last_unit >= 100 and digit_chars == 1 and not zero_seen:
        digit = Decimal(digit) * last_unit / 10  # "两万三", "4万8", "三百五"
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
