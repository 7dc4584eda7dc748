"""Whether a debt's contract was reviewed before signing: the signed review of the same unit and contract
number. Debts show it in their history (when created) and in the ledger export; 新增拖欠 lists it."""

from __future__ import annotations

from collections.abc import Sequence

from core.extensions import db
from core.models.debt import Debt
from core.rules.columns import ExportColumn
from core.services import history
from core.web.templating import cn_date
from plugins.prevention.reviews.models import ContractReview


def reviews_for(debts: Sequence[Debt]) -> dict[int, ContractReview]:
    """The signed review of each debt's contract, by debt id (debts without one are left out)."""
    numbers = {d.contract_no for d in debts if d.contract_no}
    if not numbers:
        return {}
    found: dict[tuple[int, str], ContractReview] = {}
    for review in db.session.scalars(
        db.select(ContractReview)
        .where(ContractReview.contract_no.in_(numbers), ContractReview.status == "signed")
        .order_by(ContractReview.id)
    ):
        found.setdefault((review.unit_id, review.contract_no), review)
    out = {}
    for debt in debts:
        review = found.get((debt.unit_id, debt.contract_no or ""))
        if review is not None:
            out[debt.id] = review
    return out


def debt_created(debt: Debt, actor) -> None:
    """``qingqian_debt_created``: a debt under a reviewed contract says so in its history."""
    review = reviews_for([debt]).get(debt.id)
    if review is None:
        return
    history.record(
        debt,
        "contract_reviewed",
        after={"review_id": review.id, "contract_no": review.contract_no},
        actor=actor,
        note=f"该合同已于签订前审查（{review.title}，{cn_date(review.signed_on)}签订）",
    )


def _export_values(debts: Sequence[Debt]) -> dict[int, str]:
    reviewed = reviews_for(debts)
    return {
        d.id: (f"已审查（审查第{reviewed[d.id].id}号）" if d.id in reviewed else "未经审查")
        for d in debts
        if d.contract_no
    }


EXPORT_COLUMNS = [ExportColumn("prevention_contract_review", "合同签订前审查", _export_values)]
