"""Government-investment projects with their funding sources (政府投资条例第二十条、第二十二条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.base import Money, Timestamps, UnitOwned, Versioned, colocated_fk
from core.tenancy.models import TenantNode


class Project(UnitOwned, Versioned, Timestamps, db.Model):
    """A project a unit builds with government investment: approval, budget, funds and its start.

    ``start_violations`` keeps what was wrong when the project was started anyway (codes
    ``unapproved`` 未批先建, ``unfunded`` 资金未落实先开工) with the reason given for the override.
    """

    __tablename__ = "prevention_projects"
    __url_param__ = "project_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    approval_doc: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Money)
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    start_violations: Mapped[list] = mapped_column(JSON, default=list)
    override_reason: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[TenantNode] = relationship(foreign_keys="Project.unit_id")

    funding: Mapped[list[FundingSource]] = relationship(
        back_populates="project",
        foreign_keys="FundingSource.project_id",
        cascade="all, delete-orphan",
        order_by="FundingSource.id",
    )

    @property
    def secured_amount(self) -> Decimal:
        return sum((f.amount for f in self.funding if f.secured), Decimal("0.00"))

    @property
    def funding_total(self) -> Decimal:
        return sum((f.amount for f in self.funding), Decimal("0.00"))

    @property
    def started(self) -> bool:
        return self.actual_start is not None


class FundingSource(UnitOwned, db.Model):
    """One source of a project's money (本级财政、专项债、上级补助…) and whether it is secured (落实)."""

    __tablename__ = "prevention_funding_sources"
    __table_args__ = (colocated_fk("project_id", "prevention_projects"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money)
    secured: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship(back_populates="funding", foreign_keys=[project_id])


MODELS = [Project, FundingSource]
