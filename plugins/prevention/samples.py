"""One row of each prevention table in a unit, for the route-enumerating isolation tests.

Objects are only added to the session, linked through relationships, never flushed here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise
from core.rules.credit_code import make
from core.rules.status import DebtStatus
from plugins.prevention.budget.models import BudgetArrangement
from plugins.prevention.deposits.models import Deposit
from plugins.prevention.projects.models import FundingSource, Project
from plugins.prevention.reviews.models import ContractReview, ReviewDecision, ReviewDocument

FINDING = {
    "code": "advance_funding",
    "field": "advance_funding",
    "message": "合同要求乙方垫资施工",
    "article": "《保障中小企业款项支付条例》第八条",
    "suggestion": "删除垫资条款",
}


def sample_objects(unit, user) -> list:
    common = {"jurisdiction_id": unit.jurisdiction_id, "unit_id": unit.id}
    with db.session.no_autoflush:
        project = Project(
            **common,
            name=f"源头示例项目{unit.code}",
            approval_doc=f"源头示例批复{unit.code}",
            approved_on=dt.date(2023, 3, 1),
            budget=Decimal("1000000"),
            start_violations=[],
            funding=[FundingSource(**common, source="本级财政", amount=Decimal("400000"), secured=True)],
        )
        review = ContractReview(
            **common,
            title=f"源头示例合同{unit.code}",
            counterparty=f"源头示例乙方{unit.code}",
            counterparty_size="small",
            category="works",
            contract_amount=Decimal("200000"),
            contract_date=dt.date(2023, 4, 1),
            terms={"payment_term_days": 30, "advance_funding": True, "deposits": []},
            findings=[FINDING],
            answers={},
            status="problems",
            problems_found=1,
            problems_fixed=0,
        )
        decision = ReviewDecision(
            **common, review=review, action="checked", status="problems", findings=[FINDING], fixed=[]
        )
        deposit = Deposit(
            **common,
            enterprise_name=f"源头示例保证金企业{unit.code}",
            kind="performance",
            form="cash",
            amount=Decimal("20000"),
            received_on=dt.date(2023, 4, 1),
            due_back_on=dt.date(2024, 4, 1),
        )
        document = ReviewDocument(
            **common,
            review=review,
            filename=f"源头示例合同{unit.code}.pdf",
            content_type="application/pdf",
            size=9,
            data=b"%PDF-1.4\n",
        )
        creditor = Enterprise(
            jurisdiction_id=unit.jurisdiction_id,
            name=f"源头示例供应商{unit.code}",
            credit_code=make("91140922MA0K8H3Y4"),
            size_class="small",
            is_private=True,
            contacts=[],
            registered_by_unit_id=unit.id,
        )
        debt = Debt(
            **common,
            creditor=creditor,
            project_name=f"源头示例欠款项目{unit.code}",
            category="works",
            amount_owed=Decimal("30000"),
            undisputed_amount=Decimal("30000"),
            disputed_amount=Decimal("0"),
            paid_amount=Decimal("0"),
            delivery_date=dt.date(2023, 1, 1),
            due_date=dt.date(2023, 1, 31),
            status=DebtStatus.CONFIRMED,
        )
        converted = Deposit(
            **common,
            enterprise_name=f"源头示例逾期保证金企业{unit.code}",
            kind="quality",
            form="cash",
            amount=Decimal("9000"),
            received_on=dt.date(2022, 4, 1),
            due_back_on=dt.date(2023, 4, 1),
            debt=debt,
            converted_on=dt.date(2023, 4, 2),
        )
        arrangement = BudgetArrangement(
            **common,
            debt=debt,
            year=2023,
            budget_line=f"源头示例预算科目{unit.code}",
            amount=Decimal("30000"),
        )
        db.session.add_all([creditor, debt])
        objects = [project, review, decision, document, deposit, converted, arrangement]
        db.session.add_all(objects)
    return objects
