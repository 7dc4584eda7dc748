"""Supervision (挂牌督办): candidates from the plan's thresholds, deadlines, progress with attachments,
closing only with evidence, extension with a reason, escalation when overdue."""

from __future__ import annotations

from plugins.accountability.supervision.api import blp as _api_blp
from plugins.accountability.supervision.jobs import JOBS, SCHEDULES
from plugins.accountability.supervision.models import MODELS, Supervision, SupervisionStep
from plugins.accountability.supervision.views import NAV
from plugins.accountability.supervision.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "JOBS", "MODELS", "NAV", "SCHEDULES", "TODO", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def TODO(tenant, user) -> list:  # noqa: N802 - the plugin skeleton collects this name
    from plugins.accountability.supervision.todo import todo

    return todo(tenant, user)


def sample_objects(unit, user) -> list:
    """An open supervision item of ``unit`` and its first step (for the isolation tests)."""
    import datetime as dt

    from core.extensions import db
    from plugins.accountability.supervision import files

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    path, mime = files.store(unit.jurisdiction_id, png)

    item = Supervision(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        subject_kind="unit",
        subject_label="隔离示例甲一镇督办事项",
        reason="隔离示例督办原因甲一镇",
        required_actions="隔离示例整改要求甲一镇",
        deadline=dt.date(2001, 7, 31),
        original_deadline=dt.date(2001, 7, 31),
        opened_on=dt.date(2001, 7, 1),
        created_by_id=getattr(user, "id", None),
    )
    step = SupervisionStep(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        supervision=item,
        action="opened",
        note="隔离示例督办记录甲一镇",
        actor_id=getattr(user, "id", None),
        actor_name="隔离示例",
        file_name="隔离示例附件.png",
        file_path=path,
        file_mime=mime,
        file_size=len(png),
    )
    db.session.add_all([item, step])
    return [item, step]
