"""The reconciliation the clerk sees: every row and every fen of 欠款金额 in the file accounted for.

rows read = accepted + warned + rejected + duplicates + skipped non-data rows (blank, 合计, footer), and
the 欠款金额 of the data rows = accepted (incl. warned) + rejected + duplicate sums. A data row whose
欠款金额 cannot be read is rejected and listed, since it has no figure to add.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from plugins.ledger.parsing.types import ACCEPTED, DUPLICATE, REJECTED, SKIPPED, WARNING

ZERO = Decimal("0.00")
WAN = Decimal(10000)
KINDS = (ACCEPTED, WARNING, REJECTED, DUPLICATE, SKIPPED)
UNREADABLE_LISTED = 50


class Reconciliation:
    """Accumulates (final status, 欠款金额) per row; ``as_dict`` is JSON-ready (amounts as strings)."""

    def __init__(self) -> None:
        self.rows = dict.fromkeys(KINDS, 0)
        self.amounts = dict.fromkeys((ACCEPTED, WARNING, REJECTED, DUPLICATE), ZERO)
        self.read = 0
        self.unreadable: list[int] = []  # data rows without a readable 欠款金额
        self.unreadable_count = 0

    def add(self, status: str, row_number: int, amount: Decimal | None) -> None:
        self.read += 1
        self.rows[status] = self.rows.get(status, 0) + 1
        if status == SKIPPED:
            return
        if amount is None:
            self.unreadable_count += 1
            if len(self.unreadable) < UNREADABLE_LISTED:
                self.unreadable.append(row_number)
            return
        self.amounts[status] += amount if type(amount) is Decimal else Decimal(amount)

    def as_dict(self) -> dict:
        data = sum(self.amounts.values(), ZERO)
        landed = self.amounts[ACCEPTED] + self.amounts[WARNING]
        amounts = {
            "data": data,
            "accepted": landed,
            "accepted_clean": self.amounts[ACCEPTED],
            "warning": self.amounts[WARNING],
            "rejected": self.amounts[REJECTED],
            "duplicate": self.amounts[DUPLICATE],
        }
        rows = {"read": self.read, **self.rows, "data": self.read - self.rows[SKIPPED]}
        return {
            "rows": rows,
            "amounts": {k: f"{v:.2f}" for k, v in amounts.items()},
            "amounts_wan": {k: f"{v / WAN:.6f}" for k, v in amounts.items()},
            "rows_without_amount": self.unreadable_count,
            "rows_without_amount_listed": list(self.unreadable),
        }


def reconcile(rows: Iterable) -> dict:
    """The reconciliation of parsed rows as the parser classified them."""
    out = Reconciliation()
    for row in rows:
        out.add(row.status, row.row_number, (row.values or {}).get("amount_owed"))
    return out.as_dict()


def move_to_rejected(recon: dict, moves: list[tuple[str, Decimal | None]]) -> dict:
    """``recon`` (``as_dict``) after rows previewed as (status, 欠款金额) were refused at commit: their
    rows and money move to rejected, so the reconciliation still adds up to the file's."""
    rows = dict(recon["rows"])
    amounts = {k: Decimal(v) for k, v in recon["amounts"].items()}
    for status, amount in moves:
        rows[status] = rows.get(status, 0) - 1
        rows[REJECTED] = rows.get(REJECTED, 0) + 1
        if amount is None:
            continue
        amounts["accepted"] -= amount
        amounts["accepted_clean" if status == ACCEPTED else "warning"] -= amount
        amounts["rejected"] += amount
    return {
        **recon,
        "rows": rows,
        "amounts": {k: f"{v:.2f}" for k, v in amounts.items()},
        "amounts_wan": {k: f"{v / WAN:.6f}" for k, v in amounts.items()},
    }
