"""Publishing a year's disclosure: the figures frozen as published, republished only with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.extensions import db
from core.models.base import utcnow
from core.services import history
from core.tenancy.models import TenantNode
from core.web.templating import cn_date
from plugins.disclosure.annual.figures import figures
from plugins.disclosure.annual.models import DisclosureReport

DEFAULT_DEADLINE = (3, 31)  # 条例第十八条: by 31 March of the following year


class PublishRefused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def deadline(plan: dict, year: int) -> dt.date:
    """When ``year``'s disclosure is due: ``year``'s plan deadline ``disclosure`` when it falls in the next
    year, else the plan's "MM-DD" (``disclosure.deadline`` or ``rules.disclosure_deadline``), else 31 March.

    Pass the plan of ``year`` (``plan_for(node, on=date(year, 12, 31))``): its deadlines are that year's.
    """
    planned = ((plan or {}).get("deadlines") or {}).get("disclosure")
    if planned and str(planned)[:4] == str(year + 1):
        return dt.date.fromisoformat(str(planned)[:10])
    month, day = DEFAULT_DEADLINE
    raw = str(
        ((plan or {}).get("disclosure") or {}).get("deadline")
        or ((plan or {}).get("rules") or {}).get("disclosure_deadline")
        or ""
    )
    if len(raw) == 5 and raw[2] == "-" and raw.replace("-", "").isdigit():
        month, day = int(raw[:2]), int(raw[3:])
    return dt.date(year + 1, month, day)


def year_plan(jurisdiction: TenantNode, year: int) -> dict:
    """The plan whose deadlines govern ``year``'s disclosure: the one in force at the end of ``year``."""
    from core.tenancy.plans import plan_for

    return plan_for(jurisdiction, on=dt.date(year, 12, 31))


def public_view(report: DisclosureReport) -> dict:
    """What the public page shows of a report: the agencies' and institutions' rows and their totals.

    SOEs disclose in their own annual report (条例第十八条), so their rows stay on the office's side.
    """
    rows = [row for row in report.rows if row.get("channel") == "public"]
    return {
        "id": report.id,
        "year": report.year,
        "version": report.version,
        "note": report.note,
        "published_at": report.published_at,
        "rows": rows,
        "total_count": sum(int(row["count"]) for row in rows),
        "total_amount": sum((Decimal(row["amount"]) for row in rows), Decimal("0.00")),
    }


def report_of(jurisdiction: TenantNode, year: int) -> DisclosureReport | None:
    return db.session.scalar(
        db.select(DisclosureReport).where(
            DisclosureReport.jurisdiction_id == jurisdiction.id, DisclosureReport.year == year
        )
    )


def publish(jurisdiction: TenantNode, year: int, *, actor, today: dt.date, note: str | None = None):
    """Freeze ``year``'s figures as the jurisdiction's publication; a second time needs a reason."""
    if year >= today.year:
        raise PublishRefused("year", f"{year}年尚未结束，只能公开已结束年度的数据")
    current = figures(jurisdiction, year)
    note = (note or "").strip() or None
    report = report_of(jurisdiction, year)
    rows = [u.as_json() for u in current.units]
    if report is not None and not note:
        published_on = cn_date(clock.local_date(report.published_at, jurisdiction))
        raise PublishRefused("note", f"{year}年度已于{published_on}公开；重新公开须说明更正原因")
    before = None
    if report is None:
        report = DisclosureReport(jurisdiction_id=jurisdiction.id, year=year, version=1)
        db.session.add(report)
    else:
        before = {"total_count": report.total_count, "total_amount": f"{report.total_amount:.2f}"}
        report.version += 1
    report.rows = rows
    report.total_count = current.total_count
    report.total_amount = current.total_amount
    report.note = note
    report.published_at = utcnow()
    report.published_by_id = getattr(actor, "id", None)
    db.session.flush()
    after = {
        "total_count": report.total_count,
        "total_amount": f"{report.total_amount:.2f}",
        "version": report.version,
    }
    history.record(
        report,
        "published" if before is None else "republished",
        before=before,
        after=after,
        actor=actor,
        note=note,
    )
    return report
