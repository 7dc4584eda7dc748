"""新增拖欠: arrears due after the plan's baseline date, traced to whether their contract was reviewed.

The baseline is the plan key ``prevention.new_arrears_from`` (a date), else the plan's ``ledger_complete``
deadline (when the stock of old arrears was fixed in the ledger), else 1 January of the plan's year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.extensions import db
from core.models.debt import Debt
from core.rules.status import OPEN_STATUSES
from core.tenancy.plans import plan_for
from plugins.prevention.reviews.models import ContractReview
from plugins.prevention.reviews.trace import reviews_for


def baseline(plan: dict, today: dt.date) -> dt.date:
    own = ((plan or {}).get("prevention") or {}).get("new_arrears_from")
    if own:
        return dt.date.fromisoformat(str(own)[:10])
    ledger = ((plan or {}).get("deadlines") or {}).get("ledger_complete")
    if ledger:
        return dt.date.fromisoformat(str(ledger)[:10])
    return dt.date(int((plan or {}).get("year") or today.year), 1, 1)


@dataclass
class NewArrears:
    debt: Debt
    review: ContractReview | None

    @property
    def reviewed(self) -> bool:
        return self.review is not None


def new_arrears_stmt(since: dt.date, today: dt.date):
    return (
        db.select(Debt)
        .where(
            Debt.status.in_([str(s) for s in OPEN_STATUSES]),
            Debt.due_date.is_not(None),
            Debt.due_date >= since,
            Debt.due_date < today,
        )
        .order_by(Debt.due_date.desc(), Debt.id.desc())
    )


def traced(debts: list[Debt]) -> list[NewArrears]:
    """Each debt with the signed review of its contract (same unit, same contract number), if any."""
    reviews = reviews_for(debts)
    return [NewArrears(d, reviews.get(d.id)) for d in debts]


def since_for(jurisdiction, today: dt.date) -> dt.date:
    return baseline(plan_for(jurisdiction, on=today), today)
