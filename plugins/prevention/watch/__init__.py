"""新增拖欠 watch: arrears formed after the plan's baseline, traced to their contract review."""

from plugins.prevention.watch.api import blp as _api
from plugins.prevention.watch.views import bp as _ui

API_BLUEPRINTS: list = [_api]
UI_BLUEPRINTS: list = [_ui]

__all__ = ["API_BLUEPRINTS", "UI_BLUEPRINTS"]
