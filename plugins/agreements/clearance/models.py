"""Clearance tables: classifications, dispute steps, agreements, installments and their payments."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.append_only import AppendOnly
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk
from core.models.debt import Debt, Payment


class DebtClass(enum.StrEnum):
    UNDISPUTED = "undisputed"
    DIFFICULTY = "difficulty"
    DISPUTED = "disputed"


CLASS_LABELS = {
    DebtClass.UNDISPUTED: "无分歧（立即清偿）",
    DebtClass.DIFFICULTY: "确有支付困难（须签还款协议）",
    DebtClass.DISPUTED: "有分歧（协商、调解或法律途径）",
}


class StepKind(enum.StrEnum):
    NEGOTIATION = "negotiation"
    MEDIATION = "mediation"
    ARBITRATION_LITIGATION = "arbitration_litigation"


STEP_LABELS = {
    StepKind.NEGOTIATION: "协商",
    StepKind.MEDIATION: "调解",
    StepKind.ARBITRATION_LITIGATION: "仲裁或诉讼",
}


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    FULFILLED = "fulfilled"
    BREACHED = "breached"


AGREEMENT_STATUS_LABELS = {
    AgreementStatus.DRAFT: "未签署",
    AgreementStatus.SIGNED: "履行中",
    AgreementStatus.FULFILLED: "已履行完毕",
    AgreementStatus.BREACHED: "已违约",
}


class InstallmentStatus(enum.StrEnum):
    PENDING = "pending"
    PARTIAL = "partial"
    PAID = "paid"
    MISSED = "missed"


INSTALLMENT_STATUS_LABELS = {
    InstallmentStatus.PENDING: "待付",
    InstallmentStatus.PARTIAL: "部分已付",
    InstallmentStatus.PAID: "已付清",
    InstallmentStatus.MISSED: "逾期未付",
}


class Classification(UnitOwned, Versioned, Timestamps, db.Model):
    """How a confirmed debt is to be cleared; one per debt (re-classifying overwrites; history keeps it)."""

    __tablename__ = "agreements_classifications"
    __url_param__ = "classification_id"
    __table_args__ = (
        UniqueConstraint(
            "debt_id", "jurisdiction_id", name="uq_agreements_classifications_debt_id_jurisdiction_id"
        ),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(Integer, index=True)
    debt_class: Mapped[str] = mapped_column(String(20))
    confirmed_on: Mapped[dt.date] = mapped_column(Date)
    # The undisputed part must be paid by this date (Art. 15), whatever the class.
    pay_by: Mapped[dt.date | None] = mapped_column(Date)
    # Payment-difficulty debts need a signed agreement by this date (the plan's agreements_signed).
    agreement_by: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    debt: Mapped[Debt] = relationship(foreign_keys=[debt_id], lazy="joined", innerjoin=True)
    steps: Mapped[list[DisputeStep]] = relationship(
        back_populates="classification",
        foreign_keys="DisputeStep.classification_id",
        order_by="DisputeStep.started_on",
        lazy="selectin",
    )

    @property
    def class_label(self) -> str:
        if self.debt_class is None:
            return "未分类"
        return CLASS_LABELS.get(DebtClass(self.debt_class), self.debt_class)


class DisputeStep(AppendOnly, UnitOwned, Timestamps, db.Model):
    """One step of a disputed debt's track: negotiation, mediation, arbitration or litigation.

    Append-only: a later development is a new step."""

    __tablename__ = "agreements_dispute_steps"
    __url_param__ = "dispute_step_id"
    __table_args__ = (colocated_fk("classification_id", "agreements_classifications"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    classification_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    classification: Mapped[Classification] = relationship(
        back_populates="steps", foreign_keys=[classification_id]
    )

    @property
    def kind_label(self) -> str:
        return STEP_LABELS.get(StepKind(self.kind), self.kind)


class Agreement(UnitOwned, Versioned, Timestamps, db.Model):
    """A repayment agreement between the debtor unit and the creditor, paid in installments."""

    __tablename__ = "agreements_agreements"
    __url_param__ = "agreement_id"
    __table_args__ = (colocated_fk("debt_id", "debts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    debt_id: Mapped[int] = mapped_column(Integer, index=True)
    debtor_party: Mapped[str] = mapped_column(String(200))
    creditor_party: Mapped[str] = mapped_column(String(200))
    agreed_amount: Mapped[Decimal] = mapped_column(Money)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=AgreementStatus.DRAFT)
    planned_method: Mapped[str] = mapped_column(String(30), default="transfer")
    # Art. 11: bills and e-vouchers may be used to stretch the term; the office reviews flagged agreements.
    term_extension_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    late_reason: Mapped[str | None] = mapped_column(Text)
    scan_name: Mapped[str | None] = mapped_column(String(200))
    scan_path: Mapped[str | None] = mapped_column(String(300))
    scan_mime: Mapped[str | None] = mapped_column(String(50))
    scan_size: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    debt: Mapped[Debt] = relationship(foreign_keys=[debt_id], lazy="joined", innerjoin=True)
    installments: Mapped[list[Installment]] = relationship(
        back_populates="agreement",
        foreign_keys="Installment.agreement_id",
        order_by="Installment.seq",
        lazy="selectin",
    )

    @property
    def status_label(self) -> str:
        return AGREEMENT_STATUS_LABELS.get(AgreementStatus(self.status), self.status)

    @property
    def has_scan(self) -> bool:
        return bool(self.scan_path)


class Installment(UnitOwned, Timestamps, db.Model):
    __tablename__ = "agreements_installments"
    __url_param__ = "installment_id"
    __table_args__ = (colocated_fk("agreement_id", "agreements_agreements"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(20), default=InstallmentStatus.PENDING)

    agreement: Mapped[Agreement] = relationship(back_populates="installments", foreign_keys=[agreement_id])

    @property
    def status_label(self) -> str:
        return INSTALLMENT_STATUS_LABELS.get(InstallmentStatus(self.status), self.status)

    @property
    def outstanding(self) -> Decimal:
        return self.amount - (self.paid_amount or Decimal("0"))


class InstallmentPayment(UnitOwned, db.Model):
    """Links a core payment to the installment it pays (core's Payment knows nothing of agreements)."""

    __tablename__ = "agreements_installment_payments"
    __url_param__ = "installment_payment_id"
    __table_args__ = (
        UniqueConstraint(
            "payment_id",
            "jurisdiction_id",
            name="uq_agreements_installment_payments_payment_id_jurisdiction_id",
        ),
        colocated_fk("installment_id", "agreements_installments"),
        colocated_fk("payment_id", "payments"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    installment_id: Mapped[int] = mapped_column(Integer, index=True)
    payment_id: Mapped[int] = mapped_column(Integer, index=True)

    installment: Mapped[Installment] = relationship(foreign_keys=[installment_id])
    payment: Mapped[Payment] = relationship(foreign_keys=[payment_id], lazy="joined", innerjoin=True)


MODELS = [Classification, DisputeStep, Agreement, Installment, InstallmentPayment]
