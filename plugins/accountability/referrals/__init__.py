"""Referral to discipline inspection (问责移送): a package (.docx summary + .zip of evidence), the hand-over
and the outcome."""

from __future__ import annotations

from plugins.accountability.referrals.api import blp as _api_blp
from plugins.accountability.referrals.models import MODELS, Referral
from plugins.accountability.referrals.views import NAV
from plugins.accountability.referrals.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """A prepared referral of ``unit`` (for the isolation tests)."""
    from core.extensions import db

    row = Referral(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        basis="隔离示例移送依据甲一镇瞒报",
        status="prepared",
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(row)
    return [row]
