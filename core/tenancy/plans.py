"""Plan files: a jurisdiction's enabled plugins, deadlines, targets, rule parameters and scope rules.

A plan lives in ``tenants/<name>/plan.yaml`` and may name a parent plan with ``inherits: <name>``; the child
is deep-merged over the parent (mappings merge, lists and scalars replace), and everything over the
national defaults below. The resolved plan is stored on the jurisdiction node when the tenant is loaded.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

# The rules of 《保障中小企业款项支付条例》 as defaults. Article numbers follow the 2025 text.
NATIONAL_DEFAULTS: dict[str, Any] = {
    "name": "全国默认规则",
    "plugins": [],
    "deadlines": {},
    "targets": {},
    "rules": {
        "payment_term_days": 30,
        "max_agreed_term_days": 60,
        "large_enterprise_term_days": 60,
        "late_interest_daily_rate": "0.0005",
        "credit_code_strict": False,
        "receivable_confirmation_days": 30,
        "disclosure_deadline": "03-31",
        "complaint_transfer_working_days": 10,
        "complaint_result_days": 30,
        "complaint_max_days": 90,
        "rule_sets": [
            {
                "id": "regulation-2020",
                "label": "《保障中小企业款项支付条例》（2020年版）",
                "contracts_before": "2025-06-01",
                "large_enterprise_term_days": None,
                "back_to_back_banned": False,
            },
            {
                "id": "regulation-2025",
                "label": "《保障中小企业款项支付条例》（2025年修订）",
                "contracts_from": "2025-06-01",
                "large_enterprise_term_days": 60,
                "back_to_back_banned": True,
            },
        ],
    },
    "scope": {
        "creditor_sizes": ["medium", "small", "micro"],
        "categories": ["goods", "works", "services"],
        "exclude_judicial": True,
        "exclude_halted": True,
    },
}


class PlanError(ValueError):
    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)


def deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _jsonable(value: Any) -> Any:
    """YAML gives dates as date objects; plans are stored as JSON, so dates become ISO strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value)
    return value


def read_plan_file(folder: Path) -> dict:
    path = folder / "plan.yaml"
    if not path.exists():
        raise PlanError(path, "找不到方案文件 plan.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PlanError(path, f"YAML 格式错误：{exc}") from exc
    if not isinstance(data, dict):
        raise PlanError(path, "方案文件顶层必须是映射")
    return _jsonable(data)


def load_plan(folder: str | Path, _seen: tuple[str, ...] = ()) -> dict:
    """Resolve the plan in ``folder`` with its ancestors and the national defaults."""
    folder = Path(folder).resolve()
    if folder.name in _seen:
        raise PlanError(folder, "方案继承出现循环：" + " → ".join((*_seen, folder.name)))
    data = read_plan_file(folder)
    parent_name = data.pop("inherits", None)
    if parent_name:
        parent = load_plan(folder.parent / parent_name, (*_seen, folder.name))
    else:
        parent = NATIONAL_DEFAULTS
    plan = deep_merge(parent, data)
    plan["lineage"] = [*(parent.get("lineage", []) if parent_name else []), folder.name]
    validate_plan(plan, folder / "plan.yaml")
    return plan


def validate_plan(plan: dict, path: Path | str) -> None:
    if not isinstance(plan.get("plugins"), list) or not all(isinstance(p, str) for p in plan["plugins"]):
        raise PlanError(path, "plugins 必须是插件名称列表")
    for key, value in (plan.get("deadlines") or {}).items():
        try:
            dt.date.fromisoformat(str(value))
        except ValueError as exc:
            raise PlanError(path, f"deadlines.{key} 不是有效日期：{value}") from exc
    rules = plan.get("rules") or {}
    try:
        rate = Decimal(str(rules.get("late_interest_daily_rate")))
    except InvalidOperation as exc:
        raise PlanError(path, "rules.late_interest_daily_rate 必须是数字") from exc
    if not Decimal("0") <= rate < Decimal("0.01"):
        raise PlanError(path, "rules.late_interest_daily_rate 应为日利率，例如 0.0005（万分之五）")
    for key in ("payment_term_days", "max_agreed_term_days"):
        if not isinstance(rules.get(key), int) or rules[key] <= 0:
            raise PlanError(path, f"rules.{key} 必须是正整数")
    if rules["payment_term_days"] > rules["max_agreed_term_days"]:
        raise PlanError(path, "rules.payment_term_days 不能大于 max_agreed_term_days")


def rules_for(plan: dict, contract_date: dt.date | None) -> dict:
    """The rule parameters in force for a contract signed on ``contract_date`` (latest rules if unknown)."""
    rules = dict(plan.get("rules") or NATIONAL_DEFAULTS["rules"])
    chosen = None
    for rule_set in rules.get("rule_sets") or []:
        before = rule_set.get("contracts_before")
        since = rule_set.get("contracts_from")
        if contract_date is None:
            if before is None:
                chosen = rule_set
            continue
        if before and contract_date < dt.date.fromisoformat(before):
            chosen = rule_set
            break
        if since and contract_date >= dt.date.fromisoformat(since):
            chosen = rule_set
    if chosen:
        rules.update({k: v for k, v in chosen.items() if k not in ("contracts_before", "contracts_from")})
        rules["rule_set"] = chosen.get("id")
    return rules


def deadline(plan: dict, key: str) -> dt.date | None:
    value = (plan.get("deadlines") or {}).get(key)
    return dt.date.fromisoformat(value) if value else None


def plan_for(node) -> dict:
    """The plan of the nearest node at or above ``node`` that carries one."""
    from core.extensions import db
    from core.tenancy.isolation import SKIP_FILTER
    from core.tenancy.models import TenantNode

    if node is None:
        return NATIONAL_DEFAULTS
    if node.plan:
        return node.plan
    ids = list(reversed(node.ancestor_ids()))
    if not ids:
        return NATIONAL_DEFAULTS
    # Per request or job: a bulk import asks for the same unit's plan once per row.
    cache = _request_cache()
    if cache is not None and node.path in cache:
        return cache[node.path]
    rows = db.session.execute(
        db.select(TenantNode.id, TenantNode.plan).where(TenantNode.id.in_(ids)),
        execution_options={SKIP_FILTER: True},
    ).all()
    plans = {row.id: row.plan for row in rows}
    found = next((plans[node_id] for node_id in ids if plans.get(node_id)), NATIONAL_DEFAULTS)
    if cache is not None:
        cache[node.path] = found
    return found


def _request_cache() -> dict | None:
    from flask import g, has_app_context

    if not has_app_context():
        return None
    return g.setdefault("qingqian_plan_cache", {})
