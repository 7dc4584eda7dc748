"""Pages: the office's year-end disclosure page, and the public page of what was published."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core import clock
from core.auth.context import current_user
from core.auth.permissions import permission, public
from core.extensions import db
from core.web.nav import NavItem
from plugins.disclosure.annual import service
from plugins.disclosure.annual.api import public_jurisdiction, published
from plugins.disclosure.annual.figures import figures

bp = Blueprint("disclosure_ui", __name__, template_folder="../templates")


def _year() -> int:
    last = clock.today().year - 1
    raw = request.values.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= last else last


@bp.route("/disclosure")
@permission("disclosure.read")
def annual():
    jurisdiction = g.principal.jurisdiction
    if jurisdiction is None:
        abort(404)
    year = _year()
    return render_template(
        "disclosure/annual.html",
        year=year,
        years=list(range(clock.today().year - 1, clock.today().year - 6, -1)),
        current=figures(jurisdiction, year),
        deadline=service.deadline(service.year_plan(jurisdiction, year), year),
        report=service.report_of(jurisdiction, year),
        jurisdiction=jurisdiction,
        can_publish=g.principal.can("disclosure.publish"),
    )


@bp.route("/disclosure", methods=["POST"])
@permission("disclosure.publish")
def annual_publish():
    jurisdiction = g.principal.jurisdiction
    if jurisdiction is None:
        abort(404)
    year = _year()
    try:
        report = service.publish(
            jurisdiction,
            year,
            actor=current_user(),
            today=clock.today(jurisdiction),
            note=request.form.get("note"),
        )
    except service.PublishRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".annual", year=year))
    db.session.commit()
    flash(f"已公开{year}年度数据（第 {report.version} 版）", "success")
    return redirect(url_for(".annual", year=year))


@bp.route("/public/<jurisdiction_code>/disclosure")
@public
def public_page(jurisdiction_code: str):
    jurisdiction = public_jurisdiction(jurisdiction_code)
    if jurisdiction is None:
        abort(404)
    reports = [service.public_view(report) for report in published(jurisdiction)]
    tables = [public_table(r["rows"], jurisdiction) for r in reports]
    return render_template(
        "disclosure/public.html", jurisdiction=jurisdiction, reports=list(zip(reports, tables, strict=True))
    )


def public_table(rows: list[dict], jurisdiction) -> dict:
    """The published 机关、事业单位 rows as the public reads them: the jurisdiction's own level first,
    labelled （本级）, then the units owing most, then the rest by name; with their exact 合计."""
    public_rows = [dict(r) for r in rows if r.get("channel") == "public"]
    for row in public_rows:
        row["amount_value"] = Decimal(str(row.get("amount") or "0"))
        if row.get("unit_id") == jurisdiction.id:
            row["unit_name"] = f"{row['unit_name']}（本级）"
    ordered = sorted(
        public_rows,
        key=lambda r: (r.get("unit_id") != jurisdiction.id, -r["amount_value"], -int(r.get("count") or 0)),
    )
    return {
        "rows": ordered,
        "count": sum(int(r.get("count") or 0) for r in public_rows),
        "amount": sum((r["amount_value"] for r in public_rows), Decimal("0.00")),
    }


def NAV(tenant, user) -> list[NavItem]:  # noqa: N802 - the plugin skeleton collects this name
    return [
        NavItem(
            "信息公开",
            endpoint="disclosure_ui.annual",
            order=70,
            permission="disclosure.read",
            plugin="disclosure",
        )
    ]
