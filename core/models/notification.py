"""In-app notifications for a unit (deadline reminders and other messages from jobs and plugins)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import UnitOwned, utcnow


class NotificationLevel:
    INFO = "info"
    WARNING = "warning"
    URGENT = "urgent"


class Notification(UnitOwned, db.Model):
    """A message for everyone working at ``unit_id`` (or only ``user_id`` when set).

    ``key`` makes generated notifications idempotent: a job that runs twice creates one row per unit and key.
    """

    __tablename__ = "notifications"
    __url_param__ = "notification_id"
    __table_args__ = (
        Index("uq_notifications_unit_id_key", "unit_id", "key", "jurisdiction_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    level: Mapped[str] = mapped_column(String(20), default=NotificationLevel.INFO)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
