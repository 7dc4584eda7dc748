"""Demo content of the agreements plugin: confirmed debts classified, and repayment agreements signed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.extensions import db
from core.models.debt import Debt
from core.rules.status import DebtStatus
from core.tenancy.models import TenantNode
from plugins.agreements.clearance import service
from plugins.agreements.clearance.models import Classification

LATE_REASON = "财政专项资金分批下达，经双方协商一致分期支付"
DIFFICULTY = "镇级财政收入下降，资金暂时不足，已申请上级转移支付"


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    exists = db.session.scalar(
        db.select(Classification.id).where(Classification.jurisdiction_id == jurisdiction.id).limit(1)
    )
    if exists is not None:
        return None
    debts = list(
        db.session.scalars(
            db.select(Debt)
            .where(Debt.jurisdiction_id == jurisdiction.id, Debt.status == DebtStatus.CONFIRMED)
            .order_by(Debt.id)
            .limit(12)
        )
    )
    if not debts:
        return None
    clerk = users.get("unit_clerk") or users.get("office_admin")
    today = clock.today()
    agreed = 0
    difficult = [n for n in range(len(debts)) if n % 3 == 0]
    # The last difficult debt still has no agreement (when there are several), so the plan's agreements
    # milestone shows what an unmet one looks like.
    unsigned = difficult[-1] if len(difficult) > 1 else None
    for n, debt in enumerate(debts):
        if n == unsigned:
            service.classify(
                debt, {"debt_class": "difficulty", "reason": DIFFICULTY, "confirmed_on": today}, actor=clerk
            )
        elif n % 3 == 0:
            service.classify(
                debt, {"debt_class": "difficulty", "reason": DIFFICULTY, "confirmed_on": today}, actor=clerk
            )
            half = (debt.outstanding / 2).quantize(Decimal("0.01"))
            installments = [
                {"due_on": today + dt.timedelta(days=30), "amount": half},
                {"due_on": today + dt.timedelta(days=90), "amount": debt.outstanding - half},
            ]
            data = {
                "agreed_amount": debt.outstanding,
                "signed_on": today,
                "installments": installments,
                "late_reason": LATE_REASON,
            }
            service.create_agreement(debt, data, actor=clerk)
            agreed += 1
        else:
            service.classify(debt, {"debt_class": "undisputed", "confirmed_on": today}, actor=clerk)
    db.session.flush()
    pending = "，1 笔困难欠款尚未签订协议" if unsigned is not None else ""
    undisputed = len(debts) - len(difficult)
    return f"欠款分类 {len(debts)} 笔（无分歧 {undisputed} 笔），签订还款协议 {agreed} 份{pending}"
