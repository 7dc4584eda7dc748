"""A repayment agreement signed without its installments in the budget is flagged at once.

The agreements plugin moves the debt to 协议还款中 through core when the agreement is signed, which fires
``qingqian_debt_status_changed``: prevention answers it (no import of the agreements plugin) by looking at
the installments of that debt falling due this year and, when the debt has no budget arrangement for the
year, recording a history event on the debt and telling the unit, so the arrangement is made before the
first installment is due rather than discovered on the office's list.
"""

from __future__ import annotations

from decimal import Decimal

from core import clock
from core.extensions import db
from core.models.notification import Notification, NotificationLevel
from core.rules.status import DebtStatus
from core.services import history
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.prevention.budget.installments import unbudgeted_installments


def debt_status_changed(debt, old_status, new_status, actor) -> None:
    if new_status != DebtStatus.UNDER_AGREEMENT.value:
        return
    year = clock.today(db.session.get(TenantNode, debt.jurisdiction_id)).year
    due = unbudgeted_installments(year, debt_id=debt.id)
    if not due:
        return
    total = sum((i.outstanding for i in due), Decimal("0.00"))
    first = min(i.due_on for i in due)
    note = (
        f"还款协议{year}年到期{len(due)}期共{total:,.2f}元尚未纳入预算，"
        f"请在{cn_date(first)}首期到期前登记预算安排（还款纳入预算）"
    )
    history.record(
        debt,
        "budget_missing",
        after={
            "year": year,
            "installments": len(due),
            "amount": f"{total:.2f}",
            "first_due": first.isoformat(),
        },
        actor=actor,
        note=note,
    )
    key = f"prevention:budget:agreement:{debt.id}:{year}"
    exists = db.session.scalar(
        db.select(Notification.id).where(Notification.unit_id == debt.unit_id, Notification.key == key)
    )
    if exists is None:
        db.session.add(
            Notification(
                jurisdiction_id=debt.jurisdiction_id,
                unit_id=debt.unit_id,
                key=key,
                title="还款协议分期尚未纳入预算",
                body=note,
                link="/prevention/budget",
                level=NotificationLevel.WARNING,
            )
        )
    db.session.flush()
