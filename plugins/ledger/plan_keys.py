"""The plan keys the ledger plugin reads (declared through ``qingqian_plan_keys``)."""

from __future__ import annotations

from core.tenancy.plan_schema import key

PLAN_KEYS = [
    key("deadlines.ledger_complete", "date", "台账摸排填报完成"),
    key("targets.ledger_reported_ratio", "ratio", "台账上报率目标"),
    key("targets.ledger_reported_by", "date", "台账上报率目标的截止日期"),
    key(
        "column_synonyms",
        "mapping",
        "导入表格的列名同义词（标准字段: [表头, ...]）",
        doc="各单位上报的台账表头不统一，导入时按此映射到标准字段",
    ),  # fmt: skip
    key("rules.wages_first", "bool", "拖欠款项优先用于清偿农民工工资（写入台账模板的填报说明）"),
]
