"""Contract reviews before signing: the key terms a unit enters, the findings, and the decision log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.extensions import db
from core.models.append_only import AppendOnly
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk
from core.tenancy.models import TenantNode


class ContractReview(UnitOwned, Versioned, Timestamps, db.Model):
    """One contract under review. ``findings`` is the rule engine's latest answer on ``terms``;
    ``answers`` maps a finding code to the unit's explanation for keeping that term.

    ``status``: ``problems`` while findings are unanswered, ``clean`` when none remain (or every one is
    answered), ``signed`` once the unit records the signing (the review is then frozen).
    """

    __tablename__ = "prevention_reviews"
    __url_param__ = "review_id"
    __table_args__ = (colocated_fk("project_id", "prevention_projects"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    counterparty: Mapped[str] = mapped_column(String(200))
    counterparty_size: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    contract_amount: Mapped[Decimal | None] = mapped_column(Money)
    contract_date: Mapped[dt.date | None] = mapped_column(Date)
    terms: Mapped[dict] = mapped_column(JSON, default=dict)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    rule_set: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="problems")
    problems_found: Mapped[int] = mapped_column(Integer, default=0)
    problems_fixed: Mapped[int] = mapped_column(Integer, default=0)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    contract_no: Mapped[str | None] = mapped_column(String(100), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[TenantNode] = relationship(foreign_keys="ContractReview.unit_id")

    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="review",
        foreign_keys="ReviewDecision.review_id",
        order_by="ReviewDecision.id",
        viewonly=True,
    )
    documents: Mapped[list[ReviewDocument]] = relationship(
        back_populates="review",
        foreign_keys="ReviewDocument.review_id",
        order_by="ReviewDocument.id",
        viewonly=True,
    )


class ReviewDecision(UnitOwned, AppendOnly, db.Model):
    """What happened to a review, in order: each check with its findings, each answer, the signing."""

    __tablename__ = "prevention_review_decisions"
    __table_args__ = (colocated_fk("review_id", "prevention_reviews"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    findings: Mapped[list] = mapped_column(JSON, default=list)
    fixed: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    clean: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    review: Mapped[ContractReview] = relationship(back_populates="decisions", foreign_keys=[review_id])


class ReviewDocument(UnitOwned, db.Model):
    """The contract text under review (.docx or .pdf), as uploaded; each new version is kept."""

    __tablename__ = "prevention_review_documents"
    __url_param__ = "review_document_id"
    __table_args__ = (colocated_fk("review_id", "prevention_reviews"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(Integer, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    review: Mapped[ContractReview] = relationship(back_populates="documents", foreign_keys=[review_id])


MODELS = [ContractReview, ReviewDecision, ReviewDocument]
