"""Receivable confirmations (确权): public and office requests, the debtor's answer, the 30-day clock."""

from __future__ import annotations

from plugins.finance.confirmations.api import blp as _api_blp
from plugins.finance.confirmations.api import public_blp as _public_api
from plugins.finance.confirmations.jobs import JOBS, SCHEDULES
from plugins.finance.confirmations.metrics import WIDGETS
from plugins.finance.confirmations.models import MODELS
from plugins.finance.confirmations.samples import sample_objects
from plugins.finance.confirmations.todo import todo as TODO  # noqa: N812
from plugins.finance.confirmations.views import NAV
from plugins.finance.confirmations.views import bp as _ui_bp

__all__ = [
    "API_BLUEPRINTS",
    "JOBS",
    "MODELS",
    "NAV",
    "SCHEDULES",
    "TODO",
    "UI_BLUEPRINTS",
    "WIDGETS",
    "sample_objects",
]

API_BLUEPRINTS: list = [_api_blp, _public_api]
UI_BLUEPRINTS: list = [_ui_bp]
