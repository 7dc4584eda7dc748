"""The plugin's menu entry, on the web shell's NavItem like any other plugin."""

from __future__ import annotations

from core.web.nav import NavItem


def nav_item() -> NavItem:
    # No page of its own: the sample plugin only proves a menu entry reaches the shell.
    return NavItem(
        label="实地督导", url="/api/v1/sample/visits", permission="sample.read", order=900, plugin="sample"
    )
