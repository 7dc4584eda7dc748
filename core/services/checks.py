"""Configuration checks an operator should hear about before a user does: plans and working-day calendars.

``qingqian check`` prints them; the office's dashboard shows the calendar ones as a banner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from core import workdays
from core.tenancy.plans import PlanError, load_plan, plan_years

# How far ahead the office is warned about a year without a holiday calendar (complaint deadlines run
# up to 90 days).
LOOKAHEAD_DAYS = 90


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    message: str


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def plan_deadline_days(plan: dict) -> list[dt.date]:
    out = []
    for year_plan in plan_years(plan).values():
        for value in (year_plan.get("deadlines") or {}).values():
            try:
                out.append(dt.date.fromisoformat(str(value)[:10]))
            except ValueError:
                continue
    return out


def calendar_gaps(plan: dict, today: dt.date) -> list[int]:
    """Years without a holiday calendar among the coming weeks and the deadlines still ahead in ``plan``."""
    years = set(workdays.unknown_years(today, today + dt.timedelta(days=LOOKAHEAD_DAYS)))
    for day in plan_deadline_days(plan):
        if day >= today and not workdays.known_year(day.year):
            years.add(day.year)
    return sorted(years)


def calendar_hint() -> str:
    return (
        f"请在 {workdays.calendar_dir()} 下补充 <年份>.yaml（放假日期和调休上班日期），或升级 holidays 软件包"
    )


def check_tenants(tenants_dir: Path, today: dt.date) -> list[Finding]:
    findings: list[Finding] = [Finding("error", message) for message in workdays.check_files()]
    if any(f.level == "error" for f in findings):
        return findings  # the calendar questions below would only repeat the broken file's error
    folders = (
        sorted(p for p in tenants_dir.iterdir() if (p / "plan.yaml").exists()) if tenants_dir.is_dir() else []
    )
    warned: set[str] = set()
    for folder in folders:
        warnings: list[str] = []
        try:
            plan = load_plan(folder, warnings=warnings)
        except PlanError as exc:
            findings.append(Finding("error", f"{exc.path}：{str(exc).split(': ', 1)[-1]}"))
            continue
        # A parent plan's warnings come again with each plan inheriting it: say each once.
        findings += [Finding("warning", w) for w in warnings if w not in warned]
        warned.update(warnings)
        if not (folder / "org.yaml").exists():
            continue  # a parent plan only (e.g. the city's): checked through the tenants that inherit it
        years = plan_years(plan)
        if today.year not in years:
            older = [y for y in years if y and y < today.year]
            used = f"，目前沿用 {max(older)} 年方案的时间节点" if older else ""
            findings.append(
                Finding(
                    "warning",
                    f"{folder.name}：没有 {today.year} 年工作方案{used}；"
                    f"请新增 {folder / f'plan-{today.year}.yaml'}（可只写与上一年不同的截止日期）",
                )
            )
        ahead = sorted({d for d in plan_deadline_days(plan) if d >= today})
        missing = sorted({d.year for d in ahead if not workdays.known_year(d.year)})
        for year in missing:
            days = [_cn(d) for d in ahead if d.year == year]
            findings.append(
                Finding(
                    "warning",
                    f"{folder.name}：{year} 年没有节假日日历（时间节点 {'、'.join(days)}），"
                    f"该年的工作日按周一至周五计算；{calendar_hint()}",
                )
            )
    ahead = workdays.unknown_years(today, today + dt.timedelta(days=LOOKAHEAD_DAYS))
    for year in ahead:
        findings.append(
            Finding(
                "warning",
                f"未来 {LOOKAHEAD_DAYS} 天涉及的 {year} 年没有节假日日历，"
                "投诉转办等工作日期限将按周一至周五计算；"
                f"{calendar_hint()}",
            )
        )
    return findings
