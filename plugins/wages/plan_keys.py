"""The plan keys the wages plugin reads (declared through ``qingqian_plan_keys``)."""

from __future__ import annotations

from core.tenancy.plan_schema import key

PLAN_KEYS = [
    key(
        "wages",
        "mapping",
        "农民工工资联动",
        doc=(
            "winter_campaign_start（春节前欠薪清零起始日，月-日，默认“11-15”）、"
            "spring_festival（春节日期，YYYY-MM-DD，默认按节假日日历）、"
            "digest_weekday（每周汇总通知的星期，1 为星期一）"
        ),
    ),
]
