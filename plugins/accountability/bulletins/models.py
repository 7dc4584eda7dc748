"""Bulletins (通报) and the units they are sent to."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.extensions import db
from core.models.base import JurisdictionOwned, Timestamps, UnitOwned, colocated_fk, utcnow


class BulletinStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


STATUS_LABELS = {BulletinStatus.DRAFT: "草稿", BulletinStatus.ISSUED: "已印发"}
FROZEN = "OLD.status = 'issued'"


class BulletinFrozen(RuntimeError):
    """An attempt to change an issued bulletin: corrections are new bulletins."""


class Bulletin(JurisdictionOwned, Timestamps, db.Model):
    """One bulletin. ``sections`` holds the generated tables (money as strings in 元, to the fen); once
    issued, the row never changes (ORM guard below, PostgreSQL trigger in the migration)."""

    __tablename__ = "accountability_bulletins"
    __url_param__ = "bulletin_id"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "year", "seq", name="uq_accountability_bulletins_number"),
        # A correction cites a bulletin of its own jurisdiction (core.tenancy.colocation).
        colocated_fk("corrects_id", "accountability_bulletins"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=BulletinStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    intro: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    cc: Mapped[str] = mapped_column(Text, default="")
    sections: Mapped[list] = mapped_column(JSON, default=list)
    recipient_ids: Mapped[list] = mapped_column(JSON, default=list)
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    year: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    doc_no: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    corrects_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @classmethod
    def __subtree_criteria__(cls, unit_ids):
        # A unit user sees the bulletins sent to one of their units (only issued ones are ever sent).
        return cls.id.in_(
            db.select(BulletinRecipient.bulletin_id).where(BulletinRecipient.unit_id.in_(unit_ids))
        )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(BulletinStatus(self.status), self.status)

    @property
    def issued(self) -> bool:
        return self.status == BulletinStatus.ISSUED


@event.listens_for(Bulletin, "before_update")
def _refuse_changing_issued(mapper, connection, target):
    status = inspect(target).attrs.status.history
    was = status.deleted[0] if status.deleted else target.status
    if was == BulletinStatus.ISSUED:
        raise BulletinFrozen("已印发的通报不能修改；如需更正，请印发更正通报")


@event.listens_for(Bulletin, "before_delete")
def _refuse_deleting_issued(mapper, connection, target):
    if target.status == BulletinStatus.ISSUED:
        raise BulletinFrozen("已印发的通报不能删除")


class BulletinRecipient(UnitOwned, db.Model):
    """A unit an issued bulletin is sent to, and when (and by whom) it was read (已阅)."""

    __tablename__ = "accountability_bulletin_recipients"
    __url_param__ = "recipient_id"
    __table_args__ = (
        # jurisdiction_id last: a shard can only check a key it holds; the bulletin's id alone is global.
        UniqueConstraint(
            "bulletin_id", "unit_id", "jurisdiction_id", name="uq_accountability_bulletin_recipients_unit"
        ),
        colocated_fk("bulletin_id", "accountability_bulletins"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    read_by_name: Mapped[str | None] = mapped_column(String(120))

    bulletin: Mapped[Bulletin] = relationship(foreign_keys=[bulletin_id], lazy="select")

    @validates("unit_name")
    def _trim(self, key, value):
        return (value or "")[:200]


MODELS = [Bulletin, BulletinRecipient]
