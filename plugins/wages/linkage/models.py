"""Works projects with their dedicated wage account, the 人社 bureau's wage-arrears cases, and the part
of each works payment that went to the wage account (or an advance of wages by the builder)."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk
from core.models.debt import Debt, Payment
from core.tenancy.models import TenantNode


class WageProject(UnitOwned, Versioned, Timestamps, db.Model):
    """A works project (工程建设项目): the builder is ``unit_id`` (the debtor unit), the general contractor
    a creditor enterprise. The dedicated wage account (农民工工资专用账户) is kept masked: the office needs
    to recognise it, not to pay into it."""

    __tablename__ = "wage_projects"
    __url_param__ = "wage_project_id"
    # Rows of another tenant-owned table: the keys carry the jurisdiction (core.tenancy.colocation).
    __table_args__ = (colocated_fk("contractor_id", "enterprises"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    contractor_name: Mapped[str] = mapped_column(String(200))
    contractor_credit_code: Mapped[str | None] = mapped_column(String(18))
    contractor_id: Mapped[int | None] = mapped_column(Integer)
    contract_no: Mapped[str | None] = mapped_column(String(120))
    wage_bank: Mapped[str | None] = mapped_column(String(120))
    wage_account_masked: Mapped[str | None] = mapped_column(String(40))
    # 人工费用: a share of each progress payment (percent) or a fixed amount per payment.
    labour_share_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    labour_share_amount: Mapped[Decimal | None] = mapped_column(Money)
    wage_deposit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    workforce: Mapped[int | None] = mapped_column(Integer)
    remarks: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[TenantNode] = relationship(foreign_keys="WageProject.unit_id", lazy="joined")
    links: Mapped[list[WageProjectDebt]] = relationship(
        back_populates="project",
        foreign_keys="WageProjectDebt.project_id",
        lazy="selectin",
        order_by="WageProjectDebt.id",
    )

    @property
    def debts(self) -> list[Debt]:
        return [link.debt for link in self.links]


class WageProjectDebt(UnitOwned, db.Model):
    """A debt (works payment owed) of the project. A debt belongs to one project at most."""

    __tablename__ = "wage_project_debts"
    __url_param__ = "project_debt_id"
    __table_args__ = (
        # jurisdiction_id last: a shard can only check a key it holds; the debt's id alone is global.
        UniqueConstraint("debt_id", "jurisdiction_id", name="uq_wage_project_debts_debt"),
        colocated_fk("project_id", "wage_projects"),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    debt_id: Mapped[int] = mapped_column(Integer)

    project: Mapped[WageProject] = relationship(back_populates="links", foreign_keys=[project_id])
    debt: Mapped[Debt] = relationship(foreign_keys=[debt_id], lazy="joined")


class CaseStatus(enum.StrEnum):
    UNMATCHED = "unmatched"
    LINKED = "linked"
    CLEARED = "cleared"


CASE_STATUS_LABELS = {
    CaseStatus.UNMATCHED: "待关联",
    CaseStatus.LINKED: "已关联",
    CaseStatus.CLEARED: "已清偿",
}


class WageCase(UnitOwned, Timestamps, db.Model):
    """A wage-arrears case on the 人社 bureau's list. Until it is linked it sits at the jurisdiction (only
    the office sees it); linked, it moves to the unit owing the works payment."""

    __tablename__ = "wage_cases"
    __url_param__ = "case_id"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "case_no", name="uq_wage_cases_case_no"),
        colocated_fk("project_id", "wage_projects"),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(80))
    project_text: Mapped[str] = mapped_column(String(300), default="")
    contractor_name: Mapped[str] = mapped_column(String(200), default="")
    contractor_credit_code: Mapped[str | None] = mapped_column(String(18))
    workers: Mapped[int | None] = mapped_column(Integer)
    amount_owed: Mapped[Decimal] = mapped_column(Money)
    period: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.UNMATCHED)
    match_note: Mapped[str | None] = mapped_column(Text)
    project_id: Mapped[int | None] = mapped_column(Integer)
    debt_id: Mapped[int | None] = mapped_column(Integer)
    cleared_on: Mapped[dt.date | None] = mapped_column(Date)

    project: Mapped[WageProject | None] = relationship(foreign_keys=[project_id], lazy="joined")
    debt: Mapped[Debt | None] = relationship(foreign_keys=[debt_id], lazy="joined")

    @property
    def status_label(self) -> str:
        return CASE_STATUS_LABELS.get(CaseStatus(self.status), self.status)


class WagePaymentKind(enum.StrEnum):
    WORKS = "works"
    ADVANCE = "advance"


WAGE_PAYMENT_KIND_LABELS = {
    WagePaymentKind.WORKS: "工程款支付",
    WagePaymentKind.ADVANCE: "建设单位先行垫付工资",
}


class WageAccountPayment(UnitOwned, Timestamps, db.Model):
    """What a payment on a project's debt put into the dedicated wage account, against the labour-cost
    share it should have put there. An advance (先行垫付) goes wholly to the workers' wages."""

    __tablename__ = "wage_account_payments"
    __url_param__ = "wage_payment_id"
    __table_args__ = (
        # jurisdiction_id last: a shard can only check a key it holds; the payment's id alone is global.
        UniqueConstraint("payment_id", "jurisdiction_id", name="uq_wage_account_payments_payment"),
        colocated_fk("project_id", "wage_projects"),
        colocated_fk("payment_id", "payments"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    payment_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default=WagePaymentKind.WORKS)
    to_wage_account: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    labour_share_due: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    payment: Mapped[Payment] = relationship(foreign_keys=[payment_id], lazy="joined")
    project: Mapped[WageProject] = relationship(foreign_keys=[project_id])

    @property
    def bypassed(self) -> bool:
        """The labour-cost share did not (all) reach the wage account."""
        return self.to_wage_account < self.labour_share_due

    @property
    def kind_label(self) -> str:
        return WAGE_PAYMENT_KIND_LABELS.get(WagePaymentKind(self.kind), self.kind)


MODELS = [WageProject, WageProjectDebt, WageCase, WageAccountPayment]
