"""The plan keys the prevention plugin reads (declared through ``qingqian_plan_keys``)."""

from __future__ import annotations

from core.tenancy.plan_schema import key

PLAN_KEYS = [
    key(
        "prevention",
        "mapping",
        "源头治理（合同审查、保证金、新增拖欠）",
        doc=(
            "deposit_kinds（允许的保证金种类，默认 bid、performance、quality、migrant_wage）、"
            "deposit_caps（各类保证金占合同金额的上限，百分比）、"
            "deposit_reminder_days（退还提醒，默认 30、7、1 天）、"
            "new_arrears_from（新增拖欠的起算日期）"
        ),
    ),
]
