"""Complaint cases whose deadline is near or past, on the to-do list of whoever must act on them.

A unit sees the cases transferred to its subtree (days left to report the result); the office sees every
open case of the jurisdiction due within ``SOON_DAYS`` (to transfer, or to chase the unit).
"""

from __future__ import annotations

import datetime as dt

from flask import g, url_for

from core import clock
from core.extensions import db
from core.web.nav import TodoItem
from plugins.complaints.handling.service import deadline_of
from plugins.complaints.models import Complaint, Status

SOON_DAYS = 7
LIMIT = 10


def todo(tenant, user) -> list[TodoItem]:
    if not g.principal.can("complaints.handle"):
        return []
    horizon = clock.today(tenant) + dt.timedelta(days=SOON_DAYS)
    stmt = db.select(Complaint).where(
        db.or_(
            db.and_(
                Complaint.status.in_([Status.RECEIVED, Status.ACCEPTED]), Complaint.transfer_due <= horizon
            ),
            db.and_(Complaint.status == Status.TRANSFERRED, Complaint.result_due <= horizon),
        )
    )
    cases = sorted(db.session.scalars(stmt), key=lambda c: (deadline_of(c), c.id))[:LIMIT]
    return [
        TodoItem(
            ("待转办" if c.status != Status.TRANSFERRED else "投诉办理")
            + f"：{c.creditor_name}反映{c.debtor_text}欠款",
            url=url_for("complaints.detail", complaint_id=c.id),
            action="去办理",
            due=deadline_of(c),
            order=30,
        )
        for c in cases
    ]
