"""Demo content of the rounds part: the year's round, reported in full before the plan's ledger deadline
and closed, and an open quarterly update that about half the units have reported in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.extensions import db
from core.tenancy.models import TenantNode
from core.tenancy.plans import deadline, plan_for
from plugins.ledger.rounds import service
from plugins.ledger.rounds.models import LedgerRound

ROUND_NAME = "清欠台账季度更新"
FIRST_ROUND_NAME = "清欠台账全面摸排"


def _completed_round(jurisdiction: TenantNode, due: dt.date, office, head) -> LedgerRound:
    """A round due on the plan's ledger deadline that every unit reported in (two days early) and signed."""
    rnd = service.open_round(
        jurisdiction,
        name=f"{due.year}年{FIRST_ROUND_NAME}",
        as_of=due - dt.timedelta(days=15),
        deadline=due,
        actor=office,
    )
    # 10:00 Beijing time two days before the deadline, stored as naive UTC like every timestamp.
    reported_at = dt.datetime.combine(due - dt.timedelta(days=2), dt.time(2, 0))
    for ru in sorted(service.round_units(rnd), key=lambda ru: ru.unit.path):
        sub = service.submit(
            rnd, ru.unit, actor=office, statement="经全面排查，本单位台账真实完整", now=reported_at
        )
        service.signoff(sub, actor=head, comment="已核实")
    service.close_round(rnd, actor=office, note="全部单位已按期报送并签认")
    return rnd


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    exists = db.session.scalar(
        db.select(LedgerRound.id).where(LedgerRound.jurisdiction_id == jurisdiction.id).limit(1)
    )
    if exists is not None:
        return None
    office, head = users.get("office_admin"), users.get("unit_head")
    today = clock.today(jurisdiction)
    done = ""
    due = deadline(plan_for(jurisdiction, on=today), "ledger_complete")
    if due is not None and due < today:
        first = _completed_round(jurisdiction, due, office, head)
        done = f"；“{first.name}”已全部报送并结束"
    rnd = service.open_round(
        jurisdiction,
        name=f"{today.year}年{ROUND_NAME}",
        as_of=today,
        deadline=today + dt.timedelta(days=10),
        actor=office,
    )
    units = sorted(service.round_units(rnd), key=lambda ru: ru.unit.path)
    submitted = []
    for ru in units[::2]:  # every other unit has reported, so the board shows both kinds
        sub = service.submit(rnd, ru.unit, actor=office, statement="经核实，本单位台账真实完整")
        submitted.append(sub)
    for sub in submitted[: len(submitted) // 2]:
        service.signoff(sub, actor=head, comment="已核实")
    db.session.flush()
    signed = len(submitted) // 2
    found = _audit_finding(submitted[0], office, today) if submitted else 0
    flagged = f"；审计发现 1 笔未列入已报送台账的欠款，生成瞒报漏报提示 {found} 条" if found else ""
    return (
        f"开启填报轮次“{rnd.name}”：{len(units)} 个单位中 {len(submitted)} 个已报送，{signed} 个已签认"
        f"{done}{flagged}"
    )


def _audit_finding(sub, office, today: dt.date) -> int:
    """An audit finds a debt the unit's submitted ledger lacked; registered by the office afterwards, it
    raises the round's 瞒报漏报 flag for the office to verify (the 瞒报认定 page has something to decide)."""
    from core.models.debt import Debt, Source
    from core.services.debts import create_debt
    from plugins.ledger.rounds.flags import compute_flags

    # A creditor the jurisdiction's ledger already knows (the unit itself may have no debts yet).
    creditor = db.session.scalars(
        db.select(Debt).where(Debt.jurisdiction_id == sub.jurisdiction_id).order_by(Debt.id).limit(1)
    ).first()
    if creditor is None:
        return 0
    create_debt(
        sub.unit,
        {
            "project_name": "景区停车场扩建工程（审计发现）",
            "contract_no": "SJ-DEMO-001",
            "category": "works",
            "amount_owed": Decimal("85000.00"),
            "delivery_date": today - dt.timedelta(days=200),
            "origin_date": today - dt.timedelta(days=200),
            "source": Source.AUDIT,
            "status": "confirmed",
        },
        creditor.creditor,
        actor=office,
    )
    return len(compute_flags(sub))
