"""The server-rendered web shell: layout, navigation, login, dashboard, debt and enterprise pages."""

from __future__ import annotations


def web_blueprints() -> list:
    from core.web.views import bp

    return [bp]
