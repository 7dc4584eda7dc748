"""Demo content of the rounds part: an open reporting round that about half the units have reported in."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.tenancy.models import TenantNode
from plugins.ledger.rounds import service
from plugins.ledger.rounds.models import LedgerRound

ROUND_NAME = "清欠台账季度更新"


def demo_data(jurisdiction: TenantNode, users: dict) -> str | None:
    exists = db.session.scalar(
        db.select(LedgerRound.id).where(LedgerRound.jurisdiction_id == jurisdiction.id).limit(1)
    )
    if exists is not None:
        return None
    office, head = users.get("office_admin"), users.get("unit_head")
    today = service.local_now().date()
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
    return f"开启填报轮次“{rnd.name}”：{len(units)} 个单位中 {len(submitted)} 个已报送，{signed} 个已签认"
