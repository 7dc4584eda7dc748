"""Ledger imports: upload → preview (new / changed / unchanged / rejected) → commit, as background jobs.

- ``models``: LedgerImport (one upload), LedgerImportRow (its per-row preview), LedgerRowKey (row key → debt),
  LedgerColumnMapping (headers users mapped from a preview, per jurisdiction).
- ``mapping``: remembering those mappings and re-parsing an import with them.
- ``service``: storing uploads, the subtree-only unit resolver, the preview, the one-transaction commit.
- ``jobs``: ``ledger_parse`` and ``ledger_commit``.
- ``api``: /api/v1/ledger/imports… and /api/v1/ledger/template; ``views``: the /ledger/imports pages.
"""

from __future__ import annotations

from plugins.ledger.imports.api import blp as _api_blp
from plugins.ledger.imports.jobs import JOBS
from plugins.ledger.imports.models import LedgerColumnMapping, LedgerImport, LedgerImportRow, LedgerRowKey
from plugins.ledger.imports.todo import todo as TODO  # noqa: N812
from plugins.ledger.imports.views import bp as _ui_bp
from plugins.ledger.imports.views import nav as NAV  # noqa: N812  (the part protocol's name)

MODELS: list = [LedgerImport, LedgerImportRow, LedgerRowKey, LedgerColumnMapping]
API_BLUEPRINTS: list = [_api_blp]
UI_BLUEPRINTS: list = [_ui_bp]
SAMPLE_FILENAME = "甲一镇欠款台账（隔离示例）.xlsx"

__all__ = ["API_BLUEPRINTS", "JOBS", "MODELS", "NAV", "TODO", "UI_BLUEPRINTS", "sample_objects"]


def sample_objects(unit, user) -> list:
    """One import of ``unit`` (and, when the current scope may write there, a debt with its row key).

    Nothing is flushed unless the scope covers the unit: the isolation test hands an outsider's scope and
    expects the refusal at its own flush, not inside this hook.
    """
    import datetime as dt
    from decimal import Decimal

    from core.extensions import db
    from core.rules.credit_code import make
    from core.services import debts as debt_service
    from core.tenancy.scope import current_scope
    from plugins.ledger.imports.models import ImportStatus

    imp = LedgerImport(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        uploaded_by_id=getattr(user, "id", None),
        original_filename=SAMPLE_FILENAME,
        stored_path="",
        file_size=0,
        sha256="0" * 64,
        status=ImportStatus.PREVIEWED,
        dry_run=True,
    )
    db.session.add(imp)
    objects: list = [imp]
    if not current_scope().covers_unit(unit.id, unit.jurisdiction_id):
        return objects
    from plugins.ledger.parsing.headers import header_key

    header = f"隔离示例责任人{unit.code}"  # one per unit: the header is unique per jurisdiction
    mapping = LedgerColumnMapping(
        jurisdiction_id=unit.jurisdiction_id,
        header=header,
        header_key=header_key(header)[0],
        field="_ignored",
    )
    db.session.add(mapping)
    objects.append(mapping)
    creditor, _ = debt_service.register_enterprise(
        unit,
        {"name": "台账导入示例建材有限公司", "credit_code": make("91140922MA0L2D3E4"), "size_class": "small"},
        actor=user,
    )
    debt, _ = debt_service.create_debt(
        unit,
        {
            "project_name": "台账导入示例采购项目",
            "contract_no": "LEDGER-IMP-0001",
            "category": "goods",
            "amount_owed": Decimal("52000.00"),
            "delivery_date": dt.date(2023, 3, 1),
        },
        creditor,
        actor=user,
    )
    key = LedgerRowKey(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        debt_id=debt.id,
        row_key=f"{unit.code}|{creditor.credit_code}|LEDGER-IMP-0001",
        import_id=None,
    )
    db.session.add(key)
    objects.append(key)
    from core.tenancy.names import save_alias

    objects.append(save_alias(unit, f"{unit.name}（台账别名示例）", actor=user))
    return objects
