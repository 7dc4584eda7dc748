"""The plan's milestones with their state: met (已完成), missed (逾期未完成), or still ahead.

Whether a milestone's work is done is for the plugin that owns the work to say
(``qingqian_milestone_status``); core only knows the dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MilestoneStatus:
    """A plugin's answer for one milestone: is its work done, and a short detail (12/12个单位)."""

    done: bool
    detail: str | None = None


def deadline_labels(plan: dict) -> dict[str, str]:
    """The milestones' names: the labels core and the plugins declare for ``deadlines.*`` (see
    ``qingqian_plan_keys``), then the plan's own ``deadline_labels``."""
    from core.tenancy.plan_schema import current_schema

    return {**current_schema().labels("deadlines"), **(plan.get("deadline_labels") or {})}


def milestone_progress(tenant, plan: dict, today: dt.date) -> list[dict[str, Any]]:
    """Each deadline of ``plan`` with its days left and a state: done, late, past (unknown work) or open."""
    from core.plugins import flatten, get_pm

    labels = deadline_labels(plan)
    caller = get_pm().hook_for(tenant, "qingqian_milestone_status") if tenant is not None else None
    out = []
    for key, value in (plan.get("deadlines") or {}).items():
        try:
            when = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            continue
        answers: list[MilestoneStatus] = []
        if caller is not None:
            answers = [
                a
                for a in flatten(caller(tenant=tenant, key=key, deadline=when, plan=plan))
                if isinstance(a, MilestoneStatus)
            ]
        days = (when - today).days
        done = bool(answers) and all(a.done for a in answers)
        if done:
            state, text = "done", "已完成"
        elif days < 0:
            state, text = ("late", f"逾期未完成（已过 {-days} 天）") if answers else ("past", "已截止")
        elif days == 0:
            state, text = "due", "今天截止"
        else:
            state, text = ("soon" if days <= 7 else "open"), f"剩余 {days} 天"
        out.append(
            {
                "key": key,
                "label": labels.get(key, key),
                "date": when,
                "days": days,
                "state": state,
                "status": text,
                "detail": "；".join(a.detail for a in answers if a.detail) or None,
            }
        )
    return sorted(out, key=lambda d: d["date"])
