"""Navigation entries and the dashboard widget."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from core.web.nav import NavItem, Widget


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "投诉线索",
            endpoint="complaints.index",
            order=40,
            permission="complaints.read",
            plugin="complaints",
        ),
        NavItem(
            "投诉看板",
            endpoint="complaints.board",
            order=41,
            permission="complaints.read",
            plugin="complaints",
        ),
    ]


def _widget_html() -> str:
    from plugins.complaints.handling.service import board

    data = board()
    t = data["totals"]
    cells = [
        ("收到", t["received"]),
        ("办理中", t["in_progress"]),
        ("逾期", t["overdue"]),
        ("办结", t["closed"]),
    ]
    items = "".join(f"<li>{escape(label)}：<strong>{value}</strong> 件</li>" for label, value in cells)
    link = url_for("complaints.board")
    return str(Markup(f'<ul class="complaints-widget">{items}</ul><a href="{link}">查看办理看板</a>'))


def WIDGETS(tenant, user) -> list[Widget]:  # noqa: N802 - the plugin skeleton collects this name
    return [Widget(title="投诉线索办理", html=_widget_html, order=40, permission="complaints.read")]
