"""Handling: other channels, triage, transfer, deadlines, outcome, ledger links, board and notifications."""

from __future__ import annotations

from plugins.complaints.handling.api import blp as staff_api
from plugins.complaints.handling.jobs import JOBS, SCHEDULES
from plugins.complaints.handling.nav import NAV, WIDGETS
from plugins.complaints.handling.samples import sample_objects
from plugins.complaints.handling.todo import todo as TODO  # noqa: N812
from plugins.complaints.handling.views import bp as staff_pages

API_BLUEPRINTS = [staff_api]
UI_BLUEPRINTS = [staff_pages]

__all__ = ["API_BLUEPRINTS", "JOBS", "NAV", "SCHEDULES", "TODO", "UI_BLUEPRINTS", "WIDGETS", "sample_objects"]
