"""Registering projects and starting them: no start without approval and secured funds (政府投资条例)."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.services import history
from plugins.prevention.errors import Refused
from plugins.prevention.projects.models import FundingSource, Project

ARTICLE = "《政府投资条例》第二十条、第二十二条"
VIOLATION_LABELS = {"unapproved": "未批先建", "unfunded": "资金未落实先开工"}


class StartRefused(Refused):
    pass


def _funding(project: Project, rows: list[dict]) -> None:
    project.funding = [
        FundingSource(
            jurisdiction_id=project.jurisdiction_id,
            unit_id=project.unit_id,
            source=row["source"],
            amount=row["amount"],
            secured=row["secured"],
        )
        for row in rows
    ]


def create(unit, data: dict, actor) -> Project:
    project = Project(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        name=data["name"],
        approval_doc=data.get("approval_doc"),
        approved_on=data.get("approved_on"),
        budget=data["budget"],
        planned_start=data.get("planned_start"),
        remarks=data.get("remarks"),
        start_violations=[],
        created_by_id=getattr(actor, "id", None),
    )
    _funding(project, data.get("funding") or [])
    db.session.add(project)
    db.session.flush()
    history.record(project, "created", after=snapshot(project), actor=actor)
    return project


def snapshot(project: Project) -> dict:
    return {
        "name": project.name,
        "approval_doc": project.approval_doc,
        "approved_on": project.approved_on.isoformat() if project.approved_on else None,
        "budget": f"{project.budget:.2f}",
        "secured": f"{project.secured_amount:.2f}",
        "funding": [
            {"source": f.source, "amount": f"{f.amount:.2f}", "secured": f.secured} for f in project.funding
        ],
    }


def update(project: Project, data: dict, actor) -> Project:
    before = snapshot(project)
    for key in ("name", "approval_doc", "approved_on", "budget", "planned_start", "remarks"):
        if key in data:
            setattr(project, key, data[key])
    if "funding" in data:
        _funding(project, data["funding"])
    project.version += 1
    db.session.flush()
    old, new = history.diff(before, snapshot(project))
    history.record(project, "updated", before=old, after=new, actor=actor)
    return project


def problems(project: Project, start: dt.date) -> dict[str, str]:
    """What forbids starting on ``start``: no approval (or approved later), funds not fully secured."""
    out: dict[str, str] = {}
    if not project.approval_doc or project.approved_on is None:
        out["unapproved"] = "项目尚未取得审批（核准、备案）文件，不得开工建设（未批先建）"
    elif project.approved_on > start:
        out["unapproved"] = f"开工日期早于批复日期{project.approved_on:%Y年%-m月%-d日}（先开工后立项）"
    if project.secured_amount < project.budget:
        short = project.budget - project.secured_amount
        out["unfunded"] = (
            f"已落实资金 {project.secured_amount:,.2f} 元，低于总投资 {project.budget:,.2f} 元，"
            f"尚有 {short:,.2f} 元未落实，不得开工建设"
        )
    return out


def start(project: Project, on: dt.date, reason: str | None, actor) -> Project:
    """Record the start; refused while something is wrong, unless a reason for overriding is given."""
    if project.started:
        raise StartRefused({"actual_start": [f"项目已于{project.actual_start:%Y年%-m月%-d日}开工"]})
    if on > clock.today(project.unit):
        raise StartRefused({"actual_start": ["开工日期不能晚于今天（尚未开工的请填写计划开工日期）"]})
    found = problems(project, on)
    reason = (reason or "").strip() or None
    if found and not reason:
        raise StartRefused(
            {
                "override_reason": [
                    f"{message}（{ARTICLE}）；确需开工的须填写原因" for message in found.values()
                ]
            }
        )
    project.actual_start = on
    project.start_violations = sorted(found)
    project.override_reason = reason if found else None
    project.version += 1
    db.session.flush()
    history.record(
        project,
        "started_with_override" if found else "started",
        after={"actual_start": on.isoformat(), "violations": sorted(found)},
        actor=actor,
        note=reason if found else None,
    )
    return project


def overrides():
    """Projects started despite a violation, newest first (for the office and accountability)."""
    return (
        db.select(Project)
        .where(Project.override_reason.is_not(None))
        .order_by(Project.actual_start.desc(), Project.id.desc())
    )
