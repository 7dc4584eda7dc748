"""Prevention figures: the API, the dashboard widget and the progress-report section."""

from plugins.prevention.metrics.api import blp as _api
from plugins.prevention.metrics.views import WIDGETS

API_BLUEPRINTS: list = [_api]

__all__ = ["API_BLUEPRINTS", "WIDGETS"]
