"""Notices about cases: always in-app (core notifications), plus every adapter of ``qingqian_notifiers``.

Notices go to units, never to other units' people about someone else's case, and never carry the
complainant's contact details: the title and body name the case by its number and the debtor only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.extensions import db
from core.models.notification import Notification, NotificationLevel
from core.plugins import flatten, get_pm
from core.tenancy.scope import Scope, scope_context

log = logging.getLogger("qingqian.complaints.notify")


@dataclass(frozen=True)
class Notice:
    jurisdiction_id: int
    unit_id: int
    key: str
    title: str
    body: str
    link: str | None = None
    level: str = NotificationLevel.INFO


class LoggingNotifier:
    """The default outside channel: writes the notice to the log (e-mail/SMS adapters replace it)."""

    name = "log"

    def send(self, notice: Notice) -> None:
        log.info("notice unit=%s key=%s %s", notice.unit_id, notice.key, notice.title)


def adapters() -> list:
    found = flatten(get_pm().hook.qingqian_notifiers())
    return found or [LoggingNotifier()]


def send(notice: Notice) -> bool:
    """Write the in-app notice once per (unit, key) and hand it to the adapters; False if already sent."""
    # A unit's answer notifies the office, outside the unit's own scope: writing a notice to another unit of
    # the same jurisdiction is the platform's doing, so it runs in that jurisdiction's scope.
    with scope_context(Scope(jurisdiction_id=notice.jurisdiction_id)):
        return _send(notice)


def _send(notice: Notice) -> bool:
    exists = db.session.scalar(
        db.select(Notification.id).where(
            Notification.unit_id == notice.unit_id, Notification.key == notice.key
        )
    )
    if exists is not None:
        return False
    db.session.add(
        Notification(
            jurisdiction_id=notice.jurisdiction_id,
            unit_id=notice.unit_id,
            key=notice.key,
            title=notice.title,
            body=notice.body,
            link=notice.link,
            level=notice.level,
        )
    )
    db.session.flush()
    for adapter in adapters():
        try:
            adapter.send(notice)
        except Exception:  # an outside channel failing must not lose the in-app notice or the case change
            log.exception("notifier %s failed for %s", getattr(adapter, "name", adapter), notice.key)
    return True
