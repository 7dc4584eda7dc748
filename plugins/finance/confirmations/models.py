"""Receivable confirmation requests (确权) and their timeline.

A request's ``unit_id`` is the debtor unit asked to confirm: the unit sees exactly the requests addressed to
its subtree, the office (jurisdiction-wide roles) sees all of them.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.append_only import AppendOnly
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk, utcnow


class Channel(enum.StrEnum):
    PUBLIC = "public"
    OFFICE = "office"


CHANNEL_LABELS = {Channel.PUBLIC: "网上申请", Channel.OFFICE: "清欠办登记"}


class Status(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PARTIAL = "partial"
    DISPUTED = "disputed"


STATUS_LABELS = {
    Status.PENDING: "待欠款单位确认",
    Status.CONFIRMED: "已确认",
    Status.PARTIAL: "部分确认",
    Status.DISPUTED: "有异议，未确认",
}


class Confirmation(UnitOwned, Versioned, Timestamps, db.Model):
    __tablename__ = "finance_confirmations"
    __url_param__ = "confirmation_id"
    # The codes are unique within the jurisdiction, which every lookup by code names (the public status
    # and verification pages are per jurisdiction, the letter prints that page's address): a shard
    # checks them alone (core.tenancy.colocation).
    __table_args__ = (
        UniqueConstraint("tracking_code", "jurisdiction_id"),
        UniqueConstraint("verification_code", "jurisdiction_id"),
        colocated_fk("debt_id", "debts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default=Channel.PUBLIC)
    status: Mapped[str] = mapped_column(String(20), default=Status.PENDING, index=True)
    creditor_name: Mapped[str] = mapped_column(String(200))
    creditor_code: Mapped[str] = mapped_column(String(18))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(30))
    contract_no: Mapped[str] = mapped_column(String(120))
    contract_name: Mapped[str | None] = mapped_column(String(300))
    invoice_numbers: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(Text)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    confirmed_amount: Mapped[Decimal | None] = mapped_column(Money)
    payment_due_date: Mapped[dt.date | None] = mapped_column(Date)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    contract_clause: Mapped[str | None] = mapped_column(String(500))
    confirmation_no: Mapped[str | None] = mapped_column(String(40))
    debtor_code: Mapped[str | None] = mapped_column(String(18))
    # Printed on the confirmation letter; the public verification page answers for it.
    verification_code: Mapped[str | None] = mapped_column(String(20))
    # The SME's consent to be referred for financing: given or revoked, with the day; the steps keep history.
    # The kind of contract as the SME gives it (goods / works / services): a created debt's category.
    category: Mapped[str | None] = mapped_column(String(20))
    # The ledger debt the receivable is: linked when one matches, created once the debtor confirms.
    debt_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Whether the contract provides for payment by commercial bill or receivable e-voucher (条例第十一条).
    bills_agreed: Mapped[bool | None] = mapped_column(Boolean)
    # Sold by factoring: the assignee is the creditor of record from ``assigned_on``.
    assignee_name: Mapped[str | None] = mapped_column(String(200))
    assigned_on: Mapped[dt.date | None] = mapped_column(Date)
    consent: Mapped[str] = mapped_column(String(20), default="none")
    consent_on: Mapped[dt.date | None] = mapped_column(Date)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)


class ConfirmationStep(AppendOnly, UnitOwned, db.Model):
    """What happened to a request, in order: filed, reminded, escalated, answered."""

    __tablename__ = "finance_confirmation_steps"
    __url_param__ = "confirmation_step_id"
    __table_args__ = (colocated_fk("confirmation_id", "finance_confirmations"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    confirmation: Mapped[Confirmation] = relationship(foreign_keys=[confirmation_id])


class ConfirmationAttachment(UnitOwned, db.Model):
    """A file the SME (or the office) sent with the request: contract, invoices, delivery or acceptance notes.

    Kept in the database like a complaint's evidence (a few small files per request); it belongs to the
    debtor unit, as the request does, so the unit's subtree and the office see it and no one else.
    """

    __tablename__ = "finance_confirmation_attachments"
    __url_param__ = "confirmation_attachment_id"
    __table_args__ = (colocated_fk("confirmation_id", "finance_confirmations"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(Integer, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    confirmation: Mapped[Confirmation] = relationship(foreign_keys=[confirmation_id])


class ReferralStatus(enum.StrEnum):
    REFERRED = "referred"
    FINANCED = "financed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


REFERRAL_STATUS_LABELS = {
    ReferralStatus.REFERRED: "已推介，待反馈",
    ReferralStatus.FINANCED: "已融资",
    ReferralStatus.DECLINED: "未获融资",
    ReferralStatus.WITHDRAWN: "企业撤回同意，已撤回",
}
PRODUCTS = {"factoring": "保理", "pledge": "应收账款质押", "scf_bill": "供应链票据"}


class Referral(UnitOwned, Versioned, Timestamps, db.Model):
    """A confirmed receivable referred, with the SME's consent, to a bank or the financing platform.

    ``unit_id`` is the debtor unit's, as on the request; only jurisdiction-wide roles may read referrals.
    """

    __tablename__ = "finance_referrals"
    __url_param__ = "finance_referral_id"
    __table_args__ = (colocated_fk("confirmation_id", "finance_confirmations"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(Integer, index=True)
    partner_code: Mapped[str] = mapped_column(String(60))
    partner_name: Mapped[str] = mapped_column(String(200))
    referred_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.REFERRED)
    product: Mapped[str | None] = mapped_column(String(20))
    financed_amount: Mapped[Decimal | None] = mapped_column(Money)
    annual_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    financed_on: Mapped[dt.date | None] = mapped_column(Date)
    declined_reason: Mapped[str | None] = mapped_column(Text)
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    confirmation: Mapped[Confirmation] = relationship(foreign_keys=[confirmation_id])

    @property
    def status_label(self) -> str:
        return REFERRAL_STATUS_LABELS.get(self.status, self.status)

    @property
    def product_label(self) -> str | None:
        return PRODUCTS.get(self.product or "")


MODELS = [Confirmation, ConfirmationStep, ConfirmationAttachment, Referral]
