"""Chinese names for fields and actions, and display of raw values, for detail pages and history."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from core.models.debt import CATEGORY_LABELS, PAYMENT_METHOD_LABELS, SOURCE_LABELS
from core.models.enterprise import SIZE_LABELS
from core.rules.status import STATUS_LABELS
from core.tenancy.models import NODE_KIND_LABELS
from core.web.templating import cn_date, yuan

FIELD_LABELS: dict[str, str] = {
    "id": "编号",
    "unit_id": "债务单位",
    "jurisdiction_id": "辖区",
    "creditor_id": "债权企业",
    "project_name": "项目名称",
    "contract_no": "合同编号",
    "contract_date": "合同签订日期",
    "contract_amount": "合同金额（元）",
    "category": "欠款类别",
    "amount_owed": "欠款金额（元）",
    "undisputed_amount": "无争议金额（元）",
    "disputed_amount": "有争议金额（元）",
    "paid_amount": "已偿还金额（元）",
    "origin_date": "欠款形成日期",
    "clock_start": "付款期限起算",
    "delivery_date": "交付日期",
    "settlement_date": "结算日期",
    "acceptance_date": "验收日期",
    "acceptance_period_days": "验收期限（天）",
    "agreed_term_days": "约定付款期限（天）",
    "agreed_payment_date": "约定付款日期",
    "agreed_daily_rate": "约定逾期日利率",
    "due_date": "应付款日期",
    "overdue_days": "逾期天数",
    "late_interest": "逾期利息（元）",
    "computed_on": "计算基准日",
    "status": "状态",
    "source": "来源",
    "migrant_wages": "涉及农民工工资",
    "migrant_wage_amount": "农民工工资金额（元）",
    "wage_amount_pending": "工资金额待补充",
    "planned_repayment_date": "计划偿还时间",
    "opening": "导入时已偿还",
    "judicial": "已进入司法程序",
    "reason": "欠款原因",
    "remarks": "备注",
    "created_by_id": "登记人",
    "version": "版本",
    "deleted_at": "删除时间",
    "debt_id": "欠款编号",
    "paid_on": "付款日期",
    "amount": "付款金额（元）",
    "method": "付款方式",
    "flagged": "需关注的付款方式",
    "evidence": "付款凭证",
    "wage_amount": "其中农民工工资（元）",
    "reversed_at": "冲正时间",
    "reversal_reason": "冲正原因",
    "name": "名称",
    "code": "编码",
    "kind": "类型",
    "parent_id": "上级单位",
    "path": "树路径",
    "depth": "层级",
    "active": "启用",
    "halted": "停产",
    "plan_name": "方案",
    "sort_order": "排序",
    "credit_code": "统一社会信用代码",
    "size_class": "企业规模",
    "is_private": "民营企业",
    "address": "地址",
}

ACTION_LABELS = {
    "created": "新建",
    "updated": "修改",
    "deleted": "删除",
    "paid": "登记付款",
    "payment_reversed": "付款冲正",
    "reversed": "冲正",
    "renamed": "更名",
    "moved": "调整上级",
    "deactivated": "停用",
    "activated": "启用",
    "status_changed": "状态变更",
    "linked": "关联企业",
    "proposed": "申请修改企业信息",
    "exported": "导出辖区全部数据",
    "plan_updated": "修改工作方案",
}

GENERIC_ACTIONS = {"created", "updated", "deleted"}
ENTITY_LABELS = {"debts": "欠款", "payments": "付款", "tenant": "单位", "enterprises": "企业"}

CLOCK_LABELS = {"delivery": "交付之日", "settlement": "结算之日", "acceptance": "验收合格之日"}

MONEY_FIELDS = {
    "contract_amount",
    "amount_owed",
    "undisputed_amount",
    "disputed_amount",
    "paid_amount",
    "late_interest",
    "migrant_wage_amount",
    "amount",
    "wage_amount",
}
CHOICE_LABELS: dict[str, dict] = {
    "status": STATUS_LABELS,
    "category": CATEGORY_LABELS,
    "source": SOURCE_LABELS,
    "method": PAYMENT_METHOD_LABELS,
    "size_class": SIZE_LABELS,
    "kind": NODE_KIND_LABELS,
    "clock_start": CLOCK_LABELS,
}
# Internal bookkeeping that would only confuse a reader of the timeline.
HIDDEN_HISTORY_FIELDS = {"version", "jurisdiction_id", "id", "computed_on", "created_by_id", "path", "depth"}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def display_value(field: str, value: Any, names: dict[tuple[str, int], str] | None = None) -> str:
    """A raw stored or JSON value as a reader would want it: labels, 元, 是/否, 2023年8月25日."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field in CHOICE_LABELS:
        return str({str(k): v for k, v in CHOICE_LABELS[field].items()}.get(str(value), value))
    if field in MONEY_FIELDS:
        try:
            return yuan(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if names and field in ("unit_id", "parent_id", "creditor_id"):
        kind = "creditor" if field == "creditor_id" else "unit"
        if (kind, value) in names:
            return names[(kind, value)]
    if field.endswith("_date") or field in ("paid_on", "computed_on"):
        return cn_date(value)
    if field.endswith("_at") and isinstance(value, str):
        return cn_date(value[:10])
    return str(value)


def history_rows(events: list, names: dict[tuple[str, int], str] | None = None) -> list[dict]:
    """Events flattened for the timeline: one row per event with its changed fields before → after."""
    rows = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN_HISTORY_FIELDS]
        creating = event.action == "created"
        changes = [
            {
                "field": field_label(k),
                "before": None if creating else display_value(k, before.get(k), names),
                "after": display_value(k, after.get(k), names),
            }
            for k in keys
            if creating and after.get(k) not in (None, "", False, "0.00") or not creating
        ]
        rows.append(
            {
                "at": event.at,
                "who": event.actor_name or (event.actor.label if event.actor else "系统"),
                "action": ACTION_LABELS.get(event.action, event.action)
                # "新建欠款" reads well; "登记付款欠款" does not, so only generic verbs name the entity.
                + (ENTITY_LABELS.get(event.entity_type, "") if event.action in GENERIC_ACTIONS else ""),
                "note": event.note,
                "changes": changes,
            }
        )
    return rows


def _flat_reasons(reasons: Any) -> list[str]:
    """marshmallow nests a list field's reasons by position ({0: [...]}); a reader wants sentences."""
    if isinstance(reasons, dict):
        return [r for value in reasons.values() for r in _flat_reasons(value)]
    if isinstance(reasons, list | tuple):
        return [r for value in reasons for r in _flat_reasons(value)]
    return [str(reasons)]


def filter_error_messages(
    errors: dict[str, Any],
    given: dict[str, list[str]],
    choices: dict[str, dict[str, str]],
    labels: dict[str, str] | None = None,
) -> list[str]:
    """One Chinese sentence per bad filter, naming the field and, for a choice, what may be chosen.

    ``given`` holds the raw values from the query string; ``choices`` maps a field to {value: label}.
    """
    labels = labels or {}
    out = []
    for key, reasons in errors.items():
        name = labels.get(key) or field_label(key)
        if key in choices:
            allowed = choices[key]
            bad = [v for v in given.get(key, []) if v not in allowed]
            shown = "、".join(f"“{v}”" for v in bad) or "所填的值"
            out.append(f"{name}：{shown}不是可选的值，可选：{'、'.join(allowed.values())}")
        else:
            out.append(f"{name}：{'；'.join(dict.fromkeys(_flat_reasons(reasons)))}")
    return out
