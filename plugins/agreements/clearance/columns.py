"""What the agreements plugin adds to debt exports: how each debt is being cleared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from core.extensions import db
from core.models.debt import Debt
from core.rules.columns import ExportColumn
from plugins.agreements.clearance.models import (
    AGREEMENT_STATUS_LABELS,
    CLASS_LABELS,
    Agreement,
    AgreementStatus,
    Classification,
    DebtClass,
    Installment,
    InstallmentStatus,
)

OPEN_INSTALMENTS = (InstallmentStatus.PENDING, InstallmentStatus.PARTIAL, InstallmentStatus.MISSED)


def _ids(debts: Sequence[Debt]) -> list[int]:
    return [d.id for d in debts]


def classes(debts: Sequence[Debt]) -> dict[int, str]:
    rows = db.session.execute(
        db.select(Classification.debt_id, Classification.debt_class).where(
            Classification.debt_id.in_(_ids(debts))
        )
    )
    return {debt_id: CLASS_LABELS.get(DebtClass(cls), cls) for debt_id, cls in rows}


def _latest_agreements(debts: Sequence[Debt]) -> dict[int, tuple[int, str]]:
    """Debt id → (agreement id, status) of its newest agreement."""
    rows = db.session.execute(
        db.select(Agreement.debt_id, Agreement.id, Agreement.status)
        .where(Agreement.debt_id.in_(_ids(debts)))
        .order_by(Agreement.debt_id, Agreement.id)
    )
    return {debt_id: (agreement_id, status) for debt_id, agreement_id, status in rows}


def agreement_states(debts: Sequence[Debt]) -> dict[int, str]:
    return {
        debt_id: AGREEMENT_STATUS_LABELS.get(AgreementStatus(status), status)
        for debt_id, (_, status) in _latest_agreements(debts).items()
    }


def next_instalments(debts: Sequence[Debt]) -> dict[int, dt.date]:
    """The earliest instalment not yet paid in full of each debt's newest agreement."""
    latest = {agreement_id: debt_id for debt_id, (agreement_id, _) in _latest_agreements(debts).items()}
    if not latest:
        return {}
    rows = db.session.execute(
        db.select(Installment.agreement_id, db.func.min(Installment.due_on))
        .where(Installment.agreement_id.in_(latest), Installment.status.in_(OPEN_INSTALMENTS))
        .group_by(Installment.agreement_id)
    )
    return {latest[agreement_id]: due_on for agreement_id, due_on in rows}


def export_columns() -> list[ExportColumn]:
    return [
        ExportColumn("agreements_class", "化解分类", classes),
        ExportColumn("agreements_agreement", "还款协议", agreement_states),
        ExportColumn("agreements_next_due", "下期应还日期", next_instalments, kind="date"),
    ]
