"""What the accountability pages' form handlers share: the caller's jurisdiction, a visible row or 404,
dates from inputs, and running a service call so that a refusal rolls back and shows its message and a
success commits and says so — each handler then holds only its own fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import abort, flash, g, redirect
from werkzeug.wrappers import Response

from core.extensions import db
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from plugins.accountability.bulletins.service import Refused


def jurisdiction() -> TenantNode:
    """The caller's jurisdiction; a caller without one (the platform admin) gets 404."""
    node = g.principal.jurisdiction
    if node is None:
        abort(404)
    return node


def visible_or_404(model, ident: int):
    """The row through the tenant filter: another tenant's row is simply not found."""
    row = visible(model, ident)
    if row is None:
        abort(404)
    return row


def form_date(raw: str | None) -> dt.date | None:
    """A date input's value (YYYY-MM-DD), None when empty or malformed (the handler names the field)."""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def back(to: str, message: str, ok: bool) -> Response:
    """Redirect to the page with a flash message (success or error)."""
    flash(message, "success" if ok else "error")
    return redirect(to)


def run(to: str, action: Callable[[], object], done: str) -> Response:
    """Run ``action`` (a service call); a ``Refused`` rolls back and shows its message, anything else is
    committed and ``done`` is shown. Either way the user is sent back to ``to``."""
    try:
        action()
    except Refused as exc:
        db.session.rollback()
        return back(to, exc.message, False)
    db.session.commit()
    return back(to, done, True)
