"""agreements/progress: progress against the plan, payment-practice metrics, exports."""

from plugins.agreements.progress.api import blp as _api
from plugins.agreements.progress.views import NAV, WIDGETS
from plugins.agreements.progress.views import bp as _ui

MODELS: list = []
API_BLUEPRINTS: list = [_api]
UI_BLUEPRINTS: list = [_ui]

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "WIDGETS"]
