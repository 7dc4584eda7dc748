"""The JSON API under /api/v1 (contract: DESIGN.md, 'Stable API contract')."""

from __future__ import annotations


def core_blueprints() -> list:
    from core.api import debts, enterprises, jobs, meta, tenants

    return [tenants.blp, enterprises.blp, debts.blp, jobs.blp, meta.blp]
