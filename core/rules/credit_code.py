"""Unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_FULLWIDTH = {
    ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
}


@dataclass(frozen=True)
class CreditCodeCheck:
    code: str
    valid: bool  # right length and characters: acceptable
    checksum_ok: bool
    message: str | None = None


def normalize(raw: str) -> str:
    return (raw or "").translate(_FULLWIDTH).strip().replace(" ", "").upper()


def check_digit(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@functools.lru_cache(maxsize=65536)
def check(raw: str) -> CreditCodeCheck:
    """Wrong length or characters → invalid.

    A failed check digit → valid with a warning: some real, registered codes fail it. Cached: a ledger
    file repeats the same creditors' codes on many rows (the answer is an immutable value).
    """
    code = normalize(raw)
    if len(code) != 18:
        return CreditCodeCheck(code, False, False, f"统一社会信用代码应为18位，实际为{len(code)}位")
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return CreditCodeCheck(code, False, False, "统一社会信用代码含有非法字符：" + "".join(bad))
    if not code[2:8].isdigit():
        return CreditCodeCheck(code, False, False, "统一社会信用代码第3–8位应为行政区划代码（数字）")
    if check_digit(code[:17]) != code[17]:
        return CreditCodeCheck(code, True, False, "统一社会信用代码校验位不符，请核实")
    return CreditCodeCheck(code, True, True)


def make(prefix17: str) -> str:
    """Complete a 17-character body with its check digit (used by the demo and test data generators)."""
    return prefix17 + check_digit(prefix17)
