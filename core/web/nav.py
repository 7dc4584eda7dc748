"""What plugins hand the web shell: navigation items, dashboard widgets and report sections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from werkzeug.routing import BuildError


@dataclass
class NavItem:
    """One entry of the side navigation. Give ``endpoint`` (preferred) or a literal ``url``."""

    label: str
    endpoint: str | None = None
    url: str | None = None
    icon: str | None = None
    order: int = 100
    permission: str | None = None
    plugin: str | None = None

    def href(self) -> str | None:
        if self.url:
            return self.url
        if not self.endpoint:
            return None
        try:
            return url_for(self.endpoint)
        except BuildError:
            # A plugin naming an endpoint that does not exist should lose its link, not break every page.
            return None


@dataclass
class Widget:
    """A dashboard panel: a ``template`` (rendered with ``widget``, ``tenant``, ``user``) or an ``html``
    callable returning trusted markup."""

    title: str
    template: str | None = None
    html: Callable[[], str] | None = None
    order: int = 100
    permission: str | None = None


@dataclass
class TodoItem:
    """One thing a user must do next (``qingqian_todo_items``): ``label`` says what, ``url`` where it is done.

    ``due`` (a date) makes the dashboard say 剩余N天/逾期N天 and sort the item by urgency; ``count`` is how
    many things the item stands for (e.g. 3 debts); ``action`` is the link's text.
    """

    label: str
    url: str
    action: str = "去处理"
    due: dt.date | None = None
    count: int | None = None
    order: int = 100
    permission: str | None = None


@dataclass
class ReportSection:
    """A section of a named report; ``render(**context)`` returns trusted HTML.

    The progress report ("progress") calls ``render(node=<unit shown>, as_of=<report date>)`` under the
    reader's scope; readers without ``permission`` do not get the section.
    """

    title: str
    render: Callable[..., str]
    order: int = 100
    permission: str | None = None
