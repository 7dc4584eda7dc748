"""The plan keys the finance plugin reads (declared through ``qingqian_plan_keys``).

It also reads core's ``rules.receivable_confirmation_days`` (条例第十六条, 30) and ``reminders.days_before``.
"""

from __future__ import annotations

from core.tenancy.plan_schema import key

PLAN_KEYS = [
    key(
        "finance",
        "mapping",
        "供应链金融推介",
        doc="partners（经企业同意推介融资的合作机构列表：code、name、kind 为 bank 或 platform）",
    ),
]
