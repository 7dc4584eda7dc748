"""`qingqian demo` shows every prevention part: an overridden start, a review with findings, deposits due."""

from __future__ import annotations

from core.extensions import db
from core.models.debt import Debt
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from plugins.prevention.budget.installments import unbudgeted_installments
from plugins.prevention.budget.models import BudgetArrangement
from plugins.prevention.deposits.models import Deposit
from plugins.prevention.projects.models import Project
from plugins.prevention.reviews.models import ContractReview
from plugins.prevention.reviews.trace import reviews_for
from tests.conftest import INSTALLED_PLUGINS
from tests.test_cli import pinned, run

__all__ = ["pinned"]


def test_demo_has_a_finding_an_override_and_a_deposit_due(app, pinned):
    out = run(app, "demo", "--debts", "12", "--seed", "3").stdout
    assert "五台山风景名胜区：源头治理：2 个政府投资项目（1 个资金未落实先开工）" in out
    assert "1 笔逾期未退已转为欠款" in out and "1 笔欠款已安排还款预算" in out
    assert "云岭新区：源头治理" not in out  # not enabled in Yunling's plan
    with system_scope():
        projects = db.session.scalars(db.select(Project).order_by(Project.id)).all()
        assert [p.start_violations for p in projects] == [["unfunded"], []]
        reviews = db.session.scalars(db.select(ContractReview).order_by(ContractReview.id)).all()
        assert [r.status for r in reviews] == ["problems", "signed"]
        assert {f["code"] for f in reviews[0].findings} >= {"term_over_cap", "audit_condition"}
        held = {(d.due_back_on - pinned).days: d for d in db.session.scalars(db.select(Deposit))}
        assert held[7].returned_on is None and held[7].debt_id is None and held[-30].returned_on is not None
        converted = held[-12].debt
        assert (converted.category, converted.amount_owed, converted.status) == (
            "deposit",
            11400,
            "confirmed",
        )
        assert reviews[0].documents[0].filename == "环线道路路面工程施工合同.docx"
        under_review = db.session.scalar(
            db.select(Debt).where(Debt.contract_no == "WTS-HT-2026-031", Debt.category == "goods")
        )
        assert under_review is not None and reviews_for([under_review])[under_review.id].id == reviews[1].id
        assert db.session.scalar(db.select(db.func.count(BudgetArrangement.id))) == 1
        if "agreements" in INSTALLED_PLUGINS:
            # The agreements demo's installments fall due this year with no budget: the list shows them.
            due = unbudgeted_installments(pinned.year)
            assert due and all(i.due_on.year == pinned.year for i in due)
        titles = db.session.scalars(
            db.select(Notification.title).where(Notification.key.like("prevention:%"))
        ).all()
        # The agreements demo signs an agreement whose installments are not in the budget: flagged.
        flagged = ["还款协议分期尚未纳入预算"] if "agreements" in INSTALLED_PLUGINS else []
        assert sorted(titles) == sorted(
            [
                "五台山金路建筑工程有限公司的履约保证金还有 7 天到期，请按时退还",
                "忻州安通交通设施有限公司的工程质量保证金已逾期 12 天未退还",
                "忻州安通交通设施有限公司的工程质量保证金逾期未退，已转为拖欠账款",
                *flagged,
            ]
        )
    assert "跳过生成" in run(app, "demo", "--debts", "12", "--seed", "3").stdout
    with system_scope():
        assert db.session.scalar(db.select(db.func.count(Project.id))) == 2
