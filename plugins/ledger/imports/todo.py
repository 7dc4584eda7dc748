"""Imports read and waiting for the clerk to commit them, on the clerk's to-do list."""

from __future__ import annotations

from flask import g, url_for

from core.extensions import db
from core.web.nav import TodoItem
from plugins.ledger.imports.models import ImportStatus, LedgerImport


def todo(tenant, user) -> list[TodoItem]:
    rows = db.session.scalars(
        db.select(LedgerImport)
        .where(LedgerImport.status == ImportStatus.PREVIEWED, LedgerImport.uploaded_by_id == user.id)
        .order_by(LedgerImport.id)
        .limit(10)
    )
    return [
        TodoItem(
            f"导入待确认：{row.original_filename}",
            url=url_for("ledger_imports_ui.import_detail", import_id=row.id),
            action="去确认导入",
            order=25,
        )
        for row in rows
        if g.principal.can("ledger.import")
    ]
