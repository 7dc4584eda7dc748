"""Projects, 人社 wage cases, wage-first payments, wage-account payments and advances."""

from __future__ import annotations

# Imported for its listener: instalments of agreements on wage debts are checked when written.
from plugins.wages.linkage import priority as _priority  # noqa: F401
from plugins.wages.linkage.api import blp as _api_blp
from plugins.wages.linkage.jobs import JOBS as _DAILY_JOBS
from plugins.wages.linkage.jobs import SCHEDULES
from plugins.wages.linkage.list_exports import JOBS as _EXPORT_JOBS
from plugins.wages.linkage.metrics import WIDGETS
from plugins.wages.linkage.models import MODELS
from plugins.wages.linkage.views import NAV
from plugins.wages.linkage.views import bp as _ui_bp

__all__ = [
    "API_BLUEPRINTS",
    "JOBS",
    "MODELS",
    "SCHEDULES",
    "NAV",
    "UI_BLUEPRINTS",
    "WIDGETS",
    "sample_objects",
]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]
JOBS = {**_DAILY_JOBS, **_EXPORT_JOBS}


def sample_objects(unit, user) -> list:
    """A project with a debt, a linked case and a wage-account payment in ``unit`` (isolation tests)."""
    import datetime as dt
    from decimal import Decimal

    from core.extensions import db
    from core.models.debt import Debt, Payment
    from plugins.wages.linkage.models import (
        CaseStatus,
        WageAccountPayment,
        WageCase,
        WageProject,
        WageProjectDebt,
    )

    # No flush here (nor autoflush): the isolation tests expect the caller's flush to be refused.
    with db.session.no_autoflush:
        debt = db.session.scalar(db.select(Debt).where(Debt.unit_id == unit.id).order_by(Debt.id))
        payment = (
            db.session.scalar(db.select(Payment).where(Payment.debt_id == debt.id))
            if debt is not None
            else None
        )
    project = WageProject(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        name="隔离示例工资项目",
        contractor_name="隔离示例总包单位",
        wage_account_masked="****0001",
        labour_share_percent=Decimal("20"),
        wage_deposit=Decimal("1000.00"),
    )
    db.session.add(project)
    out: list = [project]
    case = WageCase(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        case_no="隔离示例欠薪案件-0001",
        project_text="隔离示例工资项目",
        contractor_name="隔离示例总包单位",
        amount_owed=Decimal("500.00"),
        received_on=dt.date(2024, 1, 1),
        status=CaseStatus.UNMATCHED,
        project=project,
    )
    db.session.add(case)
    out.append(case)
    if debt is not None:
        link = WageProjectDebt(
            jurisdiction_id=unit.jurisdiction_id, unit_id=unit.id, project=project, debt_id=debt.id
        )
        db.session.add(link)
        out.append(link)
        if payment is not None:
            row = WageAccountPayment(
                jurisdiction_id=unit.jurisdiction_id,
                unit_id=unit.id,
                project=project,
                payment_id=payment.id,
                to_wage_account=Decimal("0"),
                labour_share_due=Decimal("0"),
            )
            db.session.add(row)
            out.append(row)
    return out
