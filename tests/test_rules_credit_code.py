"""Unified social credit code (GB 32100-2015): hand-computed check digits.

Alphabet values: 0–9 → 0–9, A=10 B=11 C=12 D=13 E=14 F=15 G=16 H=17 J=18 K=19 L=20 M=21 N=22 P=23
Q=24 R=25 T=26 U=27 W=28 X=29 Y=30.  Weights: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
Check = (31 − Σ wᵢ·cᵢ mod 31) mod 31.
"""

from __future__ import annotations

import pytest

from core.rules import credit_code
from core.rules.credit_code import check, check_digit, make, normalize

# 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4
# products: 9·1=9, 1·3=3, 3·9=27, 5·27=135, 0, 1·26=26, 0, 0, 21·20=420, 0, 0, 0, 1·8=8, 0, 0,
#           30·30=900, 4·28=112
# Σ = 9+3+27+135+26+420+8+900+112 = 1640; 1640 mod 31 = 1640 − 31·52 (1612) = 28; 31 − 28 = 3 → "3"
REAL_FORMAT = "91350100M000100Y43"

# 9 1 1 4 0 9 2 2 M A 0 K 1 2 3 4 5
# products: 9, 3, 9, 108, 0, 234, 32, 34, 420, 290, 0, 247, 8, 48, 30, 120, 140
# Σ = 1732; 1732 mod 31 = 1732 − 31·55 (1705) = 27; 31 − 27 = 4 → "4"
DEMO_BODY = "91140922MA0K12345"

# 9 1 1 4 0 0 0 0 M A 0 G R X K B 1
# products: 9, 3, 9, 108, 0, 0, 0, 0, 420, 290, 0, 16·13=208, 25·8=200, 29·24=696, 19·10=190,
#           11·30=330, 1·28=28
# Σ = 2491; 2491 mod 31 = 2491 − 31·80 (2480) = 11; 31 − 11 = 20 → "L"
CONFTEST_CODE = "91140000MA0GRXKB1L"


def test_check_digit_hand_computed():
    assert check_digit(REAL_FORMAT[:17]) == "3"
    assert check_digit(DEMO_BODY) == "4"
    assert check_digit(CONFTEST_CODE[:17]) == "L"


def test_make_appends_the_check_digit():
    assert make(DEMO_BODY) == DEMO_BODY + "4"
    assert make("91350100M000100Y4") == REAL_FORMAT


def test_check_digit_zero_case():
    # A body whose weighted sum is a multiple of 31 gets (31 − 0) mod 31 = 0 → "0", not "Y"/index 31.
    # "00000000000000000" → Σ = 0 → 0 mod 31 = 0 → (31 − 0) mod 31 = 0 → "0"
    assert check_digit("0" * 17) == "0"


@pytest.mark.parametrize("code", [REAL_FORMAT, make(DEMO_BODY), CONFTEST_CODE])
def test_valid_codes(code):
    result = check(code)
    assert result.valid is True
    assert result.checksum_ok is True
    assert result.message is None
    assert result.code == code


@pytest.mark.parametrize(
    ("raw", "length"),
    [
        (REAL_FORMAT[:17], 17),  # one short
        (REAL_FORMAT + "1", 19),  # one long
        ("", 0),
        ("12345", 5),
    ],
)
def test_wrong_length_is_rejected(raw, length):
    result = check(raw)
    assert result.valid is False
    assert result.checksum_ok is False
    assert "18" in result.message and str(length) in result.message


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_illegal_letters_are_rejected(letter):
    # Replace the 10th character (a "0", outside the division code) by the letter GB 32100 leaves out.
    raw = REAL_FORMAT[:9] + letter + REAL_FORMAT[10:]
    assert len(raw) == 18
    result = check(raw)
    assert result.valid is False
    assert letter in result.message


def test_lower_case_letters_are_upper_cased_before_the_check():
    result = check(REAL_FORMAT.lower())
    assert result.valid and result.checksum_ok
    assert result.code == REAL_FORMAT


def test_division_code_must_be_digits():
    # positions 3–8 ("350100") carry the administrative-division code
    raw = "91" + "A50100" + REAL_FORMAT[8:]
    result = check(raw)
    assert result.valid is False
    assert "行政区划" in result.message


def test_full_width_input_is_normalised():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in REAL_FORMAT)  # "９１３５０１００Ｍ…"
    assert full_width != REAL_FORMAT
    assert normalize(full_width) == REAL_FORMAT
    result = check(full_width)
    assert result.valid and result.checksum_ok
    assert result.code == REAL_FORMAT


def test_spaces_and_surrounding_whitespace_are_removed():
    assert normalize(" 9135 0100 M000 100Y 43 ") == REAL_FORMAT
    assert normalize("\u3000" + REAL_FORMAT + "\u3000") == REAL_FORMAT


def test_failed_check_digit_is_valid_with_a_warning():
    # correct digit is "3" (see REAL_FORMAT); "4" fails the check but the code is still accepted
    wrong = REAL_FORMAT[:17] + "4"
    result = check(wrong)
    assert result.valid is True
    assert result.checksum_ok is False
    assert "核实" in result.message


def test_alphabet_has_31_characters_without_i_o_z_s_v():
    assert len(credit_code.ALPHABET) == 31
    assert not set("IOZSV") & set(credit_code.ALPHABET)


# --- the plan's "strict" switch, applied when a creditor is registered ---------------------------


def test_strict_plan_refuses_a_failed_check_digit(app, world):
    from core.rules.validation import ValidationFailed
    from core.services.debts import register_enterprise
    from core.tenancy.scope import system_scope

    wrong = REAL_FORMAT[:17] + "4"
    with system_scope():
        unit = world.node("a.town1")
        with pytest.raises(ValidationFailed) as info:
            register_enterprise(unit, {"name": "严格企业", "credit_code": wrong}, strict=True)
        assert "credit_code" in info.value.errors()


def test_strict_flag_read_from_the_plan(app, world):
    from core.extensions import db
    from core.rules.validation import ValidationFailed
    from core.services.debts import register_enterprise
    from core.tenancy.plans import NATIONAL_DEFAULTS, deep_merge
    from core.tenancy.scope import system_scope

    wrong = REAL_FORMAT[:17] + "4"
    with system_scope():
        a = world.node("a")
        a.plan = deep_merge(NATIONAL_DEFAULTS, {"rules": {"credit_code_strict": True}})
        db.session.commit()
        with pytest.raises(ValidationFailed):
            register_enterprise(world.node("a.town1"), {"name": "严格企业", "credit_code": wrong})
        # Not strict (jurisdiction b uses the default): accepted, with the warning kept on the record.
        enterprise, created = register_enterprise(
            world.node("b.town1"), {"name": "宽松企业", "credit_code": wrong}
        )
        assert created
        assert enterprise.credit_code == wrong
        assert "核实" in enterprise.credit_code_warning
        db.session.rollback()
