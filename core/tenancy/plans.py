"""Plan files: a jurisdiction's enabled plugins, deadlines, targets, rule parameters and scope rules.

A plan lives in ``tenants/<name>/plan.yaml`` and may name a parent plan with ``inherits: <name>``; the child
is deep-merged over the parent (mappings merge, lists and scalars replace), and everything over the
national defaults below. The resolved plan is stored on the jurisdiction node when the tenant is loaded.

Plans are yearly. ``plan.yaml`` is the first year's plan (its ``year``, else the year of its earliest
deadline); each later year comes from ``plan-<year>.yaml`` next to it or from a ``years: {<year>: ...}``
mapping inside it. A year's plan inherits the previous year's, with that year's deadlines (and dated
targets) moved forward by the years between them, and overrides what it names (``~`` removes a deadline).
The plan in force on a date is the latest year not after it: ``plan_for(node, on=date)``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from core.tenancy import plan_schema

# The rules of 《保障中小企业款项支付条例》 as defaults (core's declared keys; plugins add theirs through
# ``qingqian_plan_keys``, see ``core.tenancy.plan_schema``). Article numbers follow the 2025 text.
NATIONAL_DEFAULTS: dict[str, Any] = plan_schema.build_schema([], []).defaults()


class PlanError(ValueError):
    def __init__(self, path: Path | str, message: str, findings: list | None = None) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.findings = findings or []


def check_document(
    data: dict,
    path: Path | str,
    schema=None,
    extra_deadlines=(),
    warnings: list | None = None,
    inherited_plugins=(),
) -> None:
    """Refuse one plan document (a file, a year's overlay, an edit) that breaks the declared schema.

    Raises ``PlanError`` listing every error; warnings (a plugin not installed) go to ``warnings``.
    ``inherited_plugins``: the plugin list in force where the document names none.
    """
    schema = schema or plan_schema.current_schema()
    findings = plan_schema.check_plan_data(data, schema, extra_deadlines, inherited_plugins)
    listed = data["plugins"] if isinstance(data.get("plugins"), list) else list(inherited_plugins)
    for year, overlay in (data.get("years") or {}).items() if isinstance(data.get("years"), dict) else ():
        if isinstance(overlay, dict):
            findings += [
                plan_schema.Finding(f"years.{year}.{f.path}", f.message, f.level)
                for f in plan_schema.check_plan_data(overlay, schema, extra_deadlines, listed)
            ]
    errors = [f for f in findings if f.level == "error"]
    if warnings is not None:
        warnings.extend(f"{path}：{f}" for f in findings if f.level != "error")
    if errors:
        raise PlanError(path, "；".join(map(str, errors)), errors)


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


class _PlanLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays text until the schema checks it, so 2024-12-32 is
    refused by key instead of failing inside the YAML parser."""


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_plan_text(text: str) -> Any:
    """A plan document's YAML (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=_PlanLoader)  # noqa: S506 - a SafeLoader subclass


def _read_yaml(path: Path) -> dict:
    try:
        data = parse_plan_text(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PlanError(path, f"YAML 格式错误：{exc}") from exc
    if not isinstance(data, dict):
        raise PlanError(path, "方案文件顶层必须是映射")
    return _jsonable(data)


def read_plan_file(folder: Path) -> dict:
    path = folder / "plan.yaml"
    if not path.exists():
        raise PlanError(path, "找不到方案文件 plan.yaml")
    return _read_yaml(path)


YEAR_FILE = re.compile(r"^plan-(\d{4})\.ya?ml$")


def read_year_overlays(folder: Path, data: dict) -> dict[int, dict]:
    """The later years' plans of ``folder``: ``years:`` in plan.yaml, then plan-<year>.yaml files."""
    overlays: dict[int, dict] = {}
    years = data.pop("years", None) or {}
    if not isinstance(years, dict):
        raise PlanError(folder / "plan.yaml", "years 必须是“年份: 方案”映射")
    for key, value in years.items():
        if not str(key).isdigit() or not isinstance(value, dict):
            raise PlanError(folder / "plan.yaml", f"years.{key} 应为四位年份对应的方案映射")
        overlays[int(key)] = value
    for path in sorted(folder.glob("plan-*.y*ml")):
        match = YEAR_FILE.match(path.name)
        if match:
            year = int(match.group(1))
            overlays[year] = deep_merge(overlays.get(year, {}), _read_yaml(path))
    return overlays


def plan_year(plan: dict) -> int | None:
    """The year a plan is for: its ``year``, else the year of its earliest deadline."""
    if plan.get("year"):
        return int(plan["year"])
    dates = [str(v) for v in (plan.get("deadlines") or {}).values() if v]
    return min(int(d[:4]) for d in dates) if dates else None


def _shift_date(value: Any, years: int) -> Any:
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return value
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28).isoformat()


def carry_forward(previous: dict, year: int) -> dict:
    """``previous`` as the starting point of ``year``'s plan: dates moved forward, document data dropped."""
    out = copy.deepcopy(previous)
    out.pop("years", None)
    before = plan_year(previous)
    gap = year - before if before else 0
    out["deadlines"] = {k: _shift_date(v, gap) for k, v in (out.get("deadlines") or {}).items()}
    out["targets"] = {k: _shift_date(v, gap) for k, v in (out.get("targets") or {}).items()}
    name = str(out.get("name") or "")
    out["name"] = (
        name.replace(str(before), str(year)) if before and str(before) in name else f"{name}（{year}年）"
    )
    for key in ("document_no", "issued_on"):
        out.pop(key, None)
    out["year"] = year
    out["inherited_from"] = before
    return out


def _without_nulls(plan: dict) -> dict:
    for key in ("deadlines", "targets"):
        plan[key] = {k: v for k, v in (plan.get(key) or {}).items() if v is not None}
    return plan


def _resolve(
    folder: Path, seen: tuple[str, ...], schema, warnings: list | None
) -> tuple[dict, dict[int, dict], list[tuple[str, dict]]]:
    """The first year's plan of ``folder`` over its ancestors, the lineage's later-year overlays, and each
    folder's own document (nearest first) for telling where a value came from."""
    if folder.name in seen:
        raise PlanError(folder, "方案继承出现循环：" + " → ".join((*seen, folder.name)))
    data = read_plan_file(folder)
    parent_name = data.get("inherits")
    if parent_name:
        parent, parent_overlays, documents = _resolve(
            folder.parent / str(parent_name), (*seen, folder.name), schema, warnings
        )
    else:
        parent, parent_overlays, documents = schema.defaults(), {}, []
    labels = parent.get("deadline_labels") or {}
    inherited = parent.get("plugins") or []
    check_document(data, folder / "plan.yaml", schema, labels, warnings, inherited)
    listed = data["plugins"] if isinstance(data.get("plugins"), list) else inherited
    overlays = read_year_overlays(folder, data)
    for year, overlay in overlays.items():
        if (folder / f"plan-{year}.yaml").exists():
            check_document(overlay, folder / f"plan-{year}.yaml", schema, labels, warnings, listed)
    data.pop("inherits", None)
    own_only = {k.path for k in schema.keys.values() if not k.inherits}
    plan = deep_merge({k: v for k, v in parent.items() if k not in own_only}, data)
    plan["lineage"] = [*(parent.get("lineage", []) if parent_name else []), folder.name]
    merged = {
        y: deep_merge(parent_overlays.get(y, {}), overlays.get(y, {})) for y in {*parent_overlays, *overlays}
    }
    return plan, merged, [(folder.name, data), *documents]


SYSTEM_KEYS = ("lineage", "sources", "years", "inherited_from")


def plan_leaves(plan: dict) -> list[tuple[str, Any]]:
    """``(dotted key, value)`` for every value of ``plan``: sections are followed one level down, their
    values (lists, mappings) are leaves; the platform's own bookkeeping keys are left out."""
    out = []
    for name, value in plan.items():
        if name in SYSTEM_KEYS:
            continue
        if name in plan_schema.SECTIONS and isinstance(value, dict):
            out += [(f"{name}.{child}", child_value) for child, child_value in value.items()]
        else:
            out.append((name, value))
    return out


def value_sources(plan: dict, documents: list[tuple[str, dict]]) -> dict[str, str | None]:
    """``{dotted key: folder}`` for every value of ``plan``: the nearest document naming it, else None
    (the default)."""
    return {
        dotted: next((folder for folder, doc in documents if _has(doc, tuple(dotted.split(".", 1)))), None)
        for dotted, _ in plan_leaves(plan)
    }


def _has(document: dict, parts: tuple[str, ...]) -> bool:
    here: Any = document
    for part in parts:
        if not isinstance(here, dict) or part not in here:
            return False
        here = here[part]
    return True


def load_plan(
    folder: str | Path,
    _seen: tuple[str, ...] = (),
    extra_years: dict[int, dict] | None = None,
    warnings: list[str] | None = None,
    schema=None,
) -> dict:
    """Resolve the plan in ``folder`` with its ancestors and the defaults, with every later year.

    Every file is checked against the declared schema (``core.tenancy.plan_schema``) first; warnings
    (a plugin this installation lacks) are appended to ``warnings``. ``extra_years`` adds year plans that
    are not in files (the demo writes one for the current year). The result records in ``sources`` which
    folder set each value (missing: a default).
    """
    folder = Path(folder).resolve()
    schema = schema or plan_schema.current_schema()
    plan, overlays, documents = _resolve(folder, _seen, schema, warnings)
    plan["sources"] = {k: v for k, v in value_sources(plan, documents).items() if v is not None}
    for year, overlay in (extra_years or {}).items():
        overlays[int(year)] = deep_merge(overlays.get(int(year), {}), _jsonable(overlay))
    first = plan_year(plan)
    if first is not None:
        plan["year"] = first
    years: dict[str, dict] = {}
    previous = plan
    for year in sorted(overlays):
        overlay = {k: v for k, v in overlays[year].items() if k not in ("inherits", "year")}
        if first is None or year <= first:
            # A year not after the first one amends the first plan itself.
            plan = deep_merge(plan, overlay)
            previous = plan
            continue
        current = _without_nulls(deep_merge(carry_forward(previous, year), overlay))
        validate_plan(current, folder / f"plan-{year}.yaml")
        years[str(year)] = current
        previous = current
    _without_nulls(plan)
    validate_plan(plan, folder / "plan.yaml")
    if years:
        plan["years"] = years
    return plan


def plan_years(plan: dict) -> dict[int, dict]:
    """Every year's plan held in a stored plan, by year (a plan without years is one year, or undated)."""
    out: dict[int, dict] = {}
    first = plan_year(plan)
    out[first if first is not None else 0] = plan
    for key, value in (plan.get("years") or {}).items():
        out[int(key)] = value
    return out


def plan_on(plan: dict, on: dt.date) -> dict:
    """The year's plan in force on ``on``: the latest year not after it (the first year before that)."""
    if not plan.get("years"):
        return plan
    years = plan_years(plan)
    chosen = max((y for y in years if y <= on.year), default=min(years))
    return years[chosen]


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


def plan_for(node, on: dt.date | None = None) -> dict:
    """The plan in force on ``on`` (default: the jurisdiction's today) of the nearest node carrying one."""
    stored = stored_plan(node)
    if not stored.get("years"):
        return stored
    return plan_on(stored, on or _today(stored))


def _today(plan: dict) -> dt.date:
    """Today in the plan's zone (``clock.zone(node)`` asks plan_for for the zone: not usable here)."""
    from core import clock

    return clock.today_in(plan.get("timezone"))


def stored_plan(node) -> dict:
    """The plan, with all its years, of the nearest node at or above ``node`` that carries one."""
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
