"""Which plugin each applied migration head belongs to, so that a plugin uninstalled after its migrations
ran can be named when ``qingqian db upgrade`` no longer finds its revision."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class MigrationOwner(db.Model):
    __tablename__ = "migration_owners"

    revision: Mapped[str] = mapped_column(String(64), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
