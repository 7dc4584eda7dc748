"""Wage linkage figures for the dashboard widget and the progress report: cases linked, cleared, still
waiting for a link, and the days from a case's receipt to the payment that cleared it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from core import clock
from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.nav import ReportSection, Widget
from plugins.wages.linkage import festival
from plugins.wages.linkage.models import CaseStatus, WageCase

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figures:
    linked: int
    linked_amount: Decimal
    cleared: int
    cleared_amount: Decimal
    unmatched: int
    unmatched_amount: Decimal
    average_days: Decimal | None
    campaign_start: dt.date | None = None
    campaign_festival: dt.date | None = None
    cleared_in_campaign: int = 0
    cleared_in_campaign_amount: Decimal = ZERO

    @property
    def open_amount(self) -> Decimal:
        return self.linked_amount - self.cleared_amount


def figures(node: TenantNode | None = None, as_of: dt.date | None = None) -> Figures:
    """Cases received by ``as_of`` (visible to the caller, under ``node`` when given). A case counts as
    cleared when cleared by ``as_of``; ``linked`` counts every case linked to a debt (cleared or not)."""
    as_of = as_of or clock.today(node)
    stmt = db.select(WageCase).where(WageCase.received_on <= as_of)
    if node is not None:
        inside = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path))
        stmt = stmt.where(WageCase.unit_id.in_(inside))
    cases = list(db.session.scalars(stmt))
    linked = [c for c in cases if c.debt_id is not None]
    cleared = [c for c in linked if c.cleared_on is not None and c.cleared_on <= as_of]
    unmatched = [c for c in cases if c.status == CaseStatus.UNMATCHED]
    days = [(c.cleared_on - c.received_on).days for c in cleared]
    average = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1")) if days else None
    run = last_campaign(as_of, plan_of(node))
    in_run = [c for c in cleared if run.start <= c.cleared_on <= run.festival]
    return Figures(
        campaign_start=run.start,
        campaign_festival=run.festival,
        cleared_in_campaign=len(in_run),
        cleared_in_campaign_amount=sum((c.amount_owed for c in in_run), ZERO),
        linked=len(linked),
        linked_amount=sum((c.amount_owed for c in linked), ZERO),
        cleared=len(cleared),
        cleared_amount=sum((c.amount_owed for c in cleared), ZERO),
        unmatched=len(unmatched),
        unmatched_amount=sum((c.amount_owed for c in unmatched), ZERO),
        average_days=average,
    )


def plan_of(node: TenantNode | None) -> dict:
    from flask import g, has_request_context

    from core.tenancy.plans import plan_for

    if node is None and has_request_context():
        node = getattr(getattr(g, "principal", None), "jurisdiction", None)
    return plan_for(node) if node is not None else {}


def last_campaign(as_of: dt.date, plan: dict) -> festival.Campaign:
    """The winter campaign running on ``as_of``, else the last one that ended before it."""
    run = festival.campaign(as_of, plan)
    if as_of >= run.start:
        return run
    previous = festival.campaign(festival.festival_date(run.festival.year - 1, plan), plan)
    return festival.Campaign(previous.start, previous.festival, as_of)


def _items(f: Figures) -> str:
    cells = [
        ("已关联欠款的欠薪案件", f"{f.linked} 件，{f.linked_amount:,.2f} 元"),
        ("已清偿", f"{f.cleared} 件，{f.cleared_amount:,.2f} 元"),
        ("尚欠", f"{f.open_amount:,.2f} 元"),
        ("待手工关联", f"{f.unmatched} 件，{f.unmatched_amount:,.2f} 元"),
        ("受理到清偿平均", "—" if f.average_days is None else f"{f.average_days} 天"),
        (
            f"春节前清偿（{f.campaign_start:%Y年%-m月%-d日}至{f.campaign_festival:%Y年%-m月%-d日}）",
            f"{f.cleared_in_campaign} 件，{f.cleared_in_campaign_amount:,.2f} 元",
        ),
    ]
    return "".join(
        f'<li data-key="{i}">{escape(label)}：<strong>{escape(value)}</strong></li>'
        for i, (label, value) in enumerate(cells)
    )


def _widget_html() -> str:
    from flask import url_for

    link = url_for("wages_ui.index")
    return str(
        Markup(f'<ul class="wages-widget">{_items(figures())}</ul><a href="{link}">查看农民工工资联动</a>')
    )


def render(node: TenantNode, as_of: dt.date) -> str:
    return str(Markup(f'<ul class="wages-report">{_items(figures(node, as_of))}</ul>'))


def WIDGETS(tenant, user) -> list[Widget]:  # noqa: N802 - the plugin skeleton collects this name
    return [Widget("农民工工资联动", html=_widget_html, order=45, permission="wages.read")]


def sections() -> list[ReportSection]:
    return [ReportSection("农民工工资联动", render, order=30, permission="wages.read")]
