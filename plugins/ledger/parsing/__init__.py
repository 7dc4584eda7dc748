"""The ledger's pure parsing engine: spreadsheets in, accounted-for rows out. No database access.

- ``readers``: .xlsx/.xls/.csv → (sheet, row number, cells), streaming, with file-safety checks (``safety``).
- ``headers``: canonical fields, Chinese labels, synonyms; finds the header row(s) and the unit row.
- ``normalize``: amounts, dates, names, booleans, categories as clerks really write them.
- ``rows``: the row rules and ``parse_file``.
- ``reconcile``: rows read = accepted + warned + rejected + duplicates + skipped, and the money likewise.
- ``template`` / ``rejects``: the jurisdiction's template and the rejected-rows workbook.
"""

from __future__ import annotations

from plugins.ledger.parsing.headers import CANONICAL_FIELDS, DEFAULT_SYNONYMS, FIELD_LABELS, REQUIRED_FIELDS
from plugins.ledger.parsing.readers import estimate_rows, read_table
from plugins.ledger.parsing.reconcile import Reconciliation, reconcile
from plugins.ledger.parsing.rejects import write_rejected
from plugins.ledger.parsing.rows import parse_file, row_key_for
from plugins.ledger.parsing.safety import safe_cell
from plugins.ledger.parsing.template import build_template
from plugins.ledger.parsing.types import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    SKIPPED,
    STATUSES,
    WARNING,
    LedgerFileError,
    ParsedRow,
    ParseResult,
    UnitResolver,
)

__all__ = [
    "ACCEPTED",
    "CANONICAL_FIELDS",
    "DUPLICATE",
    "DEFAULT_SYNONYMS",
    "FIELD_LABELS",
    "REJECTED",
    "REQUIRED_FIELDS",
    "SKIPPED",
    "STATUSES",
    "WARNING",
    "LedgerFileError",
    "ParseResult",
    "ParsedRow",
    "Reconciliation",
    "UnitResolver",
    "build_template",
    "parse_file",
    "estimate_rows",
    "read_table",
    "reconcile",
    "row_key_for",
    "safe_cell",
    "write_rejected",
]
