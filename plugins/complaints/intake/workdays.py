"""Chinese working days: weekends and the State Council's public holidays, with make-up workdays (调休上班).

The table below is data, transcribed from the General Office of the State Council's annual notices
(国务院办公厅关于…年部分节假日安排的通知). A year missing from it falls back to plain Monday–Friday weeks,
because an unknown year's holidays cannot be guessed; add the year's notice here when it is published.
"""

from __future__ import annotations

import datetime as dt


def _days(first: str, last: str | None = None) -> list[dt.date]:
    start = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last or first)
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# year → (days off that would otherwise be workdays or weekends, weekend days that are workdays)
CALENDAR: dict[int, tuple[list[dt.date], list[dt.date]]] = {
    2023: (  # 国办发明电〔2022〕16号
        _days("2023-01-01", "2023-01-02")
        + _days("2023-01-21", "2023-01-27")
        + _days("2023-04-05")
        + _days("2023-04-29", "2023-05-03")
        + _days("2023-06-22", "2023-06-24")
        + _days("2023-09-29", "2023-10-06"),
        _days("2023-01-28", "2023-01-29")
        + _days("2023-04-23")
        + _days("2023-05-06")
        + _days("2023-06-25")
        + _days("2023-10-07", "2023-10-08"),
    ),
    2024: (  # 国办发明电〔2023〕7号
        _days("2024-01-01")
        + _days("2024-02-10", "2024-02-17")
        + _days("2024-04-04", "2024-04-06")
        + _days("2024-05-01", "2024-05-05")
        + _days("2024-06-10")
        + _days("2024-09-15", "2024-09-17")
        + _days("2024-10-01", "2024-10-07"),
        _days("2024-02-04")
        + _days("2024-02-18")
        + _days("2024-04-07")
        + _days("2024-04-28")
        + _days("2024-05-11")
        + _days("2024-09-14")
        + _days("2024-09-29")
        + _days("2024-10-12"),
    ),
    2025: (  # 国办发明电〔2024〕12号
        _days("2025-01-01")
        + _days("2025-01-28", "2025-02-04")
        + _days("2025-04-04", "2025-04-06")
        + _days("2025-05-01", "2025-05-05")
        + _days("2025-05-31", "2025-06-02")
        + _days("2025-10-01", "2025-10-08"),
        _days("2025-01-26")
        + _days("2025-02-08")
        + _days("2025-04-27")
        + _days("2025-09-28")
        + _days("2025-10-11"),
    ),
    2026: (  # 国办发明电〔2025〕7号
        _days("2026-01-01", "2026-01-03")
        + _days("2026-02-15", "2026-02-23")
        + _days("2026-04-04", "2026-04-06")
        + _days("2026-05-01", "2026-05-05")
        + _days("2026-06-19", "2026-06-21")
        + _days("2026-09-25", "2026-09-27")
        + _days("2026-10-01", "2026-10-07"),
        _days("2026-01-04")
        + _days("2026-02-14")
        + _days("2026-02-28")
        + _days("2026-05-09")
        + _days("2026-09-20")
        + _days("2026-10-10"),
    ),
}

HOLIDAYS: frozenset[dt.date] = frozenset(d for off, _ in CALENDAR.values() for d in off)
MAKEUP_WORKDAYS: frozenset[dt.date] = frozenset(d for _, on in CALENDAR.values() for d in on)


def known_year(year: int) -> bool:
    return year in CALENDAR


def is_working_day(day: dt.date) -> bool:
    if day in MAKEUP_WORKDAYS:
        return True
    if day in HOLIDAYS:
        return False
    return day.weekday() < 5


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``start`` (the start day itself is not counted)."""
    day = start
    left = count
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
