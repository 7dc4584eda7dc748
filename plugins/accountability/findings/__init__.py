"""瞒报漏报认定: the office confirms or dismisses the ledger's concealment flags; only confirmed ones
count in bulletins, assessments and referral packages."""

from __future__ import annotations

from plugins.accountability.findings.api import blp as _api_blp
from plugins.accountability.findings.models import MODELS, FlagFinding
from plugins.accountability.findings.views import NAV
from plugins.accountability.findings.views import bp as _ui_bp

__all__ = ["API_BLUEPRINTS", "MODELS", "NAV", "UI_BLUEPRINTS", "sample_objects"]

API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """A confirmed finding on a debt of ``unit`` (for the isolation tests); needs one of its debts."""
    import datetime as dt

    from core.extensions import db
    from core.models.debt import Debt

    # No autoflush: other plugins' sample rows may be pending, and the isolation tests expect the refusal
    # of an outsider's rows at their own flush, not inside this lookup.
    with db.session.no_autoflush:
        debt_id = db.session.scalar(db.select(Debt.id).where(Debt.unit_id == unit.id).limit(1))
    if debt_id is None:
        return []
    row = FlagFinding(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        flag_id=-unit.id,  # no ledger flag behind it: ids of real flags are positive
        debt_id=debt_id,
        kind="vanished",
        kind_label="隔离示例疑点甲一镇",
        finding="confirmed",
        note="隔离示例认定甲一镇瞒报",
        decided_on=dt.date(2001, 7, 1),
        decided_by_name="隔离示例认定人",
    )
    db.session.add(row)
    return [row]
