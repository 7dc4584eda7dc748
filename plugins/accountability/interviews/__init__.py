"""Interviews (专项约谈) with units' heads: minutes and commitments, each with owner and deadline."""

from __future__ import annotations

from plugins.accountability.interviews.api import blp as _api_blp
from plugins.accountability.interviews.models import MODELS, Commitment, Interview
from plugins.accountability.interviews.views import NAV
from plugins.accountability.interviews.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """A held interview of ``unit`` with one commitment (for the isolation tests)."""
    import datetime as dt

    from core.extensions import db

    interview = Interview(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        head_name="隔离示例负责人",
        scheduled_at=dt.datetime(2001, 7, 1, 1, 30),
        place="隔离示例会议室",
        reason="隔离示例约谈事由甲一镇",
        attendees="隔离示例参加人员",
        status="held",
        held_on=dt.date(2001, 7, 1),
        minutes="隔离示例约谈纪要甲一镇",
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(interview)
    commitment = Commitment(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        content="隔离示例承诺事项甲一镇",
        owner="隔离示例责任人",
        deadline=dt.date(2001, 8, 1),
    )
    commitment.interview = interview
    db.session.add(commitment)
    return [interview, commitment]
