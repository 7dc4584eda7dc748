"""One row of each clearance table in a unit, for the isolation tests and demos.

Objects are only added to the session, linked through relationships, never flushed here: the isolation
tests call this in an outsider's scope and expect the refusal at their own flush.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.enterprise import Enterprise
from core.rules.credit_code import make
from core.rules.status import DebtStatus
from plugins.agreements.clearance import scans
from plugins.agreements.clearance.models import (
    Agreement,
    AgreementStatus,
    Classification,
    DebtClass,
    DisputeStep,
    Installment,
    InstallmentPayment,
    StepKind,
)

SAMPLE_PDF = b"%PDF-1.4\n%sample\n%%EOF\n"


def sample_objects(unit, user) -> list:
    common = {"jurisdiction_id": unit.jurisdiction_id, "unit_id": unit.id}
    with db.session.no_autoflush:
        creditor = Enterprise(
            jurisdiction_id=unit.jurisdiction_id,
            name=f"化解示例供应商{unit.code}",
            credit_code=make("91140922MA0K8H2X3"),
            size_class="small",
            is_private=True,
            contacts=[],
            registered_by_unit_id=unit.id,
        )
        debt = Debt(
            **common,
            creditor=creditor,
            project_name=f"化解示例工程{unit.code}",
            category="works",
            amount_owed=Decimal("50000"),
            undisputed_amount=Decimal("40000"),
            disputed_amount=Decimal("10000"),
            paid_amount=Decimal("1000"),
            delivery_date=dt.date(2023, 1, 1),
            due_date=dt.date(2023, 1, 31),
            status=DebtStatus.PARTLY_REPAID,
            created_by_id=getattr(user, "id", None),
        )
        payment = Payment(
            **common, debt=debt, paid_on=dt.date(2023, 9, 1), amount=Decimal("1000"), evidence="化解示例凭证"
        )
        row = Classification(
            **common,
            debt=debt,
            debt_class=DebtClass.DISPUTED,
            confirmed_on=dt.date(2023, 8, 20),
            pay_by=dt.date(2023, 9, 19),
            reason=f"化解示例分类理由{unit.code}",
        )
        step = DisputeStep(
            **common,
            classification=row,
            kind=StepKind.MEDIATION,
            started_on=dt.date(2023, 8, 22),
            outcome=f"化解示例调解结果{unit.code}",
        )
        # A tiny signed scan, so the download route is reachable by the owner too.
        scan_path, scan_mime = scans.store(unit.jurisdiction_id, SAMPLE_PDF, "sample.pdf")
        agreement = Agreement(
            **common,
            debt=debt,
            debtor_party=unit.name,
            creditor_party=f"化解示例协议乙方{unit.code}",
            agreed_amount=Decimal("40000"),
            signed_on=dt.date(2023, 8, 25),
            status=AgreementStatus.SIGNED,
            planned_method="transfer",
            term_extension_flag=False,
            scan_path=scan_path,
            scan_mime=scan_mime,
            scan_name=f"化解示例协议{unit.code}.pdf",
            scan_size=len(SAMPLE_PDF),
        )
        inst = Installment(
            **common,
            agreement=agreement,
            seq=1,
            due_on=dt.date(2023, 9, 30),
            amount=Decimal("40000"),
            paid_amount=Decimal("1000"),
            status="partial",
        )
        link = InstallmentPayment(**common, installment=inst, payment=payment)
        objects = [creditor, debt, payment, row, step, agreement, inst, link]
        db.session.add_all(objects)
    return [row, step, agreement, inst, link]
