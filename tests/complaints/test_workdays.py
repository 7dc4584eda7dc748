"""Chinese working days: public holidays and make-up workdays (调休) from the State Council notices."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.complaints.intake.workdays import (
    add_working_days,
    is_working_day,
    known_year,
    working_days_between,
)

D = dt.date.fromisoformat


def test_mid_autumn_and_national_day_2023_with_makeup_weekend():
    # 2023-09-29..10-06 off; Saturday 10-07 and Sunday 10-08 are make-up workdays.
    assert not is_working_day(D("2023-09-29"))
    assert not is_working_day(D("2023-10-02"))
    assert is_working_day(D("2023-10-07")) and is_working_day(D("2023-10-08"))
    assert add_working_days(D("2023-09-25"), 10) == D("2023-10-13")


def test_spring_festival_2023():
    # 01-21..01-27 off; 01-28 (Sat) and 01-29 (Sun) worked.
    assert add_working_days(D("2023-01-19"), 1) == D("2023-01-20")
    assert add_working_days(D("2023-01-20"), 1) == D("2023-01-28")
    assert add_working_days(D("2023-01-20"), 3) == D("2023-01-30")


def test_labour_day_2023_makeup_sunday_and_saturday():
    assert is_working_day(D("2023-04-23")) and is_working_day(D("2023-05-06"))
    assert add_working_days(D("2023-04-27"), 3) == D("2023-05-05")


def test_national_day_2024():
    # 2024-10-01..10-07 off; Sunday 09-29 and Saturday 10-12 worked.
    assert add_working_days(D("2024-09-27"), 10) == D("2024-10-16")
    assert is_working_day(D("2024-09-29")) and is_working_day(D("2024-10-12"))


def test_spring_festival_2024():
    # 2024-02-10..02-17 off; Sunday 02-04 and Sunday 02-18 worked.
    assert is_working_day(D("2024-02-04")) and is_working_day(D("2024-02-18"))
    assert add_working_days(D("2024-02-08"), 10) == D("2024-02-28")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2024-04-04", False),
        ("2024-04-07", True),
        ("2024-05-11", True),
        ("2024-09-14", True),
        ("2024-06-10", False),
    ],
)
def test_other_2024_days(day, working):
    assert is_working_day(D(day)) is working


def test_2025_and_2026_tables_and_fallback():
    assert is_working_day(D("2025-01-26")) and not is_working_day(D("2025-10-08"))
    assert is_working_day(D("2026-02-28")) and not is_working_day(D("2026-02-23"))
    assert all(known_year(y) for y in (2023, 2024, 2025, 2026))
    assert not known_year(2030)
    assert add_working_days(D("2030-01-04"), 1) == D("2030-01-07")  # plain weekend rule


def test_working_days_between():
    assert working_days_between(D("2023-09-25"), D("2023-10-13")) == 10
    assert working_days_between(D("2023-10-13"), D("2023-10-13")) == 0
