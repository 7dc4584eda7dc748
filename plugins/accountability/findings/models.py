"""The office's finding on a concealment flag (瞒报漏报认定): confirmed or dismissed, with who and when.

The ledger raises flags (待核实 → 已处理) but does not record whether concealment was found: that is this
plugin's decision, and only confirmed findings count in bulletins, assessments and referrals. The flag is
referenced by id (no foreign key: the ledger plugin may be absent) and what a finding relies on — the
debt, the kind, the round — is copied, so the finding stands on its own as evidence.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import Timestamps, UnitOwned, colocated_fk

CONFIRMED, DISMISSED = "confirmed", "dismissed"
FINDING_LABELS = {CONFIRMED: "认定瞒报漏报", DISMISSED: "排除（不属瞒报漏报）"}


class FlagFinding(UnitOwned, Timestamps, db.Model):
    __tablename__ = "accountability_flag_findings"
    __url_param__ = "flag_finding_id"
    __table_args__ = (
        colocated_fk("debt_id", "debts"),
        # Named by hand: the convention's name would pass PostgreSQL's 63-character limit.
        colocated_fk(
            "corrects_id", "accountability_flag_findings", name="fk_accountability_flag_findings_corrects_id"
        ),
        # Each finding is corrected at most once; jurisdiction_id last, as a shard can only check a key it
        # holds (ids are global and the correction sits in the corrected finding's jurisdiction).
        UniqueConstraint("corrects_id", "jurisdiction_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not unique: a correction is a new row on the same flag; the current finding is the one no later row
    # corrects, so what was decided first stays as it was (append-only).
    flag_id: Mapped[int] = mapped_column(Integer, index=True)
    round_id: Mapped[int | None] = mapped_column(Integer)
    debt_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    kind_label: Mapped[str] = mapped_column(String(100))
    finding: Mapped[str] = mapped_column(String(20), index=True)
    note: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str] = mapped_column(String(120), default="")
    # A correction cites the finding it replaces and says why; each finding is corrected at most once.
    corrects_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)

    @property
    def finding_label(self) -> str:
        return FINDING_LABELS.get(self.finding, self.finding)


MODELS = [FlagFinding]
