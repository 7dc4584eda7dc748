"""Public intake: the complaint page and API (no account), tracking codes, status lookup, abuse protection,
debtor matching and the Chinese working-day calendar."""

from __future__ import annotations

from plugins.complaints.intake.api import blp as public_api
from plugins.complaints.intake.views import bp as public_pages
from plugins.complaints.models import MODELS

API_BLUEPRINTS = [public_api]
UI_BLUEPRINTS = [public_pages]

__all__ = ["API_BLUEPRINTS", "MODELS", "UI_BLUEPRINTS"]
