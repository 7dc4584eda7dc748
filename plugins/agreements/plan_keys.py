"""The plan keys the agreements plugin reads (declared through ``qingqian_plan_keys``)."""

from __future__ import annotations

from core.tenancy.plan_schema import key

PLAN_KEYS = [
    key("deadlines.agreements_signed", "date", "难点欠款签订还款协议、制定还款计划"),
    key("targets.agreement_ratio", "ratio", "难点欠款签订还款协议的比例目标"),
    key("targets.agreement_ratio_by", "date", "还款协议比例目标的截止日期"),
    key("rules.pay_undisputed_on_discovery", "bool", "无分歧欠款发现一起清偿一起"),
]
