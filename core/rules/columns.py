"""Columns a plugin adds to debt exports, through ``qingqian_export_columns``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from core.models.debt import Debt


@dataclass(frozen=True)
class ExportColumn:
    """One extra column of a debt export (the ledger's whole-ledger workbook, for instance).

    ``values`` gets the debts of one batch (a few thousand, already in the caller's tenant scope) and
    returns their cells by debt id, so a plugin answers a whole batch with one query instead of one per
    debt; a debt it leaves out gets an empty cell. ``kind`` decides the cell's form: ``money`` (yuan,
    shown the way the export shows amounts), ``date``, or ``text``.
    """

    key: str
    header: str
    values: Callable[[Sequence[Debt]], dict[int, Any]]
    kind: Literal["text", "money", "date"] = "text"
