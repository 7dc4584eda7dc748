"""The demo hook exercises every part: projects, a case open (涉薪, advance), one cleared through the wage
account, one waiting for a manual link, a payment that bypassed the account, the bureau's liaison; and it
adds nothing the second time."""

from __future__ import annotations

from core.auth.models import User
from core.extensions import db
from core.models.debt import Debt
from core.tenancy.scope import system_scope
from plugins.wages.linkage import payments
from plugins.wages.linkage.demo import demo_data
from plugins.wages.linkage.models import WageAccountPayment, WageCase, WageProject
from plugins.wages.linkage.priority import clearance_order, unit_debts


def test_demo_exercises_every_part_once(app, ledger):
    with system_scope():
        # The demo pays only debts that can take a payment (checked and in scope).
        for debt in db.session.scalars(db.select(Debt)):
            debt.status = "confirmed"
        a = ledger.node("a")
        users = {"office_admin": ledger.users["office_a"]}
        line = demo_data(a, users)
        db.session.commit()
        assert line and "登记工程项目 3 个" in line and "a_rs" in line, line
        assert demo_data(a, users) is None

        projects = list(db.session.scalars(db.select(WageProject).order_by(WageProject.id)))
        assert len(projects) == 3 and all(p.debts for p in projects)
        cases = {c.case_no: c for c in db.session.scalars(db.select(WageCase))}
        assert {k: c.status for k, c in cases.items()} == {
            "人社欠薪-示例-001": "linked",
            "人社欠薪-示例-002": "unmatched",
            "人社欠薪-示例-003": "cleared",
        }
        rows = list(db.session.scalars(db.select(WageAccountPayment).order_by(WageAccountPayment.id)))
        assert sorted((r.kind, r.bypassed) for r in rows) == [
            ("advance", False),
            ("works", False),
            ("works", True),
        ]
        # The open case's debt is 涉薪 and first in its unit's clearance order; part of it was advanced.
        debt = db.session.get(Debt, cases["人社欠薪-示例-001"].debt_id)
        assert debt.migrant_wages is True
        assert clearance_order(unit_debts(debt.unit_id))[0].debt.id == debt.id
        advance = next(r for r in rows if r.kind == "advance")
        assert advance.payment.amount == advance.payment.wage_amount > 0
        assert payments.advance_of(projects[0]).wage_arrears > 0
        liaison = db.session.scalar(db.select(User).where(User.username == "a_rs"))
        assert [r.role for r in liaison.roles] == ["wage_liaison"]
