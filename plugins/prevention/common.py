"""Pieces the prevention parts share: the blueprint prefix, unit checks and error mapping."""

from __future__ import annotations

from flask import g

from core.api.base import ApiError
from core.api.debts import _require_write_at, unit_or_404

API_PREFIX = "/prevention"
WRITE = "prevention.write"


def writable_unit(unit_id: int | None):
    """The unit a new record belongs to: the one named (if visible) or the user's own; must be writable."""
    unit = unit_or_404(unit_id)
    _require_write_at(unit, WRITE)
    return unit


def require_write(row) -> None:
    _require_write_at(row.unit, WRITE)


def jurisdiction_or_404():
    if g.principal.jurisdiction is None:
        raise ApiError(404)
    return g.principal.jurisdiction
