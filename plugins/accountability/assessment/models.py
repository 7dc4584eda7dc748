"""Assessment snapshots (考核): the scorecard as computed at a period end, frozen."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import JurisdictionOwned, utcnow


class AssessmentSnapshot(JurisdictionOwned, db.Model):
    """The scores of the jurisdiction's first-level units (``group_id`` None) or of one SOE group's
    subsidiaries (its internal performance assessment) at ``period_end``."""

    __tablename__ = "accountability_assessments"
    __url_param__ = "assessment_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("tenant_nodes.id"))
    scorecard: Mapped[list] = mapped_column(JSON, default=list)
    rows: Mapped[list] = mapped_column(JSON, default=list)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @classmethod
    def __subtree_criteria__(cls, unit_ids):
        # A group's own assessment is the group's to read; the jurisdiction's is the office's.
        return cls.group_id.in_(unit_ids)


MODELS = [AssessmentSnapshot]
