"""Money as officials read it: one unit choice (万元 or 元) and one rounding rule for pages and files.

The rule: amounts are kept exact (to the fen) through every sum and division and rounded once, at the
last step, half up to two places in the unit shown. A 合计 is the exact total rounded once, so it can differ
by a few fen (or 0.01 万元) from adding up the rounded rows above it; pages and files say so in a footnote
(``TOTAL_NOTE``) whenever that happens. Ratios are exact fractions rounded half up to four places
(0.2512 = 25.12%) and shown with two decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

WAN = Decimal(10000)
CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")
UNITS = {"wan": "万元", "yuan": "元"}
DEFAULT_TABLE_UNIT = "wan"
TOTAL_NOTE = "合计按未舍入的金额计算后舍入，可能与各行舍入后相加之和相差尾数。"


def normalise_unit(unit: str | None, default: str = DEFAULT_TABLE_UNIT) -> str:
    return unit if unit in UNITS else default


def in_unit(value: Any, unit: str = "yuan") -> Decimal:
    """An amount in yuan expressed in ``unit`` and rounded once, half up, to two places."""
    exact = Decimal(str(value or 0))
    if unit == "wan":
        exact = exact / WAN
    return exact.quantize(CENT, ROUND_HALF_UP)


def money_text(value: Any, unit: str = "yuan") -> str:
    """``in_unit`` with thousands separators, as a table cell shows it."""
    if value is None or value == "":
        return ""
    return f"{in_unit(value, unit):,.2f}"


def ratio(part: Any, whole: Any) -> Decimal:
    """``part / whole`` as a fraction rounded half up to four places; 0 when there is no whole."""
    whole = Decimal(str(whole or 0))
    if not whole:
        return Decimal("0.0000")
    return (Decimal(str(part or 0)) / whole).quantize(RATIO_PLACES, ROUND_HALF_UP)


def exact_total(values: Iterable[Any]) -> Decimal:
    return sum((Decimal(str(v or 0)) for v in values), Decimal("0.00"))


def total_differs(values: Iterable[Any], unit: str) -> bool:
    """Whether the rounded exact total differs from the sum of the rounded values (then footnote it)."""
    values = list(values)
    shown = sum((in_unit(v, unit) for v in values), Decimal("0.00"))
    return shown != in_unit(exact_total(values), unit)
