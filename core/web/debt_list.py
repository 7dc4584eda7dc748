"""What plugins add to the debt list page (``/debts``): extra filters and badges on rows (the badges also
on a debt's own page).

Core knows nothing of what a plugin marks on a debt (a wage case, a supervision…); a plugin answers
``qingqian_debt_list_filters`` and ``qingqian_debt_badges`` with these objects. A filter narrows the page
and its Excel export alike, since both select through the same statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g

# Names the core list already reads from the query string: a plugin filter may not take them.
RESERVED_KEYS = frozenset(
    {
        "unit",
        "status",
        "category",
        "source",
        "overdue",
        "min_amount",
        "max_amount",
        "q",
        "sort",
        "creditor",
        "creditor_name",
        "wage_amount_pending",
        "page",
        "page_size",
    }
)


@dataclass
class DebtListFilter:
    """One select box on the debt list: ``key`` is its query-string name (prefix it with the plugin's
    name), ``options`` maps each accepted value to its label, ``apply(stmt, value)`` returns the statement
    narrowed to the value (``stmt`` selects ``core.models.debt.Debt``)."""

    key: str
    label: str
    options: dict[str, str]
    apply: Callable[[Any, str], Any]
    plugin: str | None = None


@dataclass
class DebtBadge:
    """A short mark after a debt's status on the list (``level``: info, warning or danger)."""

    text: str
    title: str = ""
    level: str = "info"


def _tenant():
    principal = getattr(g, "principal", None)
    return getattr(principal, "jurisdiction", None)


def plugin_filters() -> list[DebtListFilter]:
    """The filters the caller's jurisdiction's plugins add, in a stable order; bad ones are dropped."""
    from core.plugins import flatten, get_pm

    tenant = _tenant()
    if tenant is None:
        return []
    found = flatten(get_pm().hook_for(tenant, "qingqian_debt_list_filters")(tenant=tenant))
    out, seen = [], set()
    for item in found:
        if not isinstance(item, DebtListFilter) or item.key in RESERVED_KEYS or item.key in seen:
            continue
        seen.add(item.key)
        out.append(item)
    return sorted(out, key=lambda f: f.key)


def apply_filters(stmt, source, filters: list[DebtListFilter], args: dict, errors: dict):
    """``stmt`` narrowed by the plugin filters set in ``source`` (a MultiDict). Applied values go into
    ``args`` and a value no option accepts into ``errors``, both keyed like the core filters."""
    for item in filters:
        value = (source.get(item.key) or "").strip()
        if not value:
            continue
        if value not in item.options:
            errors[item.key] = ["不是可选的值"]
            continue
        stmt = item.apply(stmt, value)
        args[item.key] = value
    return stmt


def badges_for(debts: list) -> dict[int, list[DebtBadge]]:
    """``{debt_id: [DebtBadge, ...]}`` for the debts on the page (or the one debt), from every enabled
    plugin."""
    from core.plugins import get_pm

    tenant = _tenant()
    if tenant is None or not debts:
        return {}
    out: dict[int, list[DebtBadge]] = {}
    for result in get_pm().hook_for(tenant, "qingqian_debt_badges")(tenant=tenant, debts=debts):
        for debt_id, marks in (result or {}).items():
            out.setdefault(debt_id, []).extend(m for m in marks if isinstance(m, DebtBadge))
    return out
