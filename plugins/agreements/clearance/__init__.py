"""agreements/clearance: classification, dispute tracks, agreements, installments, payments, lateness."""

from plugins.agreements.clearance.api import blp as _api
from plugins.agreements.clearance.jobs import JOBS, SCHEDULES
from plugins.agreements.clearance.models import MODELS
from plugins.agreements.clearance.samples import sample_objects
from plugins.agreements.clearance.todo import todo as TODO  # noqa: N812
from plugins.agreements.clearance.views import bp as _ui

API_BLUEPRINTS: list = [_api]
UI_BLUEPRINTS: list = [_ui]

__all__ = ["API_BLUEPRINTS", "JOBS", "MODELS", "SCHEDULES", "TODO", "UI_BLUEPRINTS", "sample_objects"]
