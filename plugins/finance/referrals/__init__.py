"""Referral to financing: the SME's consent, referrals to the plan's partners, outcomes, the export."""

from __future__ import annotations

from plugins.finance.referrals.api import blp as _api_blp
from plugins.finance.referrals.api import public_blp as _public_api
from plugins.finance.referrals.samples import sample_objects

__all__ = ["API_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp, _public_api]
