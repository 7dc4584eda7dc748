"""Web shell views. (Placeholder login so the gate has a target; the full shell is built on this.)"""

from __future__ import annotations

from flask import Blueprint

from core.auth.permissions import public

bp = Blueprint("web", __name__, template_folder="templates", static_folder=None)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    return "login"
