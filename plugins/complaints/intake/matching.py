"""A debtor name in comparable form, for spotting repeat complaints against the same body.

Ranking a written name against the jurisdiction's units is core's job (``core.tenancy.names.UnitRanker``),
shared with the ledger import.
"""

from __future__ import annotations

from core.tenancy.names import canonical


def normalize(name: str) -> str:
    return canonical(name)
