"""The ledger's items on each user's to-do list (``qingqian_todo_items``).

Clerk: the round's ledger still to submit. Head: submissions awaiting their signature (签认 or 退回).
SOE group (and any unit with units below it): one item per round counting the subsidiaries not yet reported.
Office: units that have not submitted, and concealment flags to review.
"""

from __future__ import annotations

from flask import g, url_for

from core import clock
from core.extensions import db
from core.web.nav import TodoItem
from plugins.ledger.rounds import service
from plugins.ledger.rounds.models import Flag, FlagStatus, LedgerRound, RoundStatus


def _reporting_parent(principal, unit):
    """The user's role node strictly above ``unit`` (a group above its subsidiary), if any."""
    for _role, node in principal.role_nodes:
        if node is not None and node.id != unit.id and unit.path.startswith(node.path):
            return node
    return None


def todo(tenant, user) -> list[TodoItem]:
    principal = g.principal
    today = clock.today(tenant)
    items: list[TodoItem] = []
    rounds = db.session.scalars(
        db.select(LedgerRound).where(LedgerRound.status == RoundStatus.OPEN).order_by(LedgerRound.deadline)
    )
    manages_any = False
    for rnd in rounds:
        board = service.board(rnd, today)
        manages = rnd.office is not None and principal.can_at("ledger.rounds.manage", rnd.office)
        manages_any |= manages
        board_url = url_for("ledger_rounds_ui.round_board", round_id=rnd.id)
        if manages:
            missing = [r for r in board.rows if r.state == "missing"]
            if missing:
                items.append(
                    TodoItem(
                        f"{len(missing)}个单位尚未报送台账（{rnd.name}）",
                        url=board_url,
                        action="查看并催报",
                        due=rnd.deadline,
                        count=len(missing),
                        order=20,
                    )
                )
            continue
        below: dict[int, list] = {}  # a group's (or unit's) node id → its missing subsidiaries
        for row in board.rows:
            parent = _reporting_parent(principal, row.unit)
            if row.state == "missing" and parent is not None and principal.can_at("ledger.submit", row.unit):
                below.setdefault(parent.id, [parent]).append(row.unit)
            elif row.state == "missing" and principal.can_at("ledger.submit", row.unit):
                items.append(
                    TodoItem(
                        f"报送台账：{row.unit.name}（{rnd.name}）",
                        url=board_url,
                        action="去报送",
                        due=rnd.deadline,
                        order=20,
                    )
                )
            elif row.state == "submitted" and principal.can_at("ledger.signoff", row.unit):
                items.append(
                    TodoItem(
                        f"待签认：{row.unit.name}台账（{rnd.name}）",
                        url=url_for("ledger_rounds_ui.submission_detail", submission_id=row.submission.id),
                        action="去签认或退回",
                        due=rnd.deadline,
                        order=10,
                    )
                )
        for parent, *units in below.values():
            word = "家子企业" if parent.kind in ("soe", "subsidiary") else "个下属单位"
            items.append(
                TodoItem(
                    f"{parent.name}：{len(units)}{word}尚未报送台账（{rnd.name}）",
                    url=board_url,
                    action="查看并督促报送",
                    due=rnd.deadline,
                    count=len(units),
                    order=20,
                )
            )
    if manages_any and principal.can("ledger.flags.read"):
        open_flags = db.session.scalar(
            db.select(db.func.count(Flag.id)).where(Flag.status == FlagStatus.OPEN)
        )
        if open_flags:
            items.append(
                TodoItem(
                    f"瞒报漏报提示待核实 {open_flags} 条",
                    url=url_for("ledger_rounds_ui.flags", status="open"),
                    action="去核实",
                    count=open_flags,
                    order=30,
                )
            )
    return items
