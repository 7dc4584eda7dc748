"""Public pages per jurisdiction: the complaint form and the status lookup (no login, phone-first)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from core.auth.permissions import public
from plugins.complaints.intake import service

bp = Blueprint(
    "complaints_public_pages",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/public/complaints/static",
)


def _jurisdiction(code: str):
    node = service.public_jurisdiction(code)
    if node is None:
        abort(404)
    return node


@bp.route("/public/<jurisdiction_code>/complaints/new")
@public
def new(jurisdiction_code: str):
    jurisdiction = _jurisdiction(jurisdiction_code)
    return render_template(
        "complaints/public_new.html",
        jurisdiction=jurisdiction,
        sizes=service.SIZES,
        categories=service.CATEGORIES,
    )


@bp.route("/public/<jurisdiction_code>/complaints/status")
@public
def status(jurisdiction_code: str):
    return render_template("complaints/public_status.html", jurisdiction=_jurisdiction(jurisdiction_code))
