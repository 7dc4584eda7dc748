"""Accountability's items on each user's to-do list (``qingqian_todo_items``).

Units: their open supervision items and interview commitments (each with its deadline, so an overdue
one shows 逾期N天), and bulletins sent to them not yet marked 已阅. Office: overdue supervision items to
close or extend, and concealment flags still awaiting a finding.
"""

from __future__ import annotations

from flask import g, url_for

from core import clock
from core.extensions import db
from core.web.nav import TodoItem
from plugins.accountability.bulletins.models import Bulletin, BulletinRecipient
from plugins.accountability.interviews.models import Commitment
from plugins.accountability.supervision.models import Supervision


def todo(tenant, user) -> list[TodoItem]:
    principal = g.principal
    if tenant is None or principal is None:
        return []
    today = clock.today(tenant)
    if principal.can("accountability.supervise"):
        return _office(today)
    if not principal.can("accountability.report"):
        return []
    items = [
        TodoItem(
            f"挂牌督办：{s.subject_label}",
            url=url_for("accountability_supervision_ui.supervision", supervision_id=s.id),
            action="报告进展",
            due=s.deadline,
            order=30,
        )
        for s in db.session.scalars(
            db.select(Supervision).where(Supervision.status == "open").order_by(Supervision.deadline)
        )
    ]
    items += [
        TodoItem(
            f"约谈承诺：{c.content}",
            url=url_for("accountability_interviews_ui.interview", interview_id=c.interview_id),
            action="查看",
            due=c.deadline,
            order=31,
        )
        for c in db.session.scalars(
            db.select(Commitment).where(Commitment.status == "open").order_by(Commitment.deadline)
        )
    ]
    if principal.can("accountability.acknowledge"):
        unread = db.session.scalars(
            db.select(Bulletin)
            .where(
                Bulletin.status == "issued",
                Bulletin.id.in_(
                    db.select(BulletinRecipient.bulletin_id).where(BulletinRecipient.read_at.is_(None))
                ),
            )
            .order_by(Bulletin.id)
        )
        items += [
            TodoItem(
                f"阅知通报：{b.doc_no}",
                url=url_for("accountability_ui.bulletin", bulletin_id=b.id),
                action="阅知",
                order=32,
            )
            for b in unread
        ]
    return items


def _office(today) -> list[TodoItem]:
    items = []
    overdue = db.session.scalar(
        db.select(db.func.count(Supervision.id)).where(
            Supervision.status == "open", Supervision.deadline < today
        )
    )
    if overdue:
        items.append(
            TodoItem(
                f"{overdue}项挂牌督办事项逾期未办结",
                url=url_for("accountability_supervision_ui.supervisions"),
                action="办结或延期",
                count=overdue,
                order=30,
            )
        )
    from plugins.accountability.findings import service as findings

    pending = findings.pending_count(g.principal.jurisdiction)
    if pending:
        items.append(
            TodoItem(
                f"{pending}条瞒报漏报疑点待认定",
                url=url_for("accountability_findings_ui.flags"),
                action="认定",
                count=pending,
                order=31,
            )
        )
    return items
