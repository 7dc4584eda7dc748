"""The append-only history of every change: who, when, what it was before and after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.append_only import AppendOnly, AppendOnlyError  # noqa: F401  (re-exported)
from core.models.base import CopiedUnitOwned, utcnow


class Event(AppendOnly, CopiedUnitOwned, db.Model):
    __tablename__ = "events"
    __url_param__ = "event_id"
    __table_args__ = (Index("ix_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))

    actor = relationship("User", lazy="joined")
