"""Jinja filters and globals for Chinese display: dates as 2023年8月25日, money in yuan with separators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def cn_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def yuan(value) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


def wan(value) -> str:
    """Amounts in 万元 with two decimals, as officials report them."""
    if value is None or value == "":
        return ""
    return f"{(Decimal(value) / Decimal(10000)):,.2f}"


def cn_datetime(value) -> str:
    """Stored times are naive UTC; offices read Beijing time."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    local = value + dt.timedelta(hours=8)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def percent(value) -> str:
    """A fraction (0.2512) as 25.12%."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value) * 100:.2f}%"


def install_templating(app) -> None:
    app.jinja_env.filters["cn_date"] = cn_date
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["wan"] = wan
    app.jinja_env.filters["cn_datetime"] = cn_datetime
    app.jinja_env.filters["percent"] = percent
