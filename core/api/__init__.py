"""The JSON API under /api/v1 (contract: DESIGN.md, 'Stable API contract')."""

from __future__ import annotations


def core_blueprints() -> list:
    from core.api.messages import install_chinese_messages

    install_chinese_messages()  # before the schemas below are built; earlier ones are re-translated
    from core.api import dashboard, debts, enterprises, jobs, meta, notifications, tenants

    return [tenants.blp, enterprises.blp, debts.blp, jobs.blp, meta.blp, dashboard.blp, notifications.blp]
