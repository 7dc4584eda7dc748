"""Bulletins (通报): generated from live data, numbered and issued, read and acknowledged by units."""

from __future__ import annotations

from plugins.accountability.bulletins.api import blp as _api_blp
from plugins.accountability.bulletins.models import MODELS, Bulletin, BulletinRecipient, BulletinStatus
from plugins.accountability.bulletins.views import NAV, WIDGETS
from plugins.accountability.bulletins.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "WIDGETS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """An issued bulletin sent to ``unit`` and its recipient row (for the isolation tests)."""
    import datetime as dt

    from core.extensions import db

    bulletin = Bulletin(
        jurisdiction_id=unit.jurisdiction_id,
        status=BulletinStatus.ISSUED,
        title="隔离示例甲一镇清欠进展通报",
        period_end=dt.date(2001, 6, 30),
        intro="隔离示例通报开头甲一镇进度落后",
        closing="",
        cc="",
        sections=[],
        recipient_ids=[unit.id],
        year=2001,
        seq=1,
        doc_no="隔离示例通报〔2001〕1号",
        issued_on=dt.date(2001, 7, 1),
        issuer="隔离示例清欠办",
        created_by_id=getattr(user, "id", None),
    )
    # No flush here: an outsider's session must fail at its own flush (tests/test_isolation_routes.py).
    recipient = BulletinRecipient(
        jurisdiction_id=unit.jurisdiction_id, unit_id=unit.id, bulletin=bulletin, unit_name=unit.name
    )
    db.session.add(bulletin)
    db.session.add(recipient)
    return [bulletin, recipient]
