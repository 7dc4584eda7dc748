"""The prevention figures: reviews and their problems found and fixed, overridden starts, deposits due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt
from core.tenancy.models import TenantNode
from plugins.prevention.budget.installments import unbudgeted_installments
from plugins.prevention.budget.service import unbudgeted_stmt
from plugins.prevention.deposits.models import Deposit
from plugins.prevention.projects.models import Project
from plugins.prevention.reviews.models import ContractReview
from plugins.prevention.watch.service import new_arrears_stmt, traced

DUE_SOON_DAYS = 30


def _under(model, node: TenantNode | None):
    """Rows of units under ``node`` (the reader's scope already applies; None = everything visible)."""
    stmt = db.select(model)
    if node is not None:
        inside = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))
        stmt = stmt.where(model.unit_id.in_(inside))
    return stmt


def metrics(node: TenantNode | None, as_of: dt.date, new_since: dt.date | None = None) -> dict:
    """``new_since``: the baseline of 新增拖欠 (None: not counted)."""
    reviews = list(db.session.scalars(_under(ContractReview, node)))
    projects = list(db.session.scalars(_under(Project, node)))
    deposits = [d for d in db.session.scalars(_under(Deposit, node)) if d.returned_on is None]
    overdue = [d for d in deposits if d.due_back_on < as_of]
    soon = [d for d in deposits if as_of <= d.due_back_on <= as_of + dt.timedelta(days=DUE_SOON_DAYS)]
    started = [p for p in projects if p.actual_start is not None]
    new = []
    if new_since is not None:
        stmt = new_arrears_stmt(new_since, as_of)
        if node is not None:
            inside = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))
            stmt = stmt.where(Debt.unit_id.in_(inside))
        new = traced(list(db.session.scalars(stmt)))
    unbudgeted = unbudgeted_stmt(as_of.year)
    if node is not None:
        inside = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))
        unbudgeted = unbudgeted.where(Debt.unit_id.in_(inside))
    unbudgeted_count = db.session.scalar(db.select(db.func.count()).select_from(unbudgeted.subquery())) or 0
    installments = unbudgeted_installments(as_of.year, node)
    return {
        "as_of": as_of,
        "unbudgeted_debts": unbudgeted_count,
        "unbudgeted_installments": len(installments),
        "unbudgeted_installments_amount": sum((i.outstanding for i in installments), Decimal("0.00")),
        "new_arrears_since": new_since,
        "new_arrears": len(new),
        "new_arrears_amount": sum((x.debt.outstanding for x in new), Decimal("0.00")),
        "new_arrears_unreviewed": sum(1 for x in new if not x.reviewed),
        "reviews": len(reviews),
        "reviews_open": sum(1 for r in reviews if r.status == "problems"),
        "reviews_signed": sum(1 for r in reviews if r.status == "signed"),
        "problems_found": sum(r.problems_found for r in reviews),
        "problems_fixed": sum(r.problems_fixed for r in reviews),
        "projects": len(projects),
        "projects_started": len(started),
        "started_unfunded": sum(1 for p in started if "unfunded" in (p.start_violations or [])),
        "started_unapproved": sum(1 for p in started if "unapproved" in (p.start_violations or [])),
        "deposits_held": len(deposits),
        "deposits_held_amount": sum((d.amount for d in deposits), Decimal("0.00")),
        "deposits_overdue": len(overdue),
        "deposits_overdue_amount": sum((d.amount for d in overdue), Decimal("0.00")),
        "deposits_due_soon": len(soon),
    }
