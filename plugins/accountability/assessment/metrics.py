"""The indicators a scorecard can use, each a value between 0 and 1 for one unit at a period end, with
the facts it was computed from (so a score is explained item by item).

A plan's scorecard (``accountability.assessment.indicators``) names a ``metric`` below, a ``label`` and a
``weight`` (points); the unit earns ``weight × value``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from core.extensions import db
from core.models.debt import Debt
from core.plugins import model_of
from core.tenancy.models import TenantNode
from plugins.accountability.bulletins.figures import milestone

ONE, ZERO = Decimal("1"), Decimal("0")
EXCLUDED = ("judicial", "out_of_scope")


def _subtree(unit: TenantNode) -> list[int]:
    return list(db.session.scalars(db.select(TenantNode.id).where(TenantNode.path.startswith(unit.path))))


def _ratio(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else ONE


def clearance_vs_milestone(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    owed, paid = db.session.execute(
        db.select(
            db.func.coalesce(db.func.sum(Debt.amount_owed), 0),
            db.func.coalesce(db.func.sum(Debt.paid_amount), 0),
        ).where(Debt.unit_id.in_(_subtree(unit)), Debt.status.not_in(EXCLUDED))
    ).one()
    owed, paid = Decimal(str(owed)).quantize(Decimal("0.01")), Decimal(str(paid)).quantize(Decimal("0.01"))
    if not owed:
        return ONE, "无欠款"
    ratio = _ratio(paid, owed)
    target = milestone(plan, end)
    if target is None or target == 0:
        return ratio, f"清偿率{ratio * 100:.2f}%（尚无到期进度目标，按清偿率计）"
    value = min(ONE, (ratio / target).quantize(Decimal("0.0001")))
    return value, f"清偿率{ratio * 100:.2f}%，进度目标{target * 100:.2f}%"


def ledger_timeliness(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    rounds, members, submissions = (
        model_of(t) for t in ("ledger_rounds", "ledger_round_units", "ledger_submissions")
    )
    if rounds is None:
        return ONE, "未启用台账报送"
    latest = db.session.scalars(
        db.select(rounds)
        .where(rounds.jurisdiction_id == unit.jurisdiction_id, rounds.deadline < end)
        .order_by(rounds.deadline.desc(), rounds.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return ONE, "无已截止的报送轮次"
    if not db.session.scalar(
        db.select(members.id).where(members.round_id == latest.id, members.unit_id == unit.id)
    ):
        return ONE, f"{latest.name}：不在应报单位之列"
    sub = db.session.scalars(
        db.select(submissions).where(
            submissions.round_id == latest.id,
            submissions.unit_id == unit.id,
            submissions.status != "reopened",
        )
    ).first()
    if sub is None:
        return ZERO, f"{latest.name}：未报送"
    return (Decimal("0.5"), f"{latest.name}：迟报") if sub.late else (ONE, f"{latest.name}：按时报送")


def agreements_on_time(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    installment = model_of("agreements_installments")
    if installment is None:
        return ONE, "未启用还款协议"
    due = db.session.execute(
        db.select(installment.amount, installment.paid_amount).where(
            installment.unit_id.in_(_subtree(unit)), installment.due_on < end
        )
    ).all()
    paid = sum(1 for amount, got in due if (got or ZERO) >= amount)
    return _ratio(paid, len(due)), f"到期分期{len(due)}期，已付清{paid}期"


def complaints_on_time(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    complaint = model_of("complaints")
    if complaint is None:
        return ONE, "未启用线索投诉"
    rows = db.session.scalars(
        db.select(complaint).where(complaint.unit_id.in_(_subtree(unit)), complaint.received_on <= end)
    ).all()
    due = [c for c in rows if (c.result_due or c.transfer_due) and (c.result_due or c.transfer_due) < end]
    late = [
        c
        for c in due
        if c.status != "closed" or (c.closed_on and c.closed_on > (c.result_due or c.transfer_due))
    ]
    return _ratio(len(due) - len(late), len(due)), f"期限已到的投诉{len(due)}件，超期{len(late)}件"


def concealment(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    """Full marks unless concealment was confirmed on the unit's subtree in the assessment year."""
    from plugins.accountability.findings.service import confirmed

    if model_of("ledger_flags") is None:
        return ONE, "未启用台账核查"
    stmt = confirmed(_subtree(unit), since=dt.date(end.year, 1, 1), until=end)
    count = db.session.scalar(db.select(db.func.count()).select_from(stmt.subquery()))
    if not count:
        return ONE, f"{end.year}年无经认定的瞒报漏报"
    return ZERO, f"{end.year}年经认定的瞒报漏报{count}条"


def disclosure_published(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    report = model_of("disclosure_reports")
    if report is None:
        return ONE, "未启用信息公开"
    year = end.year - 1
    if end < dt.date(end.year, 3, 31):
        year -= 1  # this year's disclosure is not yet due
    done = db.session.scalar(
        db.select(report.id).where(report.jurisdiction_id == unit.jurisdiction_id, report.year == year)
    )
    return (ONE, f"{year}年度已公开") if done else (ZERO, f"{year}年度未公开")


def supervision_on_time(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    from plugins.accountability.supervision.models import Supervision

    items = db.session.scalars(
        db.select(Supervision).where(Supervision.unit_id.in_(_subtree(unit)), Supervision.deadline < end)
    ).all()
    on_time = sum(1 for s in items if s.closed_on is not None and s.closed_on <= s.deadline)
    return _ratio(on_time, len(items)), f"到期督办事项{len(items)}项，按期办结{on_time}项"


def confirmations_on_time(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    """Receivable confirmations (finance plugin) whose 30-day deadline has passed: answered by it or not."""
    confirmation = model_of("finance_confirmations")
    if confirmation is None:
        return ONE, "未启用供应链金融推介"
    due = db.session.execute(
        db.select(confirmation.due_on, confirmation.answered_on).where(
            confirmation.unit_id.in_(_subtree(unit)), confirmation.due_on < end
        )
    ).all()
    on_time = sum(1 for deadline, answered in due if answered is not None and answered <= deadline)
    return _ratio(on_time, len(due)), f"答复期限已到的确权申请{len(due)}件，按期答复{on_time}件"


def projects_started_lawfully(unit: TenantNode, plan: dict, end: dt.date) -> tuple[Decimal, str]:
    """Government-investment projects (prevention plugin) started in the year: none without approval or
    with funds not secured (an override lets the start through but still counts against the unit)."""
    project = model_of("prevention_projects")
    if project is None:
        return ONE, "未启用源头治理"
    started = db.session.scalars(
        db.select(project).where(
            project.unit_id.in_(_subtree(unit)),
            project.actual_start.is_not(None),
            project.actual_start >= dt.date(end.year, 1, 1),
            project.actual_start <= end,
        )
    ).all()
    unlawful = [p for p in started if p.start_violations]
    return (
        _ratio(len(started) - len(unlawful), len(started)),
        f"{end.year}年开工项目{len(started)}个，未批先建或资金未落实先开工{len(unlawful)}个",
    )


METRICS: dict[str, tuple[str, Callable[[TenantNode, dict, dt.date], tuple[Decimal, str]]]] = {
    "clearance_vs_milestone": ("清偿进度（对照进度目标）", clearance_vs_milestone),
    "ledger_timeliness": ("台账按时报送", ledger_timeliness),
    "agreements_on_time": ("还款协议按期履行", agreements_on_time),
    "complaints_on_time": ("投诉按期办结", complaints_on_time),
    "concealment": ("无瞒报漏报", concealment),
    "disclosure_published": ("信息按时公开", disclosure_published),
    "supervision_on_time": ("督办事项按期办结", supervision_on_time),
    "confirmations_on_time": ("应收账款确权按期答复", confirmations_on_time),
    "projects_started_lawfully": ("政府投资项目依法开工", projects_started_lawfully),
}

DEFAULT_SCORECARD = [
    {"metric": "clearance_vs_milestone", "weight": 40},
    {"metric": "ledger_timeliness", "weight": 15},
    {"metric": "agreements_on_time", "weight": 15},
    {"metric": "complaints_on_time", "weight": 10},
    {"metric": "concealment", "weight": 10},
    {"metric": "supervision_on_time", "weight": 10},
]
