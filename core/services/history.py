"""Writing and reading the append-only event history."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect

from core.extensions import db
from core.models.event import Event

_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def snapshot(obj, exclude: set[str] = frozenset({"created_at", "updated_at"})) -> dict:
    """The column values of a mapped object, JSON-ready."""
    return {key: to_jsonable(getattr(obj, key)) for key in _column_keys(type(obj)) if key not in exclude}


def snapshot_values(
    values: dict[str, Any], exclude: set[str] = frozenset({"created_at", "updated_at"})
) -> dict:
    """``snapshot`` of a row given as column key → value (bulk writers have the row, not an object)."""
    plain = _PLAIN
    return {
        key: value if type(value) in plain else to_jsonable(value)
        for key, value in values.items()
        if key not in exclude
    }


@functools.cache
def _column_keys(cls) -> tuple[str, ...]:
    return tuple(c.key for c in sa_inspect(cls).column_attrs)


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def event_values(
    entity,
    action: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    note: str | None = None,
    entity_type: str | None = None,
    unit_id: int | None = None,
    jurisdiction_id: int | None = None,
) -> dict[str, Any]:
    """The column values of the event ``record`` writes (bulk writers insert many of them at once)."""
    return {
        "jurisdiction_id": jurisdiction_id if jurisdiction_id is not None else entity.jurisdiction_id,
        "unit_id": unit_id
        if unit_id is not None
        else getattr(entity, "unit_id", None) or entity.jurisdiction_id,
        "entity_type": entity_type or entity.__tablename__,
        "entity_id": entity.id,
        "action": action,
        "actor_id": getattr(actor, "id", None),
        "actor_name": getattr(actor, "label", None) or ("系统" if actor is None else None),
        "before": before,
        "after": after,
        "note": _note(note),
    }


def record(entity, action: str, **values: Any) -> Event:
    """Add one event to the session; ``values`` as for ``event_values``."""
    event = Event(**event_values(entity, action, **values))
    db.session.add(event)
    return event


NOTE_LENGTH = 500


def _note(note: str | None) -> str | None:
    """Long reasons live on their own records; the event keeps the first 500 characters (the column)."""
    if note is None or len(note) <= NOTE_LENGTH:
        return note
    return note[: NOTE_LENGTH - 1] + "…"


def history_of(entity_type: str, entity_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            db.select(Event)
            .where(Event.entity_type == entity_type, Event.entity_id == entity_id)
            .order_by(Event.at, Event.id)
        )
    )
