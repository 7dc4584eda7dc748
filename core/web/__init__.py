"""The server-rendered web shell: layout, navigation, login, dashboard, debt and enterprise pages."""

from __future__ import annotations


def web_blueprints() -> list:
    from core.auth.password_links import bp as password_links
    from core.web.views import bp

    return [bp, password_links]
