"""The demo hook exercises every part: pending, confirmed (debt, consent, factoring, flagged e-voucher),
disputed, overdue and escalated; idempotent."""

from __future__ import annotations

from decimal import Decimal

from core import uploads
from core.extensions import db
from core.models.debt import Debt
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from plugins.finance.confirmations import attachments, service
from plugins.finance.confirmations.demo import demo_data
from plugins.finance.confirmations.models import Confirmation, ConfirmationStep, Referral
from tests.finance.conftest import nid


def test_demo_shows_a_pending_and_a_confirmed_receivable(app, world, on_day):
    on_day("2026-12-04")
    with system_scope():
        a = db.session.get(TenantNode, nid(world, "a"))
        users = {"office_admin": world.users["office_a"], "unit_clerk": world.users["clerk_a1"]}
        line = demo_data(a, users)
        db.session.commit()
        assert line and "/public/a/finance/confirm" in line
        assert demo_data(a, users) is None
        rows = list(db.session.scalars(db.select(Confirmation).order_by(Confirmation.id)))
        assert [r.status for r in rows] == ["pending", "confirmed", "disputed", "pending"]
        assert rows[1].confirmed_amount == rows[1].amount and rows[1].confirmation_no
        assert rows[0].due_on.isoformat() == "2027-01-04"
        [scan] = attachments.of(rows[0])
        assert scan.filename.endswith(".pdf") and uploads.sniff(scan.data)[0] == "application/pdf"
        assert scan.data.rstrip().endswith(b"%%EOF")
        confirmed = rows[1]
        assert confirmed.consent == "given" and confirmed.assignee_name and confirmed.debt_id
        [referral] = db.session.scalars(db.select(Referral)).all()
        assert (referral.status, referral.product) == ("financed", "factoring")
        debt = db.session.get(Debt, confirmed.debt_id)
        assert debt.paid_amount == Decimal("20000.00") and debt.outstanding > 0
        steps = db.session.scalars(
            db.select(ConfirmationStep.action).where(ConfirmationStep.confirmation_id == confirmed.id)
        ).all()
        assert "payment_flagged" in steps and "assigned" in steps
        late = rows[3]
        assert service.is_overdue(late)
        escalated = db.session.scalars(
            db.select(ConfirmationStep.action).where(ConfirmationStep.confirmation_id == late.id)
        ).all()
        assert escalated == ["requested", "escalated"]
