"""The complaints list as people search it: filters (status, unit, channel, dates, text), sorting by
deadline, and the same selection exported to Excel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, or_

from core.extensions import db
from core.tenancy.models import TenantNode
from core.web.labels import filter_error_messages
from plugins.complaints.models import CHANNEL_LABELS, STATUS_LABELS, Complaint, Status

SORTS = {
    "-id": "最新登记在前",
    "deadline": "期限最近在前",
    "-received_on": "收到日期从近到远",
    "received_on": "收到日期从远到近",
    "-amount": "金额从高到低",
}
FIELD_NAMES = {
    "status": "状态",
    "channel": "来源",
    "unit": "单位",
    "received_from": "收到日期（起）",
    "received_to": "收到日期（止）",
    "q": "关键词",
    "sort": "排序",
}


def deadline_column():
    """The case's current deadline in SQL (as ``service.deadline_of``): to transfer, or to report back."""
    return case(
        (Complaint.status.in_([Status.RECEIVED.value, Status.ACCEPTED.value]), Complaint.transfer_due),
        (Complaint.status == Status.TRANSFERRED.value, Complaint.result_due),
        else_=None,
    )


def _date(raw: str, errors: dict, key: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        errors[key] = ["日期格式应为 2023-08-25"]
        return None


def parse(args) -> tuple[dict[str, Any], list[str]]:
    """The filters from a query string and, for the bad ones, Chinese sentences naming field and choices."""
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for key, allowed in (("status", STATUS_LABELS), ("channel", CHANNEL_LABELS), ("sort", SORTS)):
        value = (args.get(key) or "").strip()
        if value and value not in {str(k) for k in allowed}:
            errors[key] = ["不是可选的值"]
        elif value:
            out[key] = value
    unit = (args.get("unit") or "").strip()
    if unit:
        if unit.isdigit():
            out["unit"] = int(unit)
        else:
            errors["unit"] = ["请从列表中选择单位"]
    out["received_from"] = _date((args.get("received_from") or "").strip(), errors, "received_from")
    out["received_to"] = _date((args.get("received_to") or "").strip(), errors, "received_to")
    if out["received_from"] and out["received_to"] and out["received_from"] > out["received_to"]:
        errors["received_from"] = ["起始日期不能晚于截止日期"]
    out["q"] = (args.get("q") or "").strip()[:100]
    messages = filter_error_messages(
        errors,
        {k: args.getlist(k) for k in errors},
        {
            "status": {str(k): v for k, v in STATUS_LABELS.items()},
            "channel": {str(k): v for k, v in CHANNEL_LABELS.items()},
            "sort": SORTS,
        },
        FIELD_NAMES,
    )
    return out, messages


def statement(filters: dict[str, Any]):
    stmt = db.select(Complaint)
    if filters.get("status"):
        stmt = stmt.where(Complaint.status == filters["status"])
    if filters.get("channel"):
        stmt = stmt.where(Complaint.channel == filters["channel"])
    if filters.get("unit"):
        node = db.session.get(TenantNode, filters["unit"])
        # A unit the reader cannot see selects nothing rather than failing.
        subtree = db.select(TenantNode.id).where(TenantNode.path.startswith(node.path)) if node else None
        stmt = (
            stmt.where(or_(Complaint.unit_id.in_(subtree), Complaint.debtor_unit_id.in_(subtree)))
            if subtree is not None
            else stmt.where(db.false())
        )
    if filters.get("received_from"):
        stmt = stmt.where(Complaint.received_on >= filters["received_from"])
    if filters.get("received_to"):
        stmt = stmt.where(Complaint.received_on <= filters["received_to"])
    if filters.get("q"):
        like = "%" + filters["q"].replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(
            or_(
                *(
                    column.like(like, escape="\\")
                    for column in (
                        Complaint.tracking_code,
                        Complaint.creditor_name,
                        Complaint.debtor_text,
                        Complaint.contract_no,
                        Complaint.contract_name,
                    )
                )
            )
        )
    sort = filters.get("sort") or "-id"
    if sort == "deadline":
        due = deadline_column()
        # Cases without a running deadline go last.
        stmt = stmt.order_by(due.is_(None), due, Complaint.id)
    elif sort == "-amount":
        stmt = stmt.order_by(Complaint.amount.is_(None), Complaint.amount.desc(), Complaint.id.desc())
    elif sort.lstrip("-") == "received_on":
        column = Complaint.received_on
        stmt = stmt.order_by(column.desc() if sort.startswith("-") else column, Complaint.id.desc())
    else:
        stmt = stmt.order_by(Complaint.id.desc())
    return stmt
