"""Chinese working days: weekends, the State Council's public holidays and make-up workdays (调休上班).

The holidays come from the ``holidays`` package (released monthly; it transcribes each year's notice
国务院办公厅关于…年部分节假日安排的通知). An operator adds or corrects a year without a code change in a
YAML file ``<year>.yaml`` under ``<TENANTS_DIR>/_calendars/`` (see the README there); such a file is the
whole year's calendar and wins over the package.

A year covered by neither is not guessed: its days are Monday to Friday, and every deadline computed in it
says so (``unknown_years``, the API's ``calendar_missing`` fields, the office's banner, ``qingqian check``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

CALENDAR_FOLDER = "_calendars"
# The holidays package transcribes the notices from 2001 on.
FIRST_NOTICE_YEAR = 2001


class CalendarError(ValueError):
    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message


@dataclass(frozen=True)
class YearCalendar:
    year: int
    days_off: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str


@dataclass
class Deadline:
    """A date computed in working days, and the years it crossed without a calendar (Monday–Friday)."""

    date: dt.date
    calendar_missing: list[int] = field(default_factory=list)

    @property
    def estimated(self) -> bool:
        return bool(self.calendar_missing)


def calendar_dir() -> Path:
    from flask import current_app, has_app_context

    if has_app_context():
        base = current_app.config.get("TENANTS_DIR")
    else:
        base = os.environ.get("QINGQIAN_TENANTS_DIR")
    base = base or str(Path(__file__).resolve().parent.parent / "tenants")
    return Path(base) / CALENDAR_FOLDER


def _dates(value, path: Path, key: str) -> list[dt.date]:
    """One date, or a range written ``2027-02-05 ~ 2027-02-11``."""
    if isinstance(value, dt.date):
        return [value]
    text = str(value).replace("..", "~")
    try:
        if "~" in text:
            first, last = (dt.date.fromisoformat(part.strip()) for part in text.split("~", 1))
        else:
            first = last = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CalendarError(path, f"{key} 中的“{value}”不是日期或“开始 ~ 结束”日期范围") from exc
    if last < first:
        raise CalendarError(path, f"{key} 中的日期范围“{value}”结束早于开始")
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def read_year_file(path: Path) -> YearCalendar:
    if not path.stem.isdigit() or len(path.stem) != 4:
        raise CalendarError(path, "文件名应为四位年份，例如 2027.yaml")
    year = int(path.stem)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CalendarError(path, f"YAML 格式错误：{exc}") from exc
    if not isinstance(data, dict):
        raise CalendarError(path, "顶层必须是映射（holidays、workdays）")
    days: dict[str, list[dt.date]] = {}
    for key in ("holidays", "workdays"):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise CalendarError(path, f"{key} 必须是日期列表")
        days[key] = [d for item in items for d in _dates(item, path, key)]
        wrong = [d for d in days[key] if d.year != year]
        if wrong:
            raise CalendarError(path, f"{key} 中的 {wrong[0].isoformat()} 不在 {year} 年")
    return YearCalendar(year, frozenset(days["holidays"]), frozenset(days["workdays"]), str(path))


def _stamp(folder: Path) -> tuple:
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.y*ml")))


@lru_cache(maxsize=8)
def _overrides(folder: str, stamp: tuple) -> dict[int, YearCalendar]:
    out = {}
    for name, _mtime in stamp:
        cal = read_year_file(Path(folder) / name)
        out[cal.year] = cal
    return out


def overrides() -> dict[int, YearCalendar]:
    """The operator's year files, re-read when one changes. A broken file raises ``CalendarError``."""
    folder = calendar_dir()
    return _overrides(str(folder), _stamp(folder))


def check_files() -> list[str]:
    """Every problem in the operator's calendar files, as Chinese messages (for ``qingqian check``)."""
    folder = calendar_dir()
    errors = []
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            read_year_file(path)
        except CalendarError as exc:
            errors.append(f"{exc.path}：{exc.message}")
    return errors


@lru_cache(maxsize=1)
def _library_last_year() -> int:
    from holidays.countries.china import ChinaStaticHolidays

    return max(ChinaStaticHolidays.special_public_holidays)


@lru_cache(maxsize=256)
def _library_year(year: int) -> YearCalendar:
    import holidays

    cal = holidays.China(years=year)
    return YearCalendar(
        year,
        frozenset(d for d in cal if d.year == year),
        frozenset(d for d in cal.weekend_workdays if d.year == year),
        "holidays",
    )


def year_calendar(year: int, files: dict[int, YearCalendar] | None = None) -> YearCalendar | None:
    """The calendar of ``year``: the operator's file, else the package's, else None (not published yet)."""
    files = overrides() if files is None else files
    if year in files:
        return files[year]
    if FIRST_NOTICE_YEAR <= year <= _library_last_year():
        return _library_year(year)
    return None


def known_year(year: int) -> bool:
    return year_calendar(year) is not None


def unknown_years(start: dt.date, end: dt.date) -> list[int]:
    """The years from ``start`` to ``end`` that have no calendar."""
    files = overrides()
    low, high = sorted((start.year, end.year))
    return [y for y in range(low, high + 1) if year_calendar(y, files) is None]


class _Days:
    """Working-day answers for one computation: the files are read once, not once per day."""

    def __init__(self) -> None:
        self.files = overrides()
        self.years: dict[int, YearCalendar | None] = {}

    def working(self, day: dt.date) -> bool:
        if day.year not in self.years:
            self.years[day.year] = year_calendar(day.year, self.files)
        cal = self.years[day.year]
        if cal is not None:
            if day in cal.workdays:
                return True
            if day in cal.days_off:
                return False
        return day.weekday() < 5

    @property
    def missing(self) -> list[int]:
        return sorted(y for y, cal in self.years.items() if cal is None)


def is_working_day(day: dt.date) -> bool:
    return _Days().working(day)


def working_deadline(start: dt.date, count: int) -> Deadline:
    """The date ``count`` working days after ``start`` (the start day not counted), flagged if estimated."""
    days = _Days()
    day = start
    left = count
    while left > 0:
        day += dt.timedelta(days=1)
        if days.working(day):
            left -= 1
    return Deadline(day, days.missing)


def add_working_days(start: dt.date, count: int) -> dt.date:
    return working_deadline(start, count).date


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    days = _Days()
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if days.working(day):
            count += 1
    return count
