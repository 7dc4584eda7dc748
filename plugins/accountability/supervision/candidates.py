"""Candidates for supervision, proposed from the plan's thresholds (``accountability.supervision``):

- ``clearance_gap_points``: a first-level unit's clearance ratio is below the milestone due by at least
  this many percentage points;
- ``ledger_late_days``: a unit has not submitted its ledger this many days after the round's deadline;
- ``installment_overdue_days``: an installment of a repayment agreement is this many days overdue.

Items already under open supervision (same proposal key) are not proposed again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from plugins.accountability.bulletins import figures
from plugins.accountability.supervision.models import Supervision, SupervisionStatus

DEFAULTS = {
    "clearance_gap_points": 10,
    "ledger_late_days": 5,
    "installment_overdue_days": 15,
    "deadline_days": 15,
}


def thresholds(plan: dict) -> dict:
    given = ((plan or {}).get("accountability") or {}).get("supervision") or {}
    return {key: given.get(key, value) for key, value in DEFAULTS.items()}


def candidates(jurisdiction: TenantNode, today: dt.date) -> list[dict]:
    plan = plan_for(jurisdiction)
    limits = thresholds(plan)
    deadline = today + dt.timedelta(days=int(limits["deadline_days"]))
    out: list[dict] = []
    clearance = figures.clearance(jurisdiction, plan, today)
    gap_limit = Decimal(str(limits["clearance_gap_points"]))
    for row in clearance["rows"]:
        if row["gap"] is not None and Decimal(row["gap"]) <= -gap_limit:
            out.append(
                {
                    "key": f"clearance:{row['unit_id']}",
                    "unit_id": row["unit_id"],
                    "unit_name": row["unit_name"],
                    "subject_kind": "unit",
                    "subject_id": None,
                    "subject_label": f"{row['unit_name']}清偿进度",
                    "reason": f"清偿率{Decimal(row['ratio']) * 100:.2f}%，低于进度目标"
                    f"{Decimal(row['target']) * 100:.2f}%达{-Decimal(row['gap']):.2f}个百分点"
                    f"（方案阈值{gap_limit}个百分点）",
                    "required_actions": "制定清偿计划，加快支付进度，按期报告进展",
                    "deadline": deadline,
                }
            )
    reporting = figures.reporting(jurisdiction, today)
    for row in (reporting or {}).get("rows", []):
        late = (today - dt.date.fromisoformat(row.get("deadline") or today.isoformat())).days
        if row["state"] == "未报送" and late >= int(limits["ledger_late_days"]):
            out.append(
                {
                    "key": f"reporting:{row['round_id']}:{row['unit_id']}",
                    "unit_id": row["unit_id"],
                    "unit_name": row["unit_name"],
                    "subject_kind": "unit",
                    "subject_id": None,
                    "subject_label": f"{row['unit_name']}台账报送",
                    "reason": f"台账报送截止后{late}天仍未报送（方案阈值{limits['ledger_late_days']}天）",
                    "required_actions": "立即完成台账梳理并报送，由单位主要负责人签认",
                    "deadline": deadline,
                }
            )
    installments = figures.installments(jurisdiction, today)
    for row in (installments or {}).get("rows", []):
        if row["days"] >= int(limits["installment_overdue_days"]):
            out.append(
                {
                    "key": f"installment:{row['installment_id']}",
                    "unit_id": row["unit_id"],
                    "unit_name": row["unit_name"],
                    "subject_kind": "debt",
                    "subject_id": row["debt_id"],
                    "subject_label": f"欠{row['creditor']}款项第{row['seq']}期",
                    "reason": f"还款协议第{row['seq']}期逾期{row['days']}天未付，未付{row['left']}元"
                    f"（方案阈值{limits['installment_overdue_days']}天）",
                    "required_actions": "按协议支付逾期分期款项，上传付款凭证",
                    "deadline": deadline,
                }
            )
    taken = set(
        db.session.scalars(
            db.select(Supervision.proposal_key).where(
                Supervision.status == SupervisionStatus.OPEN, Supervision.proposal_key.is_not(None)
            )
        )
    )
    return [c for c in out if c["key"] not in taken]
