"""Debts (one arrears item each) and the payments made against them."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import Money, SoftDelete, Timestamps, UnitOwned, Versioned, colocated_fk
from core.models.enterprise import Enterprise
from core.tenancy.models import TenantNode


class Category(enum.StrEnum):
    GOODS = "goods"
    WORKS = "works"
    SERVICES = "services"
    # A deposit held from an SME and not returned when due (条例第十三条): owed like any other payment.
    DEPOSIT = "deposit"


CATEGORY_LABELS = {
    Category.GOODS: "货物",
    Category.WORKS: "工程",
    Category.SERVICES: "服务",
    Category.DEPOSIT: "保证金",
}


class Source(enum.StrEnum):
    SELF_INSPECTION = "self_inspection"
    AUDIT = "audit"
    INSPECTION = "inspection"
    SUPERVISION = "supervision"
    COMPLAINT = "complaint"
    OTHER = "other"


SOURCE_LABELS = {
    Source.SELF_INSPECTION: "自查",
    Source.AUDIT: "审计",
    Source.INSPECTION: "巡视",
    Source.SUPERVISION: "督导",
    Source.COMPLAINT: "线索",
    Source.OTHER: "其他",
}


class ClockStart(enum.StrEnum):
    """What starts the payment clock (条例 Art. 10)."""

    DELIVERY = "delivery"
    SETTLEMENT = "settlement"
    ACCEPTANCE = "acceptance"


class Debt(UnitOwned, SoftDelete, Versioned, Timestamps, db.Model):
    __tablename__ = "debts"
    __url_param__ = "debt_id"
    __table_args__ = (
        Index("ix_debts_scope_status", "jurisdiction_id", "unit_id", "status"),
        Index("ix_debts_jurisdiction_due", "jurisdiction_id", "due_date"),
        # A unit user's creditors are those of its subtree's debts (Enterprise.__subtree_criteria__): this
        # answers that sub-select from the index alone, jurisdiction included for the RLS check.
        Index("ix_debts_unit_creditor", "unit_id", "creditor_id", postgresql_include=["jurisdiction_id"]),
        colocated_fk("creditor_id", "enterprises"),
        # Kept beside the (jurisdiction_id, id) key: under row-level security PostgreSQL plans a
        # jurisdiction's debt page over this narrow index (hash join to the units) and over the wider key
        # as a nested loop per unit: office page 0.74 s here, 1.0 s without (benchmarks, isolation).
        Index("ix_debts_jurisdiction_id", "jurisdiction_id"),
    )

    # No single-column index on unit, status or due date: the composite indexes above serve them (every
    # query is per jurisdiction) and each extra index slowed bulk writes. The jurisdiction keeps its own
    # (above): without it PostgreSQL gave up the parallel scan of a jurisdiction's debts for a per-unit
    # nested loop (office debt page 0.36 s -> 0.95 s, benchmarks isolation scenario).
    unit_id: Mapped[int] = mapped_column(ForeignKey("tenant_nodes.id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creditor_id: Mapped[int] = mapped_column(Integer, index=True)
    project_name: Mapped[str] = mapped_column(String(300), default="")
    contract_no: Mapped[str | None] = mapped_column(String(120))
    contract_date: Mapped[dt.date | None] = mapped_column(Date)
    contract_amount: Mapped[Decimal | None] = mapped_column(Money)
    category: Mapped[str] = mapped_column(String(20))
    amount_owed: Mapped[Decimal] = mapped_column(Money)
    undisputed_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    disputed_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    origin_date: Mapped[dt.date | None] = mapped_column(Date)
    clock_start: Mapped[str] = mapped_column(String(20), default=ClockStart.DELIVERY)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date)
    settlement_date: Mapped[dt.date | None] = mapped_column(Date)
    acceptance_date: Mapped[dt.date | None] = mapped_column(Date)
    acceptance_period_days: Mapped[int | None] = mapped_column(Integer)
    agreed_term_days: Mapped[int | None] = mapped_column(Integer)
    agreed_payment_date: Mapped[dt.date | None] = mapped_column(Date)
    agreed_daily_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 6))
    planned_repayment_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    overdue_days: Mapped[int] = mapped_column(Integer, default=0)
    late_interest: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    computed_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(30), default=Source.SELF_INSPECTION)
    migrant_wages: Mapped[bool] = mapped_column(Boolean, default=False)
    migrant_wage_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # Migrant wages are involved but their amount is not known yet (工资金额待补充): kept by ``recompute``.
    wage_amount_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    judicial: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    # 欠款单位类型 (agency / institution / large_enterprise) and 是否民营企业 as the ledger declared them
    # for this debt; None: the unit's kind and the creditor's registration apply.
    debtor_type: Mapped[str | None] = mapped_column(String(30))
    is_private: Mapped[bool | None] = mapped_column(Boolean)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    creditor: Mapped[Enterprise] = relationship(
        foreign_keys="Debt.creditor_id", lazy="joined", innerjoin=True
    )
    unit: Mapped[TenantNode] = relationship(foreign_keys="Debt.unit_id", lazy="joined", innerjoin=True)
    payments: Mapped[list[Payment]] = relationship(
        back_populates="debt",
        foreign_keys="Payment.debt_id",
        order_by="Payment.paid_on",
        lazy="selectin",
        viewonly=True,
    )

    @property
    def outstanding(self) -> Decimal:
        return (self.amount_owed or Decimal("0")) - (self.paid_amount or Decimal("0"))

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(Category(self.category), self.category)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(Source(self.source), self.source)


class PaymentMethod(enum.StrEnum):
    TRANSFER = "transfer"
    CASH = "cash"
    COMMERCIAL_BILL = "commercial_bill"
    E_VOUCHER = "e_voucher"
    OFFSET = "offset"


PAYMENT_METHOD_LABELS = {
    PaymentMethod.TRANSFER: "转账",
    PaymentMethod.CASH: "现金",
    PaymentMethod.COMMERCIAL_BILL: "商业汇票",
    PaymentMethod.E_VOUCHER: "应收账款电子凭证",
    PaymentMethod.OFFSET: "抵账",
}

# Methods the regulation watches (条例 Art. 11): they may be used to stretch the payment term.
FLAGGED_METHODS = {PaymentMethod.COMMERCIAL_BILL, PaymentMethod.E_VOUCHER, PaymentMethod.OFFSET}


OPENING_PAYMENT_LABEL = "导入时已偿还"


class Payment(UnitOwned, Timestamps, db.Model):
    __tablename__ = "payments"
    __url_param__ = "payment_id"
    __table_args__ = (colocated_fk("debt_id", "debts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(Integer, index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[str] = mapped_column(String(30), default=PaymentMethod.TRANSFER)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[str | None] = mapped_column(Text)
    wage_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # Paid before the debt was registered (a ledger's 已偿还金额, "导入时已偿还"): history, not a new payment.
    opening: Mapped[bool] = mapped_column(Boolean, default=False)
    reversed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    debt: Mapped[Debt] = relationship(back_populates="payments", foreign_keys=[debt_id])

    @property
    def method_label(self) -> str:
        label = PAYMENT_METHOD_LABELS.get(PaymentMethod(self.method), self.method)
        return f"{label}（{OPENING_PAYMENT_LABEL}）" if self.opening else label
