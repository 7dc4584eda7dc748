"""Deciding a ledger flag (confirm or dismiss) and reading the confirmed ones.

Flags are read through the ledger's mapped table (``model_of``), never by importing the ledger plugin.
"""

from __future__ import annotations

from sqlalchemy.orm import aliased

from core import clock
from core.extensions import db
from core.plugins import model_of
from core.services import history
from core.tenancy.isolation import visible
from core.tenancy.models import TenantNode
from plugins.accountability.bulletins.service import Conflict, NotVisible, Refused  # noqa: F401 - re-exported for the views
from plugins.accountability.findings.models import CONFIRMED, DISMISSED, FINDING_LABELS, FlagFinding

FLAG_TABLE = "ledger_flags"


def flags_installed() -> bool:
    return model_of(FLAG_TABLE) is not None


def decide(jurisdiction: TenantNode, *, actor, flag_id: int, finding: str, note: str) -> FlagFinding:
    flag_model = model_of(FLAG_TABLE)
    if flag_model is None:
        raise Conflict("flag_id", "未启用台账报送，没有瞒报漏报疑点")
    if finding not in (CONFIRMED, DISMISSED):
        raise Refused("finding", "请选择认定或排除")
    note = (note or "").strip()
    if not note:
        raise Refused("note", "请写明核实情况")
    flag = visible(flag_model, flag_id)
    if flag is None or flag.jurisdiction_id != jurisdiction.id:
        raise NotVisible("flag_id", "疑点不存在")
    if db.session.scalar(db.select(FlagFinding.id).where(FlagFinding.flag_id == flag.id)):
        raise Conflict("flag_id", "该疑点已作出认定")
    row = FlagFinding(
        jurisdiction_id=jurisdiction.id,
        unit_id=flag.unit_id,
        flag_id=flag.id,
        round_id=flag.round_id,
        debt_id=flag.debt_id,
        kind=flag.kind,
        kind_label=getattr(flag, "kind_label", flag.kind),
        finding=finding,
        note=note,
        decided_on=clock.today(jurisdiction),
        decided_by_id=getattr(actor, "id", None),
        decided_by_name=getattr(actor, "label", "") or "",
    )
    db.session.add(row)
    db.session.flush()
    history.record(row, finding, after={"flag_id": flag.id, "finding": finding}, actor=actor, note=note)
    return row


def correct(
    jurisdiction: TenantNode, *, actor, finding_id: int, finding: str, note: str, reason: str
) -> FlagFinding:
    """Replace a finding by a new one that cites it with a reason; the old row is left as it was.

    Only the current finding of a flag (one no correction cites yet) can be corrected, so the
    corrections of a flag form a single chain.
    """
    old = visible(FlagFinding, finding_id)
    if old is None or old.jurisdiction_id != jurisdiction.id:
        raise Refused("finding_id", "认定记录不存在")
    if db.session.scalar(db.select(FlagFinding.id).where(FlagFinding.corrects_id == old.id)):
        raise Refused("finding_id", "该认定已被更正，请更正最新的认定")
    if finding not in (CONFIRMED, DISMISSED):
        raise Refused("finding", "请选择认定或排除")
    note, reason = (note or "").strip(), (reason or "").strip()
    if not note:
        raise Refused("note", "请写明核实情况")
    if not reason:
        raise Refused("reason", "请写明更正理由")
    if finding == old.finding and note == old.note:
        raise Refused("finding", "更正后的认定与原认定相同")
    row = FlagFinding(
        jurisdiction_id=old.jurisdiction_id,
        unit_id=old.unit_id,
        flag_id=old.flag_id,
        round_id=old.round_id,
        debt_id=old.debt_id,
        kind=old.kind,
        kind_label=old.kind_label,
        finding=finding,
        note=note,
        decided_on=clock.today(jurisdiction),
        decided_by_id=getattr(actor, "id", None),
        decided_by_name=getattr(actor, "label", "") or "",
        corrects_id=old.id,
        reason=reason,
    )
    db.session.add(row)
    db.session.flush()
    history.record(
        row,
        "corrected",
        before={"finding_id": old.id, "finding": old.finding, "note": old.note},
        after={"flag_id": old.flag_id, "finding": finding, "note": note},
        actor=actor,
        note=reason,
    )
    return row


def current(until=None):
    """A condition: findings no correction (made by ``until``) replaces."""
    later = aliased(FlagFinding)
    replaced = db.select(later.id).where(later.corrects_id == FlagFinding.id)
    if until is not None:
        replaced = replaced.where(later.decided_on <= until)
    return ~replaced.exists()


def confirmed(
    unit_ids: list[int] | None = None, *, jurisdiction_id: int | None = None, since=None, until=None
):
    """A select of confirmed findings, narrowed to units, a jurisdiction and a decision window.

    A finding later corrected counts only until its correction is decided: a bulletin as of an earlier
    date says what was known then.
    """
    stmt = db.select(FlagFinding).where(FlagFinding.finding == CONFIRMED, current(until))
    if unit_ids is not None:
        stmt = stmt.where(FlagFinding.unit_id.in_(unit_ids))
    if jurisdiction_id is not None:
        stmt = stmt.where(FlagFinding.jurisdiction_id == jurisdiction_id)
    if since is not None:
        stmt = stmt.where(FlagFinding.decided_on >= since)
    if until is not None:
        stmt = stmt.where(FlagFinding.decided_on <= until)
    return stmt.order_by(FlagFinding.decided_on, FlagFinding.id)


def current_by_flag(flag_ids: list[int]) -> dict[int, FlagFinding]:
    """The current finding (no correction replaces it) of each of ``flag_ids`` that has one."""
    if not flag_ids:
        return {}
    stmt = db.select(FlagFinding).where(FlagFinding.flag_id.in_(flag_ids), current())
    return {f.flag_id: f for f in db.session.scalars(stmt)}


def board(jurisdiction: TenantNode) -> list[dict]:
    """Every ledger flag of the jurisdiction the caller sees, with the finding made on it (if any)."""
    flag_model = model_of(FLAG_TABLE)
    if flag_model is None:
        return []
    flags = list(
        db.session.scalars(
            db.select(flag_model)
            .where(flag_model.jurisdiction_id == jurisdiction.id)
            .order_by(flag_model.id.desc())
        )
    )
    made = {
        f.flag_id: f
        for f in db.session.scalars(
            db.select(FlagFinding).where(FlagFinding.flag_id.in_([f.id for f in flags]), current())
        )
    }
    return [{"flag": f, "finding": made.get(f.id)} for f in flags]


def pending_count(jurisdiction: TenantNode | None) -> int:
    """Ledger flags of the jurisdiction with no finding yet."""
    flag_model = model_of(FLAG_TABLE)
    if flag_model is None or jurisdiction is None:
        return 0
    return db.session.scalar(
        db.select(db.func.count(flag_model.id)).where(
            flag_model.jurisdiction_id == jurisdiction.id,
            flag_model.id.not_in(db.select(FlagFinding.flag_id)),
        )
    )


__all__ = [
    "CONFIRMED",
    "DISMISSED",
    "FINDING_LABELS",
    "board",
    "confirmed",
    "correct",
    "current",
    "current_by_flag",
    "decide",
    "flags_installed",
    "pending_count",
]
