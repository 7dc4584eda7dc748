"""The plan keys the accountability plugin reads (declared through ``qingqian_plan_keys``)."""

from __future__ import annotations

from core.tenancy.plan_schema import key

PLAN_KEYS = [
    key(
        "accountability",
        "mapping",
        "问责措施（通报、督办、限制措施、考核）",
        doc=(
            "bulletin_prefix（通报文号前缀，默认“清欠办通报”）、issuer（印发单位）、cc（抄送）、"
            "milestones（通报排名用的清偿进度节点）、supervision（督办候选阈值：clearance_gap_points、"
            "ledger_late_days、installment_overdue_days、deadline_days）、measure_types（限制措施类型）、"
            "assessment.indicators（考核指标）"
        ),
    ),
]
