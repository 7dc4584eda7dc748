"""The parse's shortcuts (issue 21: parse ≤ 3× calamine) give exactly what the full normalisation gives."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from core.rules.amounts import parse_cell
from plugins.ledger.parsing import normalize as nz
from plugins.ledger.parsing import parse_file
from plugins.ledger.parsing.rows import _LEADS, _starts_like_a_footer
from tests.ledger.fixtures import PLAN, SIMPLE_HEADER, simple_row, write_xlsx

CELLS = [
    "五台山旅游开发有限公司",
    "  五台山  旅游 ",
    "五台山\u3000旅游",
    "\u00a0台怀镇人民政府\u00a0",
    "\u200b景区住建局",
    "\ufeffHT-2023-001",
    "第一行\n第二行",
    "制表\t人",
    "'0012",
    "  '  0012 ",
    "A  B",
    "A B",
    "",
    " ",
    "\u3000",
    "ＡＢＣ（１２３）",
]


def reference_text(value: str) -> str:
    out = nz._WS.sub(" ", value).strip()
    return out[1:].strip() if out.startswith("'") else out


@pytest.mark.parametrize("cell", CELLS)
def test_text_fast_path_equals_the_pattern(cell):
    assert nz.text(cell) == reference_text(cell)


@pytest.mark.parametrize("cell", CELLS)
def test_remembered_keys_equal_fresh_ones(cell):
    fresh = nz._WS.sub("", unicodedata.normalize("NFKC", reference_text(cell))).upper()
    assert nz.key(cell) == fresh
    assert nz.key(cell) == fresh  # the second call answers from the memory


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("合计", True),
        ("  合计：", True),
        ("\u3000填表人：张三", True),
        ("㊟：金额单位万元", True),  # U+329F folds to 注 under NFKC
        ("五台山", False),
        ("   ", False),
        ("", False),
    ],
)
def test_footer_lead_check_folds_like_nfkc(cell, expected):
    assert _starts_like_a_footer(cell) is expected
    lead = cell.strip()[:1]
    assert (bool(lead) and unicodedata.normalize("NFKC", lead) in _LEADS) is expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_float_shortcut_still_refuses_what_is_not_a_number(value):
    assert parse_cell(value) == (None, "格式不正确")


def test_float_shortcut_keeps_decimal_digits_and_units():
    assert parse_cell(0.1) == (Decimal("0.10"), None)
    assert parse_cell(12.345, Decimal(10000)) == (Decimal("123450.00"), None)
    assert parse_cell(-0.005) == (Decimal("-0.01"), None)


def test_rows_shorter_than_the_header_still_compare_cell_by_cell(tmp_path):
    # Trailing empty cells are not stored: such rows take the padded path and still find their twin.
    row = simple_row(1)
    path = write_xlsx(tmp_path / "twins.xlsx", [[*SIMPLE_HEADER, "备注"], [*row, None], [*row, None]])
    res = parse_file(path, path.name, PLAN, today=dt.date(2023, 8, 1))
    first, second = res.rows
    assert first.status in ("accepted", "warning") and second.status == "duplicate", first.issues
