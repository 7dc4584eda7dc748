"""Contract review before signing: the rule engine, findings the unit fixes or answers, the opinion."""

from plugins.prevention.reviews.api import blp as _api
from plugins.prevention.reviews.models import MODELS
from plugins.prevention.reviews.views import bp as _ui

API_BLUEPRINTS: list = [_api]
UI_BLUEPRINTS: list = [_ui]

__all__ = ["API_BLUEPRINTS", "MODELS", "UI_BLUEPRINTS"]
