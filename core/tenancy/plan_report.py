"""The resolved plan of a jurisdiction, value by value, with where each value comes from.

Shared by ``qingqian plan show``, ``GET /api/v1/plan`` and the office's plan page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.tenancy.plan_schema import SECTIONS, current_schema
from core.tenancy.plans import plan_for, plan_leaves, plan_year, stored_plan

SOURCE_OWN, SOURCE_INHERITED, SOURCE_DEFAULT, SOURCE_YEAR, SOURCE_UNKNOWN = (
    "own",
    "inherited",
    "default",
    "year",
    "unknown",
)


def plan_report(node, on: dt.date | None = None) -> dict[str, Any]:
    """The plan in force on ``on`` (default: the jurisdiction's today) of ``node``'s jurisdiction.

    Each entry: ``key``, ``label`` (declared, else the key), ``plugin`` (who declares it, None if nobody
    installed does), ``value``, ``source`` (own / inherited / default / year / unknown) and
    ``source_label`` in Chinese (本辖区方案 / 继承自 xinzhou / 默认值 / 2024年度方案).
    """
    stored = stored_plan(node)
    in_force = plan_for(node, on)
    lineage = list(stored.get("lineage") or [])
    own = lineage[-1] if lineage else None
    sources = stored.get("sources")
    base = dict(plan_leaves(stored))
    year = plan_year(in_force)
    is_year_plan = in_force is not stored
    keys = current_schema().keys
    entries = []
    for dotted, value in plan_leaves(in_force):
        declared = keys.get(dotted)
        if is_year_plan and base.get(dotted) != value:
            source, label = SOURCE_YEAR, f"{year}年度方案"
        elif sources is None:
            source, label = SOURCE_UNKNOWN, "未记录（方案加载于来源记录之前，重新加载即可）"
        elif sources.get(dotted) is None:
            source, label = SOURCE_DEFAULT, "默认值"
        elif sources[dotted] == own:
            source, label = SOURCE_OWN, "本辖区方案"
        else:
            source, label = SOURCE_INHERITED, f"继承自 {sources[dotted]}"
        entries.append(
            {
                "key": dotted,
                "label": declared.label if declared else dotted,
                "plugin": declared.plugin if declared else None,
                "value": value,
                "source": source,
                "source_label": label,
            }
        )
    order = {name: i for i, name in enumerate(SECTIONS, start=1)}
    entries.sort(key=lambda e: (order.get(e["key"].split(".", 1)[0], 0) if "." in e["key"] else 0, e["key"]))
    return {
        "name": in_force.get("name"),
        "year": year,
        "years": sorted(int(y) for y in (stored.get("years") or {})),
        "lineage": lineage,
        "entries": entries,
    }


def value_text(value: Any) -> str:
    """A value as people read it: 是/否, lists joined with 、, mappings as key: value lines."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_text(v) for v in value) if value else "（空）"
    if isinstance(value, dict):
        return "；".join(f"{k}: {value_text(v)}" for k, v in value.items()) if value else "（空）"
    return str(value)
