"""The tables of a bulletin, generated from live data under the caller's tenant scope.

Each section is plain JSON (money as strings in 元, to the fen) so an issued bulletin keeps exactly what it
said. Sections that need another plugin's records (agreements' installments, complaints, ledger rounds and
flags) find that plugin's mapped table by name and are left out when the plugin is not installed: this
plugin imports no other plugin.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core.extensions import db
from core.plugins import model_of
from core.services import dashboard
from core.tenancy.models import TenantNode

ZERO = Decimal("0.00")
TEXT, MONEY, RATIO, INT, DATE, POINTS = "text", "money", "ratio", "int", "date", "points"


def milestone(plan: dict, as_of: dt.date) -> Decimal | None:
    """The clearance ratio the plan requires by ``as_of``: the highest milestone already due.

    Milestones are the plan's ``accountability.milestones`` (``[{by, cleared_ratio}]``) and its final
    ``targets.cleared_ratio`` by ``targets.cleared_ratio_by``. None when no milestone is due yet.
    """
    targets = (plan or {}).get("targets") or {}
    points = list(((plan or {}).get("accountability") or {}).get("milestones") or [])
    if targets.get("cleared_ratio") is not None and targets.get("cleared_ratio_by"):
        points.append({"by": targets["cleared_ratio_by"], "cleared_ratio": targets["cleared_ratio"]})
    due = [
        Decimal(str(p["cleared_ratio"]))
        for p in points
        if p.get("by") and dt.date.fromisoformat(str(p["by"])) <= as_of
    ]
    return max(due) if due else None


def _column(key: str, label: str, kind: str = TEXT) -> dict:
    return {"key": key, "label": label, "kind": kind}


def _units(jurisdiction: TenantNode) -> dict[int, TenantNode]:
    nodes = db.session.scalars(db.select(TenantNode).where(TenantNode.path.startswith(jurisdiction.path)))
    return {n.id: n for n in nodes}


def clearance(jurisdiction: TenantNode, plan: dict, as_of: dt.date) -> dict:
    """Units of the first level ranked by clearance ratio, with the gap to the milestone due."""
    top = [n for n in dashboard.top_units(jurisdiction, True, []) if n.active]
    summary = dashboard.summary(as_of, jurisdiction=jurisdiction, units=top)
    target = milestone(plan, as_of)
    ranked = sorted(
        (u for u in summary["by_unit"] if u["owed"] > 0),
        key=lambda u: (-u["clearance_rate"], u["name"]),
    )
    rows = []
    for rank, u in enumerate(ranked, start=1):
        gap = None if target is None else ((u["clearance_rate"] - target) * 100).quantize(Decimal("0.01"))
        rows.append(
            {
                "rank": rank,
                "unit_id": u["unit_id"],
                "unit_name": u["name"],
                "owed": f"{u['owed']:.2f}",
                "cleared": f"{u['cleared']:.2f}",
                "outstanding": f"{u['outstanding']:.2f}",
                "ratio": f"{u['clearance_rate']:.4f}",
                "target": None if target is None else f"{target:.4f}",
                "gap": None if gap is None else f"{gap:.2f}",
                "behind": gap is not None and gap < 0,
            }
        )
    totals = summary["totals"]
    return {
        "key": "clearance",
        "title": "各单位清偿进度排名",
        "columns": [
            _column("rank", "排名", INT),
            _column("unit_name", "单位"),
            _column("owed", "欠款总额", MONEY),
            _column("cleared", "已清偿", MONEY),
            _column("outstanding", "未清偿", MONEY),
            _column("ratio", "清偿率", RATIO),
            _column("target", "进度目标", RATIO),
            _column("gap", "差距（百分点）", POINTS),
        ],
        "rows": rows,
        "total": {
            "rank": "合计",
            "unit_name": "",
            "owed": f"{totals['owed']:.2f}",
            "cleared": f"{totals['cleared']:.2f}",
            "outstanding": f"{totals['outstanding']:.2f}",
            "ratio": f"{totals['clearance_rate']:.4f}",
            "target": None if target is None else f"{target:.4f}",
            "gap": None,
        },
        "note": "不含已进入司法程序和经核实不属于清欠范围的欠款。"
        + ("" if target is not None else "截至统计日尚无到期的进度目标。"),
        "behind": [r["unit_name"] for r in rows if r["behind"]],
    }


def installments(jurisdiction: TenantNode, as_of: dt.date) -> dict | None:
    """Installments of repayment agreements due before ``as_of`` and not paid in full."""
    installment = model_of("agreements_installments")
    agreement = model_of("agreements_agreements")
    if installment is None or agreement is None:
        return None
    units = _units(jurisdiction)
    found = db.session.execute(
        db.select(installment, agreement.creditor_party, agreement.debt_id)
        .join(agreement, agreement.id == installment.agreement_id)
        .where(
            installment.jurisdiction_id == jurisdiction.id,
            installment.due_on < as_of,
            installment.amount > installment.paid_amount,
        )
        .order_by(installment.due_on, installment.id)
    ).all()
    rows, total_due, total_left = [], ZERO, ZERO
    for item, creditor, debt_id in found:
        left = item.amount - (item.paid_amount or ZERO)
        total_due += item.amount
        total_left += left
        rows.append(
            {
                "installment_id": item.id,
                "debt_id": debt_id,
                "unit_id": item.unit_id,
                "unit_name": units[item.unit_id].name if item.unit_id in units else "",
                "creditor": creditor,
                "seq": item.seq,
                "due_on": item.due_on.isoformat(),
                "amount": f"{item.amount:.2f}",
                "left": f"{left:.2f}",
                "days": (as_of - item.due_on).days,
            }
        )
    return {
        "key": "installments",
        "title": "还款协议分期逾期未付",
        "columns": [
            _column("unit_name", "单位"),
            _column("creditor", "债权人"),
            _column("seq", "期次", INT),
            _column("due_on", "应付日期", DATE),
            _column("amount", "应付金额", MONEY),
            _column("left", "未付金额", MONEY),
            _column("days", "逾期天数", INT),
        ],
        "rows": rows,
        "total": {
            "unit_name": "合计",
            "creditor": f"{len(rows)}期",
            "seq": None,
            "due_on": None,
            "amount": f"{total_due:.2f}",
            "left": f"{total_left:.2f}",
            "days": None,
        },
        "note": "",
    }


OPEN_COMPLAINTS = ("received", "accepted", "transferred", "tracking")
NOT_TRANSFERRED = ("received", "accepted")


def complaints(jurisdiction: TenantNode, as_of: dt.date) -> dict | None:
    """Open complaints past their transfer deadline (not yet transferred) or their result deadline."""
    complaint = model_of("complaints")
    if complaint is None:
        return None
    units = _units(jurisdiction)
    late_transfer = db.and_(complaint.status.in_(NOT_TRANSFERRED), complaint.transfer_due < as_of)
    late_result = db.and_(complaint.result_due.is_not(None), complaint.result_due < as_of)
    found = db.session.scalars(
        db.select(complaint)
        .where(
            complaint.jurisdiction_id == jurisdiction.id,
            complaint.status.in_(OPEN_COMPLAINTS),
            db.or_(late_transfer, late_result),
        )
        .order_by(complaint.received_on, complaint.id)
    ).all()
    rows, total = [], ZERO
    for c in found:
        transfer_late = c.status in NOT_TRANSFERRED and c.transfer_due < as_of
        deadline = c.transfer_due if transfer_late else c.result_due
        total += c.amount
        rows.append(
            {
                "unit_id": c.unit_id,
                "unit_name": units[c.unit_id].name if c.unit_id in units else "",
                "tracking_code": c.tracking_code,
                "stage": "超期未转办" if transfer_late else "超期未办结",
                "deadline": deadline.isoformat(),
                "days": (as_of - deadline).days,
                "amount": f"{c.amount:.2f}",
            }
        )
    return {
        "key": "complaints",
        "title": "投诉线索超期未办理",
        "columns": [
            _column("unit_name", "承办单位"),
            _column("tracking_code", "投诉编号"),
            _column("stage", "情况"),
            _column("deadline", "办理期限", DATE),
            _column("days", "超期天数", INT),
            _column("amount", "涉及金额", MONEY),
        ],
        "rows": rows,
        "total": {
            "unit_name": "合计",
            "tracking_code": f"{len(rows)}件",
            "stage": None,
            "deadline": None,
            "days": None,
            "amount": f"{total:.2f}",
        },
        "note": "",
    }


def reporting(jurisdiction: TenantNode, as_of: dt.date) -> dict | None:
    """The latest ledger round whose deadline has passed: units that reported late or not at all."""
    round_model = model_of("ledger_rounds")
    member = model_of("ledger_round_units")
    submission = model_of("ledger_submissions")
    if round_model is None or member is None or submission is None:
        return None
    latest = db.session.scalars(
        db.select(round_model)
        .where(round_model.jurisdiction_id == jurisdiction.id, round_model.deadline < as_of)
        .order_by(round_model.deadline.desc(), round_model.id.desc())
        .limit(1)
    ).first()
    section: dict[str, Any] = {
        "key": "reporting",
        "title": "台账报送迟报、未报情况",
        "columns": [
            _column("unit_name", "单位"),
            _column("state", "情况"),
            _column("submitted_on", "报送日期", DATE),
        ],
        "rows": [],
        "total": None,
        "note": "截至统计日没有已截止的台账报送轮次。",
    }
    if latest is None:
        return section
    units = _units(jurisdiction)
    live = {
        s.unit_id: s
        for s in db.session.scalars(
            db.select(submission).where(submission.round_id == latest.id, submission.status != "reopened")
        )
    }
    members = db.session.scalars(db.select(member.unit_id).where(member.round_id == latest.id)).all()
    rows = []
    for unit_id in sorted(members, key=lambda i: units[i].path if i in units else ""):
        sub = live.get(unit_id)
        if sub is not None and not sub.late:
            continue
        rows.append(
            {
                "unit_id": unit_id,
                "unit_name": units[unit_id].name if unit_id in units else "",
                "round_id": latest.id,
                "deadline": latest.deadline.isoformat(),
                "state": "未报送" if sub is None else "迟报",
                "submitted_on": None if sub is None else sub.submitted_at.date().isoformat(),
            }
        )
    section["rows"] = rows
    section["note"] = (
        f"报送轮次：{latest.name}，截止日期{latest.deadline.year}年{latest.deadline.month}月"
        f"{latest.deadline.day}日；应报 {len(members)} 个单位，未报 "
        f"{sum(r['state'] == '未报送' for r in rows)} 个，迟报 {sum(r['state'] == '迟报' for r in rows)} 个。"
    )
    return section


def flags(jurisdiction: TenantNode, as_of: dt.date) -> dict | None:
    """Concealment (瞒报、漏报) the office confirmed by ``as_of``; flags still 待核实 or dismissed are not
    counted, only mentioned in the note."""
    from core.models.debt import Debt
    from plugins.accountability.findings.models import FlagFinding
    from plugins.accountability.findings.service import confirmed

    flag = model_of("ledger_flags")
    if flag is None:
        return None
    units = _units(jurisdiction)
    found = db.session.execute(
        confirmed(jurisdiction_id=jurisdiction.id, until=as_of)
        .add_columns(Debt.amount_owed)
        .join(Debt, Debt.id == FlagFinding.debt_id)
    ).all()
    rows, total = [], ZERO
    for item, owed in found:
        total += owed
        rows.append(
            {
                "unit_id": item.unit_id,
                "unit_name": units[item.unit_id].name if item.unit_id in units else "",
                "kind": item.kind_label,
                "decided_on": item.decided_on.isoformat(),
                "amount": f"{owed:.2f}",
            }
        )
    pending = db.session.scalar(
        db.select(db.func.count(flag.id)).where(
            flag.jurisdiction_id == jurisdiction.id, flag.id.not_in(db.select(FlagFinding.flag_id))
        )
    )
    return {
        "key": "flags",
        "title": "经认定的瞒报、漏报",
        "columns": [
            _column("unit_name", "单位"),
            _column("kind", "情形"),
            _column("decided_on", "认定日期", DATE),
            _column("amount", "涉及金额", MONEY),
        ],
        "rows": rows,
        "total": {
            "unit_name": "合计",
            "kind": f"{len(rows)}条",
            "decided_on": None,
            "amount": f"{total:.2f}",
        },
        "note": f"另有{pending}条疑点尚未认定，未计入。" if pending else "",
    }


def supervisions(jurisdiction: TenantNode, as_of: dt.date) -> dict:
    """Supervision items still open after their deadline (挂牌督办逾期未办结)."""
    from plugins.accountability.supervision.models import Supervision

    units = _units(jurisdiction)
    found = db.session.scalars(
        db.select(Supervision)
        .where(
            Supervision.jurisdiction_id == jurisdiction.id,
            Supervision.status == "open",
            Supervision.deadline < as_of,
        )
        .order_by(Supervision.deadline, Supervision.id)
    ).all()
    rows = [
        {
            "unit_id": s.unit_id,
            "unit_name": units[s.unit_id].name if s.unit_id in units else "",
            "subject": s.subject_label,
            "deadline": s.deadline.isoformat(),
            "days": (as_of - s.deadline).days,
        }
        for s in found
    ]
    return {
        "key": "supervisions",
        "title": "挂牌督办事项逾期未办结",
        "columns": [
            _column("unit_name", "单位"),
            _column("subject", "督办事项"),
            _column("deadline", "办结期限", DATE),
            _column("days", "逾期天数", INT),
        ],
        "rows": rows,
        "total": None,
        "note": "",
    }


def generate(jurisdiction: TenantNode, plan: dict, as_of: dt.date) -> list[dict]:
    sections = [
        clearance(jurisdiction, plan, as_of),
        reporting(jurisdiction, as_of),
        installments(jurisdiction, as_of),
        complaints(jurisdiction, as_of),
        flags(jurisdiction, as_of),
        supervisions(jurisdiction, as_of),
    ]
    return [s for s in sections if s is not None]
