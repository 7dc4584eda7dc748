"""Assessment (考核): the plan's scorecard computed per unit per period, explained item by item; SOE groups
assess their subsidiaries the same way; .xlsx export; frozen at the period end."""

from __future__ import annotations

from plugins.accountability.assessment.api import blp as _api_blp
from plugins.accountability.assessment.models import MODELS, AssessmentSnapshot
from plugins.accountability.assessment.views import NAV
from plugins.accountability.assessment.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """A frozen assessment of ``unit``'s children, as its group's internal assessment (isolation tests)."""
    import datetime as dt

    from core.extensions import db

    row = AssessmentSnapshot(
        jurisdiction_id=unit.jurisdiction_id,
        period_end=dt.date(2001, 6, 30),
        group_id=unit.id,
        scorecard=[{"metric": "concealment", "label": "无瞒报漏报", "weight": "10.00"}],
        rows=[
            {
                "rank": 1,
                "unit_id": unit.id,
                "unit_name": "隔离示例考核单位甲一",
                "score": "10.00",
                "items": [
                    {
                        "metric": "concealment",
                        "label": "无瞒报漏报",
                        "weight": "10.00",
                        "value": "1.0000",
                        "points": "10.00",
                        "detail": "隔离示例考核依据甲一镇",
                    }
                ],
            }
        ],
        taken_by_id=getattr(user, "id", None),
    )
    db.session.add(row)
    return [row]
