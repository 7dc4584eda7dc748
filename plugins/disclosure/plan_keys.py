"""The plan keys the disclosure plugin reads (declared through ``qingqian_plan_keys``)."""

from __future__ import annotations

from core.tenancy.plan_schema import key

PLAN_KEYS = [
    key("deadlines.disclosure", "date", "逾期未支付账款信息公开"),
    key(
        "rules.disclosure_deadline",
        "month_day",
        "年度信息公开截止日（月-日，条例第十八条）",
        "03-31",
        doc="当年方案没有 deadlines.disclosure 时使用",
    ),  # fmt: skip
    key("disclosure.deadline", "month_day", "年度信息公开截止日（同 rules.disclosure_deadline，优先）"),
]
