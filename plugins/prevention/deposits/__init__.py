"""The deposits register: allowed kinds, refunds, reminders before the return date."""

from plugins.prevention.deposits.api import blp as _api
from plugins.prevention.deposits.jobs import JOBS, SCHEDULES
from plugins.prevention.deposits.models import MODELS
from plugins.prevention.deposits.todo import todo as TODO  # noqa: N812
from plugins.prevention.deposits.views import bp as _ui

API_BLUEPRINTS: list = [_api]
UI_BLUEPRINTS: list = [_ui]

__all__ = ["API_BLUEPRINTS", "JOBS", "MODELS", "SCHEDULES", "TODO", "UI_BLUEPRINTS"]
