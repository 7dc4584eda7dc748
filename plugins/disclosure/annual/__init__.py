"""The annual disclosure: year-end figures, published reports, the office page and the public page."""

from __future__ import annotations

from plugins.disclosure.annual.api import blp as _api_blp
from plugins.disclosure.annual.api import public_blp as _public_api
from plugins.disclosure.annual.jobs import JOBS, SCHEDULES
from plugins.disclosure.annual.models import MODELS, DisclosureReport
from plugins.disclosure.annual.views import NAV
from plugins.disclosure.annual.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "JOBS", "MODELS", "NAV", "SCHEDULES", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp, _public_api]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """A published report in the unit's jurisdiction (for the route-enumerating isolation test)."""
    from decimal import Decimal

    from core.extensions import db

    report = DisclosureReport(
        jurisdiction_id=unit.jurisdiction_id,
        year=2001,
        rows=[
            {
                "unit_id": unit.id,
                "unit_name": "隔离示例公开单位",
                "kind_label": "部门",
                "channel": "public",
                "channel_label": "政府信息公开",
                "count": 1,
                "amount": "1000.00",
            }
        ],
        total_count=1,
        total_amount=Decimal("1000.00"),
        published_by_id=getattr(user, "id", None),
    )
    db.session.add(report)
    return [report]
