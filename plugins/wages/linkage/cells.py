"""Cells as the two offices write them: "12.5万", "1,234.00元", "20%", full-width digits, "—" for none.

A small reader of its own: plugins do not import each other (the ledger's parsers stay the ledger's).
Each parser returns ``(value, problem)``; the problem is a Chinese fragment the row check turns into an error.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10000)
EMPTY_MARKS = frozenset({"", "-", "--", "—", "——", "/", "\\", "无", "N/A", "NA", "#N/A"})

_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_NUM_JUNK = re.compile(r"[,\s¥￥$]|RMB|人民币", re.IGNORECASE)
_AMOUNT = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)(万元|万|元)?$")
_PERCENT = re.compile(r"^(\d+(?:\.\d*)?)%$")
_COUNT = re.compile(r"^(\d+)(人|名)?$")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def text(value: object) -> str:
    """One line of clean text; a float that is a whole number loses its ".0" (codes typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    out = _WS.sub(" ", str(value)).strip()
    return out[1:].strip() if out.startswith("'") else out


def key(value: object) -> str:
    """Matching form of a name or code: NFKC (full-width folded), no spaces, upper case."""
    return _WS.sub("", unicodedata.normalize("NFKC", text(value))).upper()


def header_key(value: object) -> str:
    """A column header without its unit note: "工资保证金（元）" → "工资保证金"."""
    return _BRACKETS.sub("", key(value)).replace("*", "")


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and text(value) in EMPTY_MARKS)


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value
    return None


def amount(value: object) -> tuple[Decimal | None, str | None]:
    """Yuan to the fen; "12.5万" carries its own unit. Negative amounts are refused."""
    if is_empty(value):
        return None, None
    number = _number(value)
    if number is None:
        raw = _NUM_JUNK.sub("", unicodedata.normalize("NFKC", text(value)))
        match = _AMOUNT.match(raw)
        if not match:
            return None, f"金额格式不正确（{text(value)}）"
        try:
            number = Decimal(match.group(1))
        except InvalidOperation:
            return None, f"金额格式不正确（{text(value)}）"
        if match.group(2) in ("万", "万元"):
            number *= WAN
    if number < 0:
        return None, f"金额不能为负数（{text(value)}）"
    return number.quantize(CENT, ROUND_HALF_UP), None


def share(value: object) -> tuple[tuple[Decimal | None, Decimal | None], str | None]:
    """The labour-cost share of a progress payment: ``((percent, None), _)`` for "20%" (or a fraction
    0.2 as Excel stores a percent cell), ``((None, amount), _)`` for a fixed amount per payment."""
    if is_empty(value):
        return (None, None), None
    number = _number(value)
    if number is not None and 0 < number < 1:
        return ((number * 100).quantize(CENT, ROUND_HALF_UP), None), None
    raw = _NUM_JUNK.sub("", unicodedata.normalize("NFKC", text(value)))
    match = _PERCENT.match(raw)
    if match:
        percent = Decimal(match.group(1)).quantize(CENT, ROUND_HALF_UP)
        if not Decimal(0) < percent <= Decimal(100):
            return (None, None), f"人工费用比例应在0%到100%之间（{text(value)}）"
        return (percent, None), None
    money, problem = amount(value)
    if problem:
        return (None, None), f"人工费用应写比例（如20%）或每期金额（{text(value)}）"
    return (None, money), None


def count(value: object) -> tuple[int | None, str | None]:
    if is_empty(value):
        return None, None
    number = _number(value)
    if number is not None and number == number.to_integral_value() and number >= 0:
        return int(number), None
    match = _COUNT.match(key(value))
    if not match:
        return None, f"人数格式不正确（{text(value)}）"
    return int(match.group(1)), None


def mask_account(value: object) -> str | None:
    """Keep the last four digits of a bank account ("6217 0000 1234 5678" → "****5678")."""
    raw = key(value).replace("-", "")
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    return "****" + (digits[-4:] if len(digits) >= 4 else digits)
