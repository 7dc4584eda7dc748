"""Reporting rounds and everything after collection.

The office opens a round (as-of date, deadline from the plan, the units in scope); each unit submits its
ledger — an immutable snapshot of its open debts — or a zero report, and its head signs off. A submission
locks the unit for the round until the office reopens it with a logged reason. The board, reminders,
snapshot diffs, concealment flags, roll-ups and the .xlsx export for reporting upward build on that.

Modules: ``models``, ``service`` (rounds, submissions, board, diff), ``flags``, ``rollup``, ``export``,
``api`` (/api/v1/ledger/...), ``views`` (web pages), ``jobs`` (reminders, flag checks).
"""

from __future__ import annotations

from plugins.ledger.rounds.api import blp as _api_blp
from plugins.ledger.rounds.jobs import JOBS, SCHEDULES
from plugins.ledger.rounds.models import ExportStatus, Flag, LedgerExport, LedgerRound, RoundUnit, Submission
from plugins.ledger.rounds.todo import todo as TODO  # noqa: N812
from plugins.ledger.rounds.views import bp as _ui_bp
from plugins.ledger.rounds.views import nav as NAV  # noqa: N812 - the plugin collects parts' NAV by name
from plugins.ledger.rounds.views import widgets as WIDGETS  # noqa: N812

__all__ = [
    "API_BLUEPRINTS",
    "JOBS",
    "MODELS",
    "NAV",
    "SCHEDULES",
    "TODO",
    "UI_BLUEPRINTS",
    "WIDGETS",
    "sample_objects",
]

MODELS: list = [LedgerRound, RoundUnit, Submission, Flag, LedgerExport]
API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]


def sample_objects(unit, user) -> list:
    """One of each tenant-owned model of this part at ``unit`` (for the route-enumerating isolation test)."""
    import datetime as dt
    from decimal import Decimal

    from core.extensions import db
    from core.models.debt import Debt

    # No autoflush: other plugins' sample rows may already be pending, and flushing rows outside the caller's
    # scope would raise here, where the isolation test expects the refusal at its own flush.
    with db.session.no_autoflush:
        debt_id = db.session.scalar(db.select(Debt.id).where(Debt.unit_id == unit.id).order_by(Debt.id))
    rnd = LedgerRound(
        jurisdiction_id=unit.jurisdiction_id,
        office_id=unit.jurisdiction_id,
        name="隔离示例填报轮次",
        as_of=dt.date(2023, 8, 20),
        deadline=dt.date(2023, 8, 25),
        created_by_id=getattr(user, "id", None),
    )
    round_unit = RoundUnit(jurisdiction_id=unit.jurisdiction_id, unit_id=unit.id, round=rnd)
    rows = []
    if debt_id is not None:
        rows = [
            {
                "debt_id": debt_id,
                "unit_id": unit.id,
                "unit_name": unit.name,
                "creditor_name": "隔离示例快照债权企业",
                "project_name": "隔离示例快照项目",
                "category": "works",
                "source": "self_inspection",
                "status": "confirmed",
                "origin_date": "2023-03-01",
                "amount_owed": "1000.00",
                "paid_amount": "0.00",
                "outstanding": "1000.00",
            }
        ]
    submission = Submission(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        round=rnd,
        rows=rows,
        row_count=len(rows),
        total_owed=Decimal("1000.00") if rows else Decimal("0"),
        total_outstanding=Decimal("1000.00") if rows else Decimal("0"),
        submitted_by_id=getattr(user, "id", None),
        statement="隔离示例报送说明",
    )
    db.session.add_all([rnd, round_unit, submission])
    out = [rnd, round_unit, submission]
    if debt_id is not None:
        flag = Flag(
            jurisdiction_id=unit.jurisdiction_id,
            unit_id=unit.id,
            round=rnd,
            submission=submission,
            debt_id=debt_id,
            kind="oversight_missing",
            details={"message": "隔离示例提示"},
        )
        db.session.add(flag)
        out.append(flag)
    out.append(_sample_export(unit, user))
    return out


def _sample_export(unit, user) -> LedgerExport:
    """A ready export with a small real file, so the owner's download route answers 200 too."""
    import uuid

    import xlsxwriter

    from core.extensions import db
    from core.models.base import utcnow
    from plugins.ledger.rounds.export_files import root

    folder = root() / str(unit.jurisdiction_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sample-{uuid.uuid4().hex}.xlsx"
    with xlsxwriter.Workbook(str(path)) as workbook:
        workbook.add_worksheet("台账").write_string(0, 0, "隔离示例导出")
    export = LedgerExport(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        requested_by_id=getattr(user, "id", None),
        params={"by": "ledger"},
        status=ExportStatus.READY,
        filename="隔离示例导出.xlsx",
        stored_path=str(path),
        rows=0,
        file_size=path.stat().st_size,
        finished_at=utcnow(),
    )
    db.session.add(export)
    return export
