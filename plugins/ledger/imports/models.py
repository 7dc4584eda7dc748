"""Ledger imports: one uploaded file, its per-row preview, and the row keys that tie debts to file rows."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import CopiedUnitOwned, JurisdictionOwned, Timestamps, UnitOwned, colocated_fk
from core.tenancy.models import TenantNode


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    PARSING = "parsing"
    PREVIEWED = "previewed"
    COMMITTING = "committing"
    COMMITTED = "committed"
    FAILED = "failed"
    CANCELLED = "cancelled"


IMPORT_STATUS_LABELS = {
    ImportStatus.UPLOADED: "已上传",
    ImportStatus.PARSING: "解析中",
    ImportStatus.PREVIEWED: "待确认",
    ImportStatus.COMMITTING: "导入中",
    ImportStatus.COMMITTED: "已导入",
    ImportStatus.FAILED: "失败",
    ImportStatus.CANCELLED: "已取消",
}


class Outcome(enum.StrEnum):
    """What committing a row would do (rows the parser rejected or skipped keep that status)."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"


OUTCOME_LABELS = {
    Outcome.NEW: "新增",
    Outcome.CHANGED: "变更",
    Outcome.UNCHANGED: "未变",
    Outcome.REJECTED: "拒绝",
    Outcome.DUPLICATE: "重复",
    Outcome.SKIPPED: "跳过",
}

COUNT_KEYS = (
    "read",
    "accepted",
    "warning",
    "rejected",
    "duplicate",
    "skipped",
    "new",
    "changed",
    "unchanged",
)
AMOUNT_UNITS = {"yuan": "元", "wan": "万元"}


class LedgerImport(UnitOwned, Timestamps, db.Model):
    """One uploaded ledger file and its state: uploaded → parsing → previewed → committing → committed."""

    __tablename__ = "ledger_imports"
    __url_param__ = "import_id"
    __table_args__ = (Index("ix_ledger_imports_scope_created", "jurisdiction_id", "unit_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ImportStatus.UPLOADED, index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    # yuan | wan when the uploader chose the unit of bare figures; None: the file's marker, else the plan's
    amount_unit: Mapped[str | None] = mapped_column(String(8))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_warning: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    # What the parser understood of the file: mapped columns, unmapped headers, 万元 multiplier, sheet.
    file_info: Mapped[dict | None] = mapped_column(JSON)
    file_issues: Mapped[list | None] = mapped_column(JSON)
    parse_job_id: Mapped[str | None] = mapped_column(String(36))
    commit_job_id: Mapped[str | None] = mapped_column(String(36))
    error: Mapped[str | None] = mapped_column(Text)
    parsed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[TenantNode] = relationship(foreign_keys="LedgerImport.unit_id", lazy="joined")
    uploaded_by = relationship("User", foreign_keys="LedgerImport.uploaded_by_id", lazy="joined")

    @property
    def status_label(self) -> str:
        return IMPORT_STATUS_LABELS.get(ImportStatus(self.status), self.status)

    @property
    def counts(self) -> dict[str, int]:
        return {key: getattr(self, f"rows_{key}") or 0 for key in COUNT_KEYS}

    def set_counts(self, counts: dict[str, int]) -> None:
        for key in COUNT_KEYS:
            setattr(self, f"rows_{key}", int(counts.get(key, 0)))


class LedgerImportRow(CopiedUnitOwned, db.Model):
    """The preview of one file row. Owned by the import's unit, so whoever sees the import sees its rows.

    ``data`` holds the parsed canonical values (JSON: amounts as strings, dates ISO) for rows that will be
    committed; ``raw`` the original cells for rejected rows (the rejected-rows export needs them).
    """

    __tablename__ = "ledger_import_rows"
    # Keeps the (jurisdiction_id, id) key every import row pays for: it has no unique key of its own to
    # carry the jurisdiction instead (row numbers repeat across a file's sheets).
    __table_args__ = (
        Index("ix_ledger_import_rows_import_outcome", "import_id", "outcome", "row_number"),
        colocated_fk("import_id", "ledger_imports", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(Integer)
    row_number: Mapped[int] = mapped_column(Integer)
    sheet: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))  # the parser's: accepted | warning | rejected | skipped
    outcome: Mapped[str] = mapped_column(String(20))  # new | changed | unchanged | rejected | skipped
    debtor_unit_id: Mapped[int | None] = mapped_column(Integer)
    debt_id: Mapped[int | None] = mapped_column(Integer)
    row_key: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict | None] = mapped_column(JSON)
    raw: Mapped[dict | None] = mapped_column(JSON)
    diff: Mapped[dict | None] = mapped_column(JSON)  # field -> [before, after]
    issues: Mapped[list | None] = mapped_column(JSON)  # [{"field", "message", "level"}]


class LedgerRowKey(CopiedUnitOwned, db.Model):
    """The stable file-row key a debt was imported under (core's Debt model is not a plugin's to change)."""

    __tablename__ = "ledger_row_keys"
    # One key per debt; the jurisdiction trails (ids are global, so the meaning is unchanged) and makes
    # this the unique key a shard can check, in place of a (jurisdiction_id, id) index every imported row
    # would pay for: nothing refers to a row key.
    __tenant_key__ = None
    __table_args__ = (
        UniqueConstraint("debt_id", "jurisdiction_id", name="uq_ledger_row_keys_debt_id_jurisdiction_id"),
        Index("ix_ledger_row_keys_jurisdiction_key", "jurisdiction_id", "row_key"),
        colocated_fk("debt_id", "debts"),
        colocated_fk("import_id", "ledger_imports"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(Integer)
    row_key: Mapped[str] = mapped_column(String(500))
    import_id: Mapped[int | None] = mapped_column(Integer)


class LedgerColumnMapping(JurisdictionOwned, Timestamps, db.Model):
    """A column header a user mapped to a field (or told to ignore) from a preview; the jurisdiction's
    later uploads read that header the same way. ``header_key`` is the header in matching form."""

    __tablename__ = "ledger_column_mappings"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "header_key", name="uq_ledger_column_mappings_header"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    header: Mapped[str] = mapped_column(String(200))
    header_key: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(40))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
