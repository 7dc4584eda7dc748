"""Core's own hook implementations: the platform's built-in behaviour, on the same hooks plugins use."""

from __future__ import annotations

from core.plugins import hookimpl
from core.rules.core_validation import validate_debt

PLUGIN_LABEL = "平台核心"
PLUGIN_DESCRIPTION = "租户树、共享债务模型、用户与权限、作业、API 与网页框架"


@hookimpl
def qingqian_validate_debt(debt, plan, tenant):
    return validate_debt(debt, plan, tenant)


@hookimpl
def qingqian_sample_objects(unit, user):
    """A plan version of the unit's jurisdiction, so the isolation and append-only proofs cover it."""
    from core.extensions import db
    from core.tenancy.isolation import SKIP_FILTER
    from core.tenancy.models import PlanVersion

    # Other plugins' sample rows are pending (perhaps outside the caller's scope, on purpose): no autoflush.
    with db.session.no_autoflush:
        last = db.session.scalar(
            db.select(db.func.max(PlanVersion.number)).where(
                PlanVersion.jurisdiction_id == unit.jurisdiction_id
            ),
            execution_options={SKIP_FILTER: True},
        )
    version = PlanVersion(
        jurisdiction_id=unit.jurisdiction_id,
        number=(last or 0) + 1,
        document={"name": "隔离示例方案"},
        reason="隔离示例：方案修改原因",
        created_by_id=getattr(user, "id", None),
        created_by_name="隔离示例修改人",
    )
    db.session.add(version)
    return [version]
