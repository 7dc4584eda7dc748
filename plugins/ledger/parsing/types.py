"""The parsing engine's data types: what a parsed row and a parsed file look like to the import workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from core.rules.validation import Issue

ACCEPTED = "accepted"
WARNING = "warning"
REJECTED = "rejected"
SKIPPED = "skipped"
# A data row identical to an earlier one (every data cell, or contract number, parties and amounts): not
# imported, counted and summed on its own, and listed in the rejected-rows workbook.
DUPLICATE = "duplicate"
STATUSES = (ACCEPTED, WARNING, REJECTED, DUPLICATE, SKIPPED)


class LedgerFileError(ValueError):
    """The file itself cannot be read: unsupported, corrupt or unsafe. The message is for the user."""


class UnitResolver(Protocol):
    def resolve(self, text: str) -> tuple[int | None, str | None]:
        """Debtor unit text (name or code) -> (unit id, None) or (None, Chinese error message)."""


@dataclass(slots=True)  # 100,000 rows per file: no per-instance __dict__
class ParsedRow:
    row_number: int  # 1-based, as Excel shows it
    sheet: str
    # original header -> original cell text, for the rejected-rows export; empty for accepted rows unless
    # parse_file(keep_raw=True)
    raw: dict[str, str]
    values: dict[str, object]  # canonical field -> normalised value (Decimal yuan, date, str, bool, int)
    issues: list[Issue] = field(default_factory=list)
    status: str = ACCEPTED  # accepted | warning | rejected | duplicate | skipped
    skip_reason: str | None = None
    row_key: str = (
        ""  # debtor + creditor code (or name) + contract no, normalised; matches debts across uploads
    )

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level != "error"]

    def reason_text(self) -> str:
        """All issues (or the skip reason) as one Chinese line, for tables and the rejected-rows export."""
        if self.status == SKIPPED:
            return self.skip_reason or ""
        return "；".join(i.message for i in self.issues)


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    header_row: int = 0  # 1-based; for two-row headers, the last header row
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> source header
    unmapped_headers: list[str] = field(default_factory=list)
    unit_multiplier: Decimal = Decimal(1)  # 10000 when bare figures are 万元
    # where the unit came from: upload (chosen), file (单位：万元 line), header (欠款金额（万元）), plan
    unit_source: str = "plan"
    unit_warnings: list[str] = field(default_factory=list)  # figures that look like the other unit
    reconciliation: dict = field(default_factory=dict)  # see parsing.reconcile
    file_issues: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # informational, Chinese (sheets ignored, …)
    sheet: str = ""
    headers: list[str] = field(default_factory=list)  # source headers in column order (for exports)

    @property
    def counts(self) -> dict[str, int]:
        out = {"read": len(self.rows), ACCEPTED: 0, WARNING: 0, REJECTED: 0, DUPLICATE: 0, SKIPPED: 0}
        for row in self.rows:
            out[row.status] += 1
        return out

    @property
    def ok(self) -> bool:
        return not self.file_issues

    def by_status(self, *statuses: str) -> list[ParsedRow]:
        return [r for r in self.rows if r.status in statuses]
