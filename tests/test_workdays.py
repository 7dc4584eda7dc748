"""Chinese working days: public holidays and make-up workdays (调休) from the State Council notices,
through the holidays package and the operator's calendar files."""

from __future__ import annotations

import datetime as dt

import pytest

from core.workdays import (
    CalendarError,
    add_working_days,
    check_files,
    is_working_day,
    known_year,
    unknown_years,
    working_days_between,
    working_deadline,
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


# --- Calendars are data: the holidays package, operator files, and a flag for a year without one -----------


@pytest.fixture
def calendars(app, tmp_path, monkeypatch):
    """An empty operator folder for calendar files (``<TENANTS_DIR>/_calendars``)."""
    monkeypatch.setitem(app.config, "TENANTS_DIR", str(tmp_path))
    folder = tmp_path / "_calendars"
    folder.mkdir()
    return folder


def test_a_year_without_a_calendar_is_monday_to_friday_and_flagged(calendars):
    assert not known_year(2099)
    result = working_deadline(D("2099-01-20"), 10)
    assert result.date == D("2099-02-03") and result.calendar_missing == [2099] and result.estimated
    assert working_deadline(D("2026-09-24"), 3).calendar_missing == []
    # Crossing into a year without a calendar is flagged too.
    assert working_deadline(D("2098-12-28"), 5).calendar_missing == [2098, 2099]  # every year it crossed


def test_an_operator_file_adds_a_year_without_a_code_change(calendars):
    assert not known_year(2099)
    (calendars / "2099.yaml").write_text(
        "# 测试用的虚构安排\nholidays:\n  - 2099-01-21 ~ 2099-01-27\nworkdays:\n  - 2099-01-18\n",
        encoding="utf-8",
    )
    assert known_year(2099)
    assert is_working_day(D("2099-01-18"))  # a Sunday made a workday
    assert not is_working_day(D("2099-01-22"))
    result = working_deadline(D("2099-01-20"), 2)  # Wednesday the 21st to Tuesday the 27th are off
    assert result.date == D("2099-01-29") and result.calendar_missing == []
    assert unknown_years(D("2099-01-01"), D("2100-01-05")) == [2100]


def test_an_operator_file_corrects_a_year_the_package_has(calendars):
    assert not is_working_day(D("2026-02-17"))  # Spring Festival, from the package
    (calendars / "2026.yaml").write_text("holidays: [2026-03-02]\nworkdays: []\n", encoding="utf-8")
    assert is_working_day(D("2026-02-17")) and not is_working_day(D("2026-03-02"))  # the file is the year


def test_a_broken_calendar_file_is_named(calendars):
    (calendars / "2099.yaml").write_text("holidays: [2100-01-01]\n", encoding="utf-8")
    errors = check_files()
    assert len(errors) == 1 and "2099.yaml" in errors[0] and "不在 2099 年" in errors[0]
    (calendars / "2099.yaml").write_text("holidays: [明天]\n", encoding="utf-8")
    assert "不是日期" in check_files()[0]
    with pytest.raises(CalendarError):
        known_year(2099)


def test_spring_festival_2027_is_not_silently_ignored(calendars):
    """The old table stopped at 2026: a deadline in 2027 skipped the Spring Festival without a word."""
    result = working_deadline(D("2027-01-29"), 10)
    if known_year(2027):  # the package has the State Council's 2027 notice
        assert not is_working_day(D("2027-02-08")) and result.calendar_missing == []
    else:
        assert result.calendar_missing == [2027]
