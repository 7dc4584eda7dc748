"""Typical cases (典型案例) published on the jurisdiction's public page, and 失信 referral proposals."""

from __future__ import annotations

from plugins.accountability.cases.api import blp as _api_blp
from plugins.accountability.cases.api import public_blp as _public_blp
from plugins.accountability.cases.models import MODELS, CreditReferral, TypicalCase
from plugins.accountability.cases.views import NAV
from plugins.accountability.cases.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp, _public_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """A published case and a 失信 proposal about ``unit`` (for the isolation tests)."""
    from core.extensions import db

    case = TypicalCase(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        title="隔离示例典型案例甲一镇",
        summary="隔离示例案情甲一镇拖欠某公司",
        lesson="隔离示例警示甲一镇",
        status="draft",
        created_by_id=getattr(user, "id", None),
    )
    credit = CreditReferral(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        reason="隔离示例失信移送理由甲一镇",
        status="proposed",
        created_by_id=getattr(user, "id", None),
    )
    db.session.add_all([case, credit])
    return [case, credit]
