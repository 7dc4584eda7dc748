"""冬季根治欠薪专项行动: from the campaign's start (15 November unless the plan says otherwise) to the
Spring Festival, a countdown board of wage-flagged arrears by unit with the target 春节前清零.

Plan keys read here (``wages`` section, all optional): ``winter_campaign_start`` ("MM-DD", default
"11-15"), ``spring_festival`` ("YYYY-MM-DD", overrides the calendar's date for its year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import holidays

from core.extensions import db
from core.models.debt import Debt
from core.tenancy.models import TenantNode
from plugins.wages.linkage.cases import wages_paid, wages_paid_of

ZERO = Decimal("0.00")
DEFAULT_START = "11-15"


def wages_plan(plan: dict | None) -> dict:
    return dict((plan or {}).get("wages") or {})


def festival_date(year: int, plan: dict | None = None) -> dt.date:
    """The first day of the Spring Festival (农历正月初一) in ``year``."""
    planned = str(wages_plan(plan).get("spring_festival") or "")
    if planned[:4] == str(year):
        return dt.date.fromisoformat(planned[:10])
    days = holidays.China(years=year, language="en_US")
    return min(day for day, name in days.items() if name.startswith("Chinese New Year (Spring Festival)"))


@dataclass(frozen=True)
class Campaign:
    start: dt.date
    festival: dt.date
    today: dt.date

    @property
    def active(self) -> bool:
        return self.start <= self.today <= self.festival

    @property
    def days_left(self) -> int:
        return (self.festival - self.today).days


def campaign(today: dt.date, plan: dict | None = None) -> Campaign:
    """The campaign running on ``today``, or the next one."""
    festival = festival_date(today.year, plan)
    if today > festival:
        festival = festival_date(today.year + 1, plan)
    raw = str(wages_plan(plan).get("winter_campaign_start") or DEFAULT_START)
    try:
        month, day = int(raw[:2]), int(raw[3:5])
        start = dt.date(festival.year - 1, month, day)
    except ValueError:
        start = dt.date(festival.year - 1, 11, 15)
    return Campaign(start, festival, today)


@dataclass
class UnitRow:
    unit_id: int
    unit_name: str
    debts: int = 0
    wages_left: Decimal = ZERO

    @property
    def cleared(self) -> bool:
        return self.wages_left <= 0


def wages_left(debt: Debt, paid: Decimal | None = None) -> Decimal:
    """Wages still owed on a flagged debt; with the amount pending, all that is owed may be wages.
    ``paid``: the debt's wages paid when the caller has them (``wages_paid_of``)."""
    if (debt.migrant_wage_amount or ZERO) <= 0:
        return max(ZERO, debt.outstanding)
    paid = wages_paid(debt) if paid is None else paid
    return min(max(ZERO, debt.migrant_wage_amount - paid), max(ZERO, debt.outstanding))


def board(root: TenantNode | None = None) -> list[UnitRow]:
    """Units (in the caller's scope, under ``root``) with wage-flagged debts: wages still owed, largest
    first; a unit whose flagged debts are all paid shows as cleared (清零)."""
    stmt = db.select(Debt).where(Debt.migrant_wages.is_(True), Debt.deleted_at.is_(None))
    if root is not None:
        stmt = stmt.where(
            Debt.unit_id.in_(db.select(TenantNode.id).where(TenantNode.path.startswith(root.path)))
        )
    rows: dict[int, UnitRow] = {}
    debts = list(db.session.scalars(stmt))
    paid = wages_paid_of(debts)
    for debt in debts:
        row = rows.setdefault(debt.unit_id, UnitRow(debt.unit_id, debt.unit.name))
        left = wages_left(debt, paid[debt.id])
        if left > 0:
            row.debts += 1
            row.wages_left += left
    return sorted(rows.values(), key=lambda r: (-r.wages_left, r.unit_name))
