"""Jinja filters and globals for Chinese display: dates as 2023年8月25日, money in yuan with separators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from markupsafe import Markup

from core import clock
from core.units import TOTAL_NOTE, UNITS, exact_total, money_text, normalise_unit, total_differs


def cn_date(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return cn_datetime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def yuan(value) -> str:
    return money_text(value, "yuan")


def wan(value) -> str:
    """Amounts in 万元 with two decimals, as officials report them (rounded once, half up)."""
    return money_text(value, "wan")


def table_unit() -> str:
    """The unit the signed-in reader sees tables in: their own choice, else the plan's, else 万元."""
    from flask import g, has_request_context, request

    principal = g.get("principal") if has_request_context() else None
    if principal is None:
        return "wan"
    # Once per request (a page asks for every cell); the request, not ``g``, bounds the cache.
    cached = request.environ.get("qingqian.table_unit")
    if cached is None:
        cached = request.environ["qingqian.table_unit"] = _unit_of(principal)
    return cached


def _unit_of(principal) -> str:
    if principal.user.money_unit:
        return normalise_unit(principal.user.money_unit)
    if principal.jurisdiction is None:
        return "wan"
    from core.tenancy.plans import plan_for

    return normalise_unit((plan_for(principal.jurisdiction) or {}).get("money_unit"))


def money(value, unit: str | None = None) -> str:
    """An amount in the reader's table unit (or the one given)."""
    return money_text(value, unit or table_unit())


def cn_datetime(value) -> str:
    """Stored times are naive UTC (an aware one keeps its offset); offices read their jurisdiction's time."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    local = clock.to_local(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def percent(value) -> str:
    """A fraction (0.2512) as 25.12%."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value) * 100:.2f}%"


def total_note(*columns, unit: str | None = None) -> str:
    """The rounding footnote when a 合计 row (exact total, rounded once) differs from its rounded rows."""
    unit = unit or table_unit()
    return TOTAL_NOTE if any(total_differs(list(column), unit) for column in columns) else ""


SOON_DAYS = 3


def deadline_state(due, today: dt.date | None = None) -> tuple[str, str, int] | None:
    """(text, tone, days left) for a deadline: 剩余N天 / 今天到期 / 逾期N天, tone ok, soon or late."""
    if due in (None, ""):
        return None
    if isinstance(due, str):
        due = dt.date.fromisoformat(due[:10])
    if isinstance(due, dt.datetime):
        due = clock.to_local(due).date()
    days = (due - (today or clock.today())).days
    if days < 0:
        return f"逾期{-days}天", "late", days
    if days == 0:
        return "今天到期", "soon", days
    return f"剩余{days}天", "soon" if days <= SOON_DAYS else "ok", days


def deadline_badge(due, today: dt.date | None = None) -> Markup:
    """The deadline shouting its state: a coloured 剩余N天/逾期N天 badge (empty without a deadline)."""
    state = deadline_state(due, today)
    if state is None:
        return Markup("")
    text, tone, days = state
    return Markup('<span class="deadline deadline-{}" data-days="{}">{}</span>').format(tone, days, text)


def public_office(jurisdiction) -> dict[str, str | None]:
    """Who answers the public on a jurisdiction's pages: the office that issued its plan (``issuer``,
    else "<jurisdiction>清欠办") and the plan's ``hotline`` when it names one."""
    if jurisdiction is None:
        return {"name": "清欠", "hotline": None}
    from core.tenancy.plans import plan_for

    plan = plan_for(jurisdiction) or {}
    hotline = plan.get("hotline")
    return {
        "name": plan.get("issuer") or f"{jurisdiction.name}清欠办",
        "hotline": str(hotline) if hotline else None,
    }


def sum_of(rows, attribute: str) -> Decimal:
    """The exact sum of a money attribute (dotted, e.g. ``debt.outstanding``) over the rows a page shows;
    empty amounts count as 0. For a 合计 row under a list that shows all its rows."""
    total = []
    for row in rows or []:
        value = row
        for part in attribute.split("."):
            value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
            if value is None:
                break
        total.append(value)
    return exact_total(total)


def install_templating(app) -> None:
    app.jinja_env.filters["cn_date"] = cn_date
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["wan"] = wan
    app.jinja_env.filters["cn_datetime"] = cn_datetime
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["money"] = money
    app.jinja_env.globals["table_unit"] = table_unit
    app.jinja_env.globals["total_note"] = total_note
    app.jinja_env.globals["sum_of"] = sum_of
    app.jinja_env.filters["deadline"] = deadline_badge
    app.jinja_env.globals["public_office"] = public_office
    app.jinja_env.globals["unit_label"] = lambda unit=None: UNITS[unit or table_unit()]
