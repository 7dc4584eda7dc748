"""Core's items on the to-do list (``qingqian_todo_items``): what the shared debt model alone can say.

- Anyone who may write debts: debts marked 工资金额待补充.
- Leader: the few numbers to read (清偿率, what is unpaid and overdue) and the ranking of the units furthest
  behind, each linking to the list or table behind it.
- SOE group: the subsidiaries with overdue unpaid debts (linking to exactly those debts) and those with no
  debt recorded at all (possibly left out of the group's ledger).

Plugins add theirs on the same hook (rounds to report, submissions to sign, complaints, installments).
"""

from __future__ import annotations

from flask import g, url_for
from sqlalchemy import and_

from core import clock
from core.auth.models import Role
from core.extensions import db
from core.models.debt import Debt
from core.rules.status import OPEN_STATUSES
from core.services.dashboard import RATE_SCOPES, summary
from core.tenancy.models import NodeKind, TenantNode
from core.units import UNITS
from core.web.nav import TodoItem
from core.web.templating import money, percent, table_unit

RANKING_SIZE = 3


def items(tenant, user) -> list[TodoItem]:
    principal = g.principal
    out = _wage_amounts() if principal.can("debt.write") else []
    if Role.LEADER.value in principal.roles:
        out += _leader(tenant)
    if Role.SOE_GROUP_ADMIN.value in principal.roles:
        out += _soe_group()
    return out


def _wage_amounts() -> list[TodoItem]:
    count = db.session.scalar(db.select(db.func.count(Debt.id)).where(Debt.wage_amount_pending.is_(True)))
    if not count:
        return []
    return [
        TodoItem(
            f"{count}笔涉及农民工工资的欠款未填写工资金额",
            url=url_for("web.debts", wage_amount_pending="true"),
            action="去补充",
            count=count,
            order=50,
        )
    ]


def _leader(tenant) -> list[TodoItem]:
    """The numbers a leader reads first and who is furthest behind, in the reader's money unit."""
    data = summary(clock.today(tenant))
    t = data["totals"]
    if not t["campaign_count"]:
        return []
    unit = UNITS[table_unit()]
    out = [
        TodoItem(
            f"{RATE_SCOPES['confirmed']}{percent(t['confirmed_clearance_rate'])}，"
            f"{RATE_SCOPES['all']}{percent(t['clearance_rate'])}；未清偿{money(t['outstanding'])}{unit}，"
            f"其中逾期未付{t['overdue_count']}笔{money(t['overdue_amount'])}{unit}",
            url=url_for("web.debts", overdue="true", sort="-overdue_days"),
            action="查看逾期欠款",
            count=t["overdue_count"],
            order=5,
        )
    ]
    ranked = sorted(
        # Units only: the jurisdiction's own level (本级) is a row of the table, not a unit to rank.
        (u for u in data["by_unit"] if u["owed"] > 0 and u["unit_id"] != getattr(tenant, "id", None)),
        key=lambda u: (u["clearance_rate"], -u["outstanding"], u["name"]),
    )
    if len(ranked) > 1:
        last = "、".join(f"{u['name']}{percent(u['clearance_rate'])}" for u in ranked[:RANKING_SIZE])
        out.append(
            TodoItem(
                f"{RATE_SCOPES['all']}排名靠后：{last}",
                url=url_for("web.dashboard", _anchor="by-unit"),
                action="查看单位排名",
                order=6,
            )
        )
    return out


def _soe_group() -> list[TodoItem]:
    """Per group the user administers: how many subsidiaries owe overdue money, and how much."""
    principal = g.principal
    out = []
    for role, node in principal.role_nodes:
        if role != Role.SOE_GROUP_ADMIN.value or node is None or node.kind != NodeKind.SOE.value:
            continue
        below = db.select(TenantNode.id).where(
            TenantNode.path.startswith(node.path), TenantNode.id != node.id
        )
        overdue = and_(
            Debt.unit_id.in_(below),
            Debt.status.in_([s.value for s in OPEN_STATUSES]),
            Debt.overdue_days > 0,
            Debt.amount_owed > Debt.paid_amount,
        )
        units, amount = db.session.execute(
            db.select(
                db.func.count(db.distinct(Debt.unit_id)),
                db.func.coalesce(db.func.sum(Debt.amount_owed - Debt.paid_amount), 0),
            ).where(overdue)
        ).one()
        silent = db.session.scalar(
            db.select(db.func.count(TenantNode.id)).where(
                TenantNode.id.in_(below),
                TenantNode.active.is_(True),
                ~db.exists(db.select(Debt.id).where(Debt.unit_id == TenantNode.id)),
            )
        )
        if silent:
            out.append(
                TodoItem(
                    f"{node.name}：{silent}家子企业尚无欠款记录，请核实是否漏报（确无拖欠的无需登记）",
                    url=url_for("web.debt_new"),
                    action="去登记欠款",
                    count=int(silent),
                    order=16,
                )
            )
        if units:
            out.append(
                TodoItem(
                    f"{node.name}：{units}家子企业有逾期未付欠款，合计{money(amount)}{UNITS[table_unit()]}",
                    url=url_for("web.debts", unit=node.id, overdue="true", sort="-overdue_days"),
                    action="查看并督促清偿",
                    count=int(units),
                    order=15,
                )
            )
    return out
