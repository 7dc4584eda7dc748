"""What an import found, row by row, and the sum the user sees: rows read = accepted + rejected +
duplicates + skipped, and the money in the file = money accepted + money refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")

OUTCOME_LABELS = {"new": "新增", "rejected": "有错误", "duplicate": "重复", "skipped": "空行"}


@dataclass
class ImportRow:
    row: int
    outcome: str = "new"
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    money: Decimal = ZERO
    note: str | None = None

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)
        self.outcome = "rejected"

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "outcome": self.outcome,
            "outcome_label": OUTCOME_LABELS[self.outcome],
            "values": {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in self.values.items()},
            "errors": self.errors,
            "note": self.note,
        }


@dataclass
class ImportResult:
    money_label: str
    rows: list[ImportRow] = field(default_factory=list)
    committed: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def money(self, *outcomes: str) -> Decimal:
        return sum((r.money for r in self.rows if r.outcome in outcomes), ZERO)

    @property
    def accepted(self) -> list[ImportRow]:
        return [r for r in self.rows if r.outcome == "new"]

    def summary(self) -> dict[str, Any]:
        return {
            "read": len(self.rows),
            "accepted": self.count("new"),
            "rejected": self.count("rejected"),
            "duplicates": self.count("duplicate"),
            "skipped": self.count("skipped"),
            "money_label": self.money_label,
            "money_in_file": f"{self.money('new', 'rejected', 'duplicate'):.2f}",
            "money_accepted": f"{self.money('new'):.2f}",
            "money_refused": f"{self.money('rejected', 'duplicate'):.2f}",
            "committed": self.committed,
        }

    def as_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "rows": [r.as_json() for r in self.rows]}
