"""The list the office shares with the 人社 bureau: wage-flagged debts (涉薪), with their cases and place
in the clearance order, and the complaints that say wages are involved.

The bureau's liaison (role ``wage_liaison``) holds no core permission: these routes are all it reads, and
what they show of the ledger is only the wage-flagged part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import g

from core.extensions import db
from core.models.debt import Debt, Payment
from core.plugins import model_of
from core.rules.status import DebtStatus
from core.tenancy.models import TenantNode
from plugins.wages.linkage.cases import wages_paid_of
from plugins.wages.linkage.models import WageCase, WageProjectDebt
from plugins.wages.linkage.priority import linked_debt_ids, wages_left

ZERO = Decimal("0.00")


def sees_whole_ledger() -> bool:
    """Whether the caller reads the ledger itself; the liaison sees only what is wage-flagged."""
    principal = getattr(g, "principal", None)
    return principal is not None and principal.can("debt.read")


def visible_debts(debts: list[Debt]) -> list[Debt]:
    return debts if sees_whole_ledger() else [d for d in debts if d.migrant_wages]


@dataclass
class WageDebtRow:
    debt: Debt
    wages_left: Decimal
    case_nos: list[str]
    project_id: int | None
    linked: bool

    def as_json(self) -> dict[str, Any]:
        d = self.debt
        return {
            "id": d.id,
            "unit_id": d.unit_id,
            "unit_name": d.unit.name if d.unit else "",
            "creditor_name": d.creditor.display_name if d.creditor else "",
            "project_name": d.project_name,
            "contract_no": d.contract_no,
            "amount_owed": d.amount_owed,
            "outstanding": d.outstanding,
            "migrant_wage_amount": d.migrant_wage_amount,
            "wages_left": self.wages_left,
            "due_date": d.due_date,
            "planned_repayment_date": d.planned_repayment_date,
            "status": d.status,
            "source": d.source,
            "case_nos": self.case_nos,
            "project_id": self.project_id,
            "linked_case": self.linked,
        }


def flagged_stmt(open_only: bool = False, unit_id: int | None = None):
    stmt = db.select(Debt).where(Debt.migrant_wages.is_(True), Debt.deleted_at.is_(None))
    if unit_id is not None:
        stmt = stmt.where(Debt.unit_id == unit_id)
    if open_only:
        stmt = stmt.where(Debt.status != DebtStatus.CLEARED)
    return stmt.order_by(Debt.unit_id, Debt.id)


def flagged_totals(stmt) -> dict[str, Any]:
    """合计 of a wage-debt list over every row in scope: count, 未付余额, 其中农民工工资 and 尚欠工资 (the
    wage part less the wages paid on it, never below zero), all in SQL so a paged list sums every page."""
    from core.web.views import stmt_totals

    def wages_left_sql(c):
        paid = (
            db.select(db.func.coalesce(db.func.sum(Payment.wage_amount), 0))
            .where(Payment.debt_id == c.id, Payment.reversed_at.is_(None))
            .scalar_subquery()
        )
        left = db.func.coalesce(c.migrant_wage_amount, 0) - paid
        return db.case((left > 0, left), else_=0)

    return stmt_totals(
        stmt,
        "migrant_wage_amount",
        outstanding=lambda c: c.amount_owed - c.paid_amount,
        wages_left=wages_left_sql,
    )


def rows_for(debts: list[Debt]) -> list[WageDebtRow]:
    ids = [d.id for d in debts]
    cases: dict[int, list[str]] = {}
    projects: dict[int, int] = {}
    if ids:
        for case in db.session.scalars(
            db.select(WageCase).where(WageCase.debt_id.in_(ids)).order_by(WageCase.id)
        ):
            cases.setdefault(case.debt_id, []).append(case.case_no)
        for link in db.session.scalars(db.select(WageProjectDebt).where(WageProjectDebt.debt_id.in_(ids))):
            projects[link.debt_id] = link.project_id
    linked = linked_debt_ids()
    paid = wages_paid_of(debts)
    return [
        WageDebtRow(d, wages_left(d, paid[d.id]), cases.get(d.id, []), projects.get(d.id), d.id in linked)
        for d in debts
    ]


# --- Complaints that mention wages --------------------------------------------------------------------


@dataclass
class WageComplaint:
    id: int
    tracking_code: str
    received_on: Any
    unit_id: int
    unit_name: str
    debtor_text: str
    creditor_name: str
    amount: Decimal | None
    migrant_wage_amount: Decimal | None
    status: str
    status_label: str

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def wage_complaints() -> list[WageComplaint]:
    """Complaints whose intake says 涉及农民工工资 (the complaints plugin's field), newest first; none when
    that plugin is not installed. Read by table name: plugins do not import each other."""
    model = model_of("complaints")
    if model is None or not hasattr(model, "migrant_wages"):
        return []
    stmt = (
        db.select(model)
        .where(model.migrant_wages.is_(True))
        .order_by(model.received_on.desc(), model.id.desc())
    )
    found = list(db.session.scalars(stmt))
    names = dict(
        db.session.execute(
            db.select(TenantNode.id, TenantNode.name).where(TenantNode.id.in_({c.unit_id for c in found}))
        ).all()
    )
    out = []
    for c in found:
        out.append(
            WageComplaint(
                id=c.id,
                tracking_code=c.tracking_code,
                received_on=c.received_on,
                unit_id=c.unit_id,
                unit_name=names.get(c.unit_id, ""),
                debtor_text=c.debtor_text,
                creditor_name=c.creditor_name,
                amount=c.amount,
                migrant_wage_amount=c.migrant_wage_amount,
                status=c.status,
                status_label=getattr(c, "status_label", c.status),
            )
        )
    return out
