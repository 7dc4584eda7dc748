"""Restriction measures (限制措施): recorded with type, decision, start and lifting; a register the
finance bureau reads (role ``measures_reader``); a prompt to lift once the unit's arrears are cleared."""

from __future__ import annotations

from plugins.accountability.measures.api import blp as _api_blp
from plugins.accountability.measures.models import MODELS, Measure
from plugins.accountability.measures.views import NAV
from plugins.accountability.measures.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """An active measure on ``unit`` (for the isolation tests)."""
    import datetime as dt

    from core.extensions import db

    measure = Measure(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        measure_type="压减一般性支付",
        decision_no="隔离示例决定〔2001〕1号",
        decided_by="隔离示例决定机关甲一",
        start_on=dt.date(2001, 7, 1),
        lift_condition="隔离示例解除条件甲一镇",
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(measure)
    return [measure]
