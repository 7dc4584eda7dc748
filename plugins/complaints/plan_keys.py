"""The plan keys the complaints plugin reads (declared through ``qingqian_plan_keys``)."""

from __future__ import annotations

from core.tenancy.plan_schema import key

TRANSFER_WORKING_DAYS = 10  # 《保障中小企业款项支付条例》第二十二条: transferred within 10 working days
RESULT_DAYS = 30
MAX_DAYS = 90

PLAN_KEYS = [
    key(
        "rules.complaint_transfer_working_days", "int", "投诉受理后转办期限（工作日）", TRANSFER_WORKING_DAYS
    ),
    key("rules.complaint_result_days", "int", "承办单位办理期限（天）", RESULT_DAYS),
    key("rules.complaint_max_days", "int", "延期后的最长办理期限（天）", MAX_DAYS),
]
