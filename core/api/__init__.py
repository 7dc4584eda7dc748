"""The JSON API under /api/v1 (contract: DESIGN.md, 'Stable API contract').

What plugin routes use from here: ``Money`` (the money field of every schema: a two-decimal string on the
wire, floats and "1e3" refused), ``ApiError`` (raise it for a JSON error with a Chinese message), and for the
OpenAPI document ``download_doc`` (a file answer and its media types) and ``versioned_doc`` (``If-Match`` /
``ETag``), both passed to ``blp.doc(**...)``; ``missing_reference`` (the 404 for an id in the request the
caller cannot see, naming the field) and ``PAGE`` (the ``page`` argument's bounds, 1 to ``MAX_PAGE``).
"""

from __future__ import annotations

from core.api.base import MAX_PAGE, PAGE, ApiError, missing_reference
from core.api.money import Money
from core.api.openapi import (
    ANY_FILE,
    CSV,
    DOCX,
    FORM_FLAG,
    XLSX,
    ZIP,
    download_doc,
    upload_doc,
    versioned_doc,
)

__all__ = [
    "ANY_FILE",
    "CSV",
    "DOCX",
    "XLSX",
    "ZIP",
    "MAX_PAGE",
    "PAGE",
    "ApiError",
    "Money",
    "core_blueprints",
    "FORM_FLAG",
    "download_doc",
    "upload_doc",
    "missing_reference",
    "versioned_doc",
]


def core_blueprints() -> list:
    from core.api.messages import install_chinese_messages

    install_chinese_messages()  # before the schemas below are built; earlier ones are re-translated
    from core.api import dashboard, debts, enterprises, jobs, meta, notifications, onboarding, plan, tenants

    return [
        tenants.blp,
        enterprises.blp,
        debts.blp,
        jobs.blp,
        meta.blp,
        dashboard.blp,
        notifications.blp,
        plan.blp,
        onboarding.blp,
    ]
