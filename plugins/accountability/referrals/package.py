"""The referral package: a .docx summary and a .zip of the evidence (ledger snapshots the unit submitted,
the concealment flags with their diffs, the history of its debts, the supervision timeline)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from core import clock
from core.extensions import db
from core.models.debt import Debt
from core.models.event import Event
from core.plugins import model_of
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.accountability.findings import service as findings
from plugins.accountability.findings.models import CONFIRMED, FlagFinding
from plugins.accountability.measures.service import outstanding
from plugins.accountability.referrals.models import Referral
from plugins.accountability.supervision.models import Supervision, SupervisionStep


def _ids(unit: TenantNode) -> list[int]:
    return list(db.session.scalars(db.select(TenantNode.id).where(TenantNode.path.startswith(unit.path))))


def _correction(finding: FlagFinding, current: FlagFinding | None) -> dict | None:
    if current is None or current.id == finding.id:
        return None
    return {
        "finding_id": current.id,
        "finding": current.finding_label,
        "decided_on": current.decided_on.isoformat(),
        "decided_by": current.decided_by_name,
        "reason": current.reason,
        "note": current.note,
    }


def evidence(referral: Referral) -> dict:
    unit = db.session.get(TenantNode, referral.unit_id)
    ids = _ids(unit)
    flag, submission = model_of("ledger_flags"), model_of("ledger_submissions")
    # Only the confirmed findings the referral was built from: a flag still 待核实, or dismissed, is not
    # evidence of concealment.
    chosen = list(
        db.session.scalars(
            db.select(FlagFinding)
            .where(FlagFinding.id.in_(referral.finding_ids or []), FlagFinding.finding == CONFIRMED)
            .order_by(FlagFinding.id)
        )
    )
    latest = findings.current_by_flag([c.flag_id for c in chosen])
    raised = (
        {f.id: f for f in db.session.scalars(db.select(flag).where(flag.id.in_([c.flag_id for c in chosen])))}
        if flag is not None
        else {}
    )
    flags = [
        {
            "finding_id": c.id,
            "flag_id": c.flag_id,
            "debt_id": c.debt_id,
            "kind": c.kind_label,
            "finding": c.finding_label,
            "decided_on": c.decided_on.isoformat(),
            "decided_by": c.decided_by_name,
            "note": c.note,
            # The ledger's own record of the flag (the diff between rounds) while the ledger has it.
            "details": raised[c.flag_id].details if c.flag_id in raised else None,
            "ledger_status": raised[c.flag_id].status if c.flag_id in raised else None,
            "ledger_note": raised[c.flag_id].resolution_note if c.flag_id in raised else None,
            # A finding corrected after the referral was built stays in it as it was, with what replaced it.
            "corrected": _correction(c, latest.get(c.flag_id)),
        }
        for c in chosen
    ]
    snapshots = (
        [
            {
                "id": s.id,
                "round_id": s.round_id,
                "unit_id": s.unit_id,
                "status": s.status,
                "late": s.late,
                "submitted_at": s.submitted_at.isoformat(),
                "total_owed": f"{s.total_owed:.2f}",
                "total_outstanding": f"{s.total_outstanding:.2f}",
                "rows": s.rows,
            }
            for s in db.session.scalars(
                db.select(submission).where(submission.unit_id.in_(ids)).order_by(submission.id)
            )
        ]
        if submission is not None
        else []
    )
    debt_ids = list(db.session.scalars(db.select(Debt.id).where(Debt.unit_id.in_(ids))))
    supervisions = list(db.session.scalars(db.select(Supervision).where(Supervision.unit_id.in_(ids))))
    events = list(
        db.session.scalars(
            db.select(Event)
            .where(
                db.or_(
                    db.and_(Event.entity_type == "debts", Event.entity_id.in_(debt_ids)),
                    db.and_(
                        Event.entity_type == "accountability_supervisions",
                        Event.entity_id.in_([s.id for s in supervisions]),
                    ),
                    db.and_(
                        Event.entity_type == "accountability_flag_findings",
                        Event.entity_id.in_([c.id for c in chosen]),
                    ),
                    db.and_(
                        Event.entity_type == "ledger_flags", Event.entity_id.in_([c.flag_id for c in chosen])
                    ),
                )
            )
            .order_by(Event.at, Event.id)
        )
    )
    steps = list(
        db.session.scalars(
            db.select(SupervisionStep)
            .where(SupervisionStep.supervision_id.in_([s.id for s in supervisions]))
            .order_by(SupervisionStep.at, SupervisionStep.id)
        )
    )
    return {
        "unit": unit,
        "flags": flags,
        "snapshots": snapshots,
        "events": events,
        "supervisions": supervisions,
        "steps": steps,
        "outstanding": outstanding(unit),
    }


def summary_docx(referral: Referral, facts: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    unit = facts["unit"]
    today = clock.today(unit)
    overdue = sum(1 for s in facts["supervisions"] if s.status == "open" and s.deadline < today)
    doc = Document()
    title = doc.add_heading(f"关于移送{unit.name}拖欠中小企业账款问题线索的函", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"移送依据：{referral.basis}")
    doc.add_paragraph(
        f"截至{cn_date(today)}，{unit.name}尚有拖欠中小企业账款{Decimal(facts['outstanding']):,.2f}元；"
        f"台账报送{len(facts['snapshots'])}次，经认定的瞒报漏报{len(facts['flags'])}条，"
        f"挂牌督办事项{len(facts['supervisions'])}项（逾期未办结"
        f"{overdue}项）。"
    )
    if facts["flags"]:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("疑点", "欠款编号", "认定日期", "核实情况"), strict=True):
            cell.text = text
        for f in facts["flags"]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = str(f["kind"]), str(f["debt_id"])
            cells[2].text = cn_date(dt.date.fromisoformat(f["decided_on"]))
            cells[3].text = f["note"]
    for s in facts["supervisions"]:
        doc.add_paragraph(f"挂牌督办：{s.subject_label}，期限{cn_date(s.deadline)}，{s.status_label}。")
    doc.add_paragraph("附件：台账报送快照、经认定的瞒报漏报及差异、欠款历史记录、督办过程记录（见证据包）。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # Excel opens UTF-8 with a BOM


def to_zip(referral: Referral) -> bytes:
    facts = evidence(referral)
    unit = db.session.get(TenantNode, referral.unit_id)  # its jurisdiction's clock reads the times
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("移送摘要.docx", summary_docx(referral, facts))
        z.writestr(
            "台账报送快照.json", json.dumps(facts["snapshots"], ensure_ascii=False, indent=1, default=str)
        )
        z.writestr(
            "经认定的瞒报漏报及差异.json",
            json.dumps(facts["flags"], ensure_ascii=False, indent=1, default=str),
        )
        z.writestr(
            "历史记录.csv",
            _csv(
                ["时间", "对象", "编号", "操作", "操作人", "变更前", "变更后", "说明"],
                [
                    [
                        clock.to_local(e.at, unit).isoformat(),
                        e.entity_type,
                        e.entity_id,
                        e.action,
                        e.actor_name or "",
                        json.dumps(e.before, ensure_ascii=False) if e.before else "",
                        json.dumps(e.after, ensure_ascii=False) if e.after else "",
                        e.note or "",
                    ]
                    for e in facts["events"]
                ],
            ),
        )
        z.writestr(
            "督办过程.csv",
            _csv(
                ["时间", "督办事项编号", "操作", "操作人", "内容"],
                [
                    [clock.to_local(s.at, unit).isoformat(), s.supervision_id, s.action, s.actor_name, s.note]
                    for s in facts["steps"]
                ],
            ),
        )
    return out.getvalue()
