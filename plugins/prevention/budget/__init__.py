"""还款纳入预算: budget arrangements for paying debts; debts due this year without one."""

from plugins.prevention.budget.api import blp as _api
from plugins.prevention.budget.models import MODELS
from plugins.prevention.budget.todo import todo as TODO  # noqa: N812
from plugins.prevention.budget.views import NAV
from plugins.prevention.budget.views import bp as _ui

API_BLUEPRINTS: list = [_api]
UI_BLUEPRINTS: list = [_ui]

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "TODO", "UI_BLUEPRINTS"]
