"""The agreements plugin's plan milestones: difficult debts under agreement, all cleared."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.models.debt import Debt
from core.rules.status import OPEN_STATUSES
from core.services.milestones import MilestoneStatus
from plugins.agreements.clearance.models import Agreement, AgreementStatus, Classification, DebtClass
from plugins.agreements.clearance.service import CLASSIFIABLE

SIGNED = (AgreementStatus.SIGNED, AgreementStatus.FULFILLED, AgreementStatus.BREACHED)


def milestone_status(tenant, key: str, deadline: dt.date) -> MilestoneStatus | None:
    if key == "agreements_signed":
        return _agreements_signed(tenant)
    if key == "all_cleared":
        return _all_cleared(tenant)
    return None


def _agreements_signed(tenant) -> MilestoneStatus:
    hard = (
        db.select(Debt.id)
        .join(Classification, Classification.debt_id == Debt.id)
        .where(
            Debt.jurisdiction_id == tenant.id,
            Classification.debt_class == DebtClass.DIFFICULTY,
            Debt.status.in_([s.value for s in CLASSIFIABLE]),
        )
    )
    total = db.session.scalar(db.select(db.func.count()).select_from(hard.subquery())) or 0
    signed = (
        db.session.scalar(
            db.select(db.func.count(db.distinct(Agreement.debt_id))).where(
                Agreement.debt_id.in_(hard), Agreement.status.in_([s.value for s in SIGNED])
            )
        )
        or 0
    )
    return MilestoneStatus(signed >= total, f"难点欠款 {signed}/{total} 笔已签协议")


def _all_cleared(tenant) -> MilestoneStatus:
    left = (
        db.session.scalar(
            db.select(db.func.count(Debt.id)).where(
                Debt.jurisdiction_id == tenant.id,
                Debt.status.in_([s.value for s in OPEN_STATUSES]),
                Debt.amount_owed - Debt.paid_amount > 0,
            )
        )
        or 0
    )
    return MilestoneStatus(left == 0, "欠款已全部清偿" if left == 0 else f"尚有 {left} 笔未清偿")
