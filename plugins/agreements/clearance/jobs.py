"""The nightly lateness job: recompute interest, mark missed installments, alert unit and office."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.extensions import db
from core.jobs import labelled
from core.jobs.schedule import Schedule
from core.models.debt import Debt
from core.models.notification import Notification, NotificationLevel
from core.rules.status import OPEN_STATUSES
from core.services.debts import recompute
from plugins.agreements.clearance import service
from plugins.agreements.clearance.list_export import JOBS as export_jobs
from plugins.agreements.clearance.models import (
    Agreement,
    AgreementStatus,
    Classification,
    InstallmentStatus,
)


def _notify(unit_ids: set[int], jurisdiction_id: int, key: str, title: str, body: str, link: str) -> int:
    """One notification per unit and key: the job may run twice a night and must not repeat itself."""
    existing = set(
        db.session.scalars(
            db.select(Notification.unit_id).where(Notification.key == key, Notification.unit_id.in_(unit_ids))
        )
    )
    created = 0
    for unit_id in sorted(unit_ids - existing):
        db.session.add(
            Notification(
                jurisdiction_id=jurisdiction_id,
                unit_id=unit_id,
                key=key,
                title=title,
                body=body,
                link=link,
                level=NotificationLevel.URGENT,
            )
        )
        created += 1
    return created


@labelled("还款协议履约检查")
def nightly(ctx, as_of: str | None = None) -> dict[str, Any]:
    from core.jobs.builtin import _local_today

    day = dt.date.fromisoformat(as_of) if as_of else _local_today(ctx)
    jid = ctx.tenant.id
    debts = list(
        db.session.scalars(
            db.select(Debt).where(Debt.jurisdiction_id == jid, Debt.status.in_(OPEN_STATUSES))
        ).unique()
    )
    for debt in debts:
        recompute(debt, day)
    db.session.flush()
    alerts = missed = overdue = 0
    agreements = db.session.scalars(
        db.select(Agreement).where(
            Agreement.jurisdiction_id == jid,
            Agreement.status.in_([AgreementStatus.SIGNED, AgreementStatus.BREACHED]),
        )
    ).unique()
    for agreement in agreements:
        for inst in agreement.installments:
            service.refresh_installment(inst, day)
            if inst.status == InstallmentStatus.MISSED:
                missed += 1
                alerts += _notify(
                    {agreement.unit_id, jid},
                    jid,
                    f"agreements:missed:{inst.id}",
                    f"还款协议第{inst.seq}期逾期未付",
                    f"{agreement.debtor_party}与{agreement.creditor_party}的还款协议第{inst.seq}期"
                    f"（应于{inst.due_on:%Y年%-m月%-d日}支付{inst.amount:.2f}元）尚欠{inst.outstanding:.2f}元。",
                    f"/agreements/agreements/{agreement.id}",
                )
        service.refresh_agreement(agreement)
    rows = db.session.execute(
        db.select(Classification, Debt)
        .join(Debt, Debt.id == Classification.debt_id)
        .where(
            Classification.jurisdiction_id == jid,
            Classification.pay_by.is_not(None),
            Classification.pay_by < day,
            Debt.status.in_(OPEN_STATUSES),
            Debt.paid_amount < Debt.undisputed_amount,
        )
    ).unique()
    for row, debt in rows:
        overdue += 1
        left = debt.undisputed_amount - debt.paid_amount
        alerts += _notify(
            {debt.unit_id, jid},
            jid,
            f"agreements:undisputed:{debt.id}:{row.pay_by.isoformat()}",
            "无分歧欠款逾期未清偿",
            f"{debt.unit.name}欠{debt.creditor.display_name}的“{debt.project_name}”无分歧部分尚欠{left:.2f}元，"
            f"应于{row.pay_by:%Y年%-m月%-d日}前清偿，已逾期{(day - row.pay_by).days}天。",
            f"/debts/{debt.id}",
        )
    db.session.commit()
    ctx.message = f"重算{len(debts)}笔欠款；逾期分期{missed}期，逾期无分歧欠款{overdue}笔，新提醒{alerts}条"
    return {
        "as_of": day.isoformat(),
        "recomputed": len(debts),
        "missed": missed,
        "overdue": overdue,
        "alerts": alerts,
    }


JOBS = {"agreements.nightly": nightly, **export_jobs}
SCHEDULES = [
    # After core's nightly recompute (02:00), so the day's figures are settled before alerts go out.
    Schedule(
        name="agreements-nightly",
        job="agreements.nightly",
        at="02:30",
        description="标记逾期分期和逾期无分歧欠款，提醒单位和清欠办，重算逾期利息",
    )
]
