"""Money on the wire: yuan as a decimal string with at most two places ("1234.50"), never a float.

``Money`` is the one marshmallow field for amounts in core's and plugins' schemas. It documents itself in
OpenAPI as ``type: string`` with ``MONEY_PATTERN``, dumps a ``Decimal`` as a two-place string and loads only
what the pattern allows (an integer is taken as whole yuan): floats (``1000.5``), exponent forms (``"1e3"``),
``NaN``, thousands separators and a third decimal place are refused with a Chinese reason naming the field.
``parse_money`` is the same check for input that does not go through a schema (forms, spreadsheets).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

# At most 16 integer digits as typed: NUMERIC(18, 2) holds anything below 10^16.
MONEY_INTEGER_DIGITS = 16
MONEY_PATTERN = r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$"
# The same for a field that refuses negative amounts (Range(min=0)) and one that needs more than zero
# (Range(min=0, min_inclusive=False)): the document states the sign rule, so a client (or a fuzzer) that
# follows the pattern is never refused for it.
NON_NEGATIVE_MONEY_PATTERN = r"^[0-9]{1,16}(\.[0-9]{1,2})?$"
POSITIVE_MONEY_PATTERN = r"^(?=[0-9.]*[1-9])[0-9]{1,16}(\.[0-9]{1,2})?$"
# A total the server adds up (answers only): no digit bound, since a sum of bounded amounts may exceed it.
MONEY_SUM_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"
MONEY_PATTERNS = frozenset(
    {MONEY_PATTERN, NON_NEGATIVE_MONEY_PATTERN, POSITIVE_MONEY_PATTERN, MONEY_SUM_PATTERN}
)
MONEY_EXAMPLE = "1234.50"
MONEY_LIMIT = Decimal("1e16")  # NUMERIC(18, 2)
CENT = Decimal("0.01")

_MONEY = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")
_TOO_PRECISE = re.compile(r"^-?[0-9]+\.[0-9]{3,}$")


def parse_money(raw: Any) -> Decimal:
    """An amount as submitted (a string, or an integer of whole yuan) as ``Decimal``.

    Raises ``ValueError`` with the reason in Chinese.
    """
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        if isinstance(raw, float):
            raise ValueError(f'金额请以字符串提交，例如 "{MONEY_EXAMPLE}"，不能用浮点数')
        raise ValueError(f'金额格式不正确，应为数字字符串，例如 "{MONEY_EXAMPLE}"')
    text = str(raw).strip()
    if not _MONEY.fullmatch(text):
        if _TOO_PRECISE.fullmatch(text):
            raise ValueError("金额最多两位小数")
        raise ValueError(
            f'金额格式不正确，应为最多两位小数的数字字符串（不用科学计数法），例如 "{MONEY_EXAMPLE}"'
        )
    if len(text.lstrip("-").split(".")[0]) > MONEY_INTEGER_DIGITS:
        raise ValueError(f"金额过大（整数部分最多 {MONEY_INTEGER_DIGITS} 位）")
    value = Decimal(text)
    return value.quantize(CENT)


def _pattern_for(validators) -> str:
    """The money pattern a field's ``Range(min=0)`` implies (the validator still gives the Chinese reason)."""
    if validators is None:
        return MONEY_PATTERN
    if not isinstance(validators, list | tuple):
        validators = [validators]
    for v in validators:
        if isinstance(v, validate.Range) and v.min is not None and v.min == 0 and v.max is None:
            return NON_NEGATIVE_MONEY_PATTERN if v.min_inclusive else POSITIVE_MONEY_PATTERN
    return MONEY_PATTERN


class Money(fields.Decimal):
    """Yuan with two decimals: a ``Decimal`` in Python, a string matching ``MONEY_PATTERN`` on the wire."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("places", 2)
        kwargs["as_string"] = True
        kwargs["allow_nan"] = False
        kwargs["metadata"] = {
            "type": "string",
            "pattern": _pattern_for(kwargs.get("validate")),
            "example": MONEY_EXAMPLE,
            **(kwargs.get("metadata") or {}),
        }
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        try:
            return parse_money(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


DAILY_RATE_PATTERN = r"^(0(\.0[0-9]{0,5})?|0\.01(0{0,4})?)$"


class DailyRate(fields.Decimal):
    """An agreed daily late-payment rate, 0 to 0.01 with at most six places, as a decimal string ("0.0005").

    The bounds live in the pattern (OpenAPI has no decimal-string minimum/maximum), so the document says
    exactly what is accepted.
    """

    _RATE = re.compile(DAILY_RATE_PATTERN)

    def __init__(self, **kwargs) -> None:
        kwargs["as_string"] = True
        kwargs["allow_nan"] = False
        kwargs["metadata"] = {
            "type": "string",
            "pattern": DAILY_RATE_PATTERN,
            "example": "0.0005",
            **(kwargs.get("metadata") or {}),
        }
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if not isinstance(value, str) or not self._RATE.fullmatch(value.strip()):
            raise ValidationError('日利率应为 0 至 0.01 之间、最多六位小数的数字字符串，例如 "0.0005"')
        return Decimal(value.strip())


class PatternDecimal(fields.Decimal):
    """A decimal sent as a string whose bounds and places a ``pattern`` states (OpenAPI has no
    minimum/maximum for strings): the document says exactly what is accepted, and anything else answers 422
    with ``message``. ``PatternDecimal(r"^(0|[1-9][0-9]?)(\\.[0-9]{1,4})?$", "年化利率…", example="3.85")``.
    """

    def __init__(self, pattern: str, message: str, *, example: str | None = None, **kwargs) -> None:
        self._pattern = re.compile(pattern)
        self._message = message
        kwargs["as_string"] = True
        kwargs["allow_nan"] = False
        kwargs["metadata"] = {
            "type": "string",
            "pattern": pattern,
            **({"example": example} if example else {}),
            **(kwargs.get("metadata") or {}),
        }
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if not isinstance(value, str) or not self._pattern.fullmatch(value.strip()):
            raise ValidationError(self._message)
        return Decimal(value.strip())
