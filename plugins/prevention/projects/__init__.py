"""Government-investment projects: approval, funding sources, the start check, overridden starts."""

from plugins.prevention.projects.api import blp as _api
from plugins.prevention.projects.models import MODELS
from plugins.prevention.projects.views import NAV
from plugins.prevention.projects.views import bp as _ui

API_BLUEPRINTS: list = [_api]
UI_BLUEPRINTS: list = [_ui]

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS"]
