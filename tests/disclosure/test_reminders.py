"""Reminders to the office before and after the 31 March deadline, until last year's figures are out."""

from __future__ import annotations

from core.extensions import db
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from tests.ledger.test_rounds_support import run_job


def reminders() -> list[tuple[str, str, str]]:
    with system_scope():
        rows = db.session.scalars(db.select(Notification).order_by(Notification.id)).all()
        return [(n.title, n.level, n.link) for n in rows]


def test_reminded_on_the_set_days_then_daily_after_the_deadline(client, world):
    assert run_job("disclosure_reminders", world, today="2024-02-28")["created"] == 0  # 32 days before
    assert run_job("disclosure_reminders", world, today="2024-03-01")["created"] == 1  # 30 days before
    assert run_job("disclosure_reminders", world, today="2024-03-01")["created"] == 0  # same day: once
    assert run_job("disclosure_reminders", world, today="2024-03-02")["created"] == 0
    assert run_job("disclosure_reminders", world, today="2024-03-28")["created"] == 1  # 3 days before
    assert run_job("disclosure_reminders", world, today="2024-04-02")["created"] == 1  # 2 days late
    assert reminders() == [
        ("2023年度逾期未支付中小企业账款信息公开截止还有 30 天", "warning", "/disclosure?year=2023"),
        ("2023年度逾期未支付中小企业账款信息公开截止还有 3 天", "urgent", "/disclosure?year=2023"),
        ("2023年度逾期未支付中小企业账款信息已逾期 2 天未公开", "urgent", "/disclosure?year=2023"),
    ]
    # The office sees them; a township clerk does not (they are the office's to act on).
    titles = [n["title"] for n in client.get("/api/v1/notifications", headers=world.headers("office_a")).json]
    assert len(titles) == 3
    assert client.get("/api/v1/notifications", headers=world.headers("clerk_a1")).json == []


def test_no_reminder_once_published(client, world):
    r = client.post("/api/v1/disclosure/reports", json={"year": 2023}, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    assert run_job("disclosure_reminders", world, today="2024-03-30")["created"] == 0
    assert run_job("disclosure_reminders", world, today="2024-04-05")["created"] == 0
    assert reminders() == []
