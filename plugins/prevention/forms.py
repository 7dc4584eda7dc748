"""Pages post forms; the API's schemas validate them, so a page and the API refuse the same input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import abort, flash
from marshmallow import Schema, ValidationError

from core.api.base import ApiError
from core.extensions import db
from plugins.prevention.errors import Refused

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHECKED = {"on", "1", "true", "yes"}


def blank_to_none(form, names) -> dict:
    return {name: (form.get(name) or "").strip() or None for name in names}


def flash_errors(errors: dict, labels: dict[str, str] | None = None) -> None:
    labels = labels or {}
    for field, messages in _flat(errors):
        flash(f"{labels.get(field.split('.')[0], field)}：{'；'.join(messages)}", "error")


def _flat(errors, prefix: str = ""):
    for key, value in (errors or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flat(value, f"{name}.")
        else:
            yield name, [str(v) for v in value]


def submit(schema: Schema, raw: dict, action: Callable[[dict], object], labels: dict | None = None):
    """Validate ``raw`` with ``schema`` and run ``action``; refusals become flashed messages (None)."""
    try:
        data = schema.load(raw)
    except ValidationError as exc:
        flash_errors(exc.messages, labels)
        return None
    try:
        result = action(data)
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 404 and not exc.errors:  # a 404 naming a field is a bad reference in the form
            abort(404)
        if exc.errors:
            flash_errors(exc.errors, labels)
        else:
            flash(exc.message, "error")
        return None
    except Refused as exc:
        db.session.rollback()
        flash_errors(exc.errors, labels)
        return None
    db.session.commit()
    return result
