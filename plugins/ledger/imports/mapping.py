"""Column mappings users choose in a preview: "this header is that field" (or "ignore it").

They are remembered per jurisdiction (``LedgerColumnMapping``) and win over every synonym in the
jurisdiction's later uploads; choosing them re-parses the import they were chosen on.
"""

from __future__ import annotations

from core.extensions import db
from core.models.base import utcnow
from plugins.ledger.imports.models import ImportStatus, LedgerColumnMapping, LedgerImport
from plugins.ledger.parsing.headers import IGNORED, MAPPABLE_LABELS, header_key

# What a user may map a column to; "" removes a remembered mapping.
CHOICES: dict[str, str] = {**MAPPABLE_LABELS, IGNORED: "忽略此列"}
REPARSABLE = (ImportStatus.PREVIEWED, ImportStatus.FAILED)


def saved_mapping(jurisdiction_id: int) -> dict[str, str]:
    """header → field of the jurisdiction's remembered mappings (the parser matches headers loosely)."""
    rows = db.session.execute(
        db.select(LedgerColumnMapping.header, LedgerColumnMapping.field).where(
            LedgerColumnMapping.jurisdiction_id == jurisdiction_id
        )
    )
    return {header: fld for header, fld in rows}


def mapping_errors(mapping: dict) -> dict[str, list[str]]:
    """Per header, why it cannot be saved (unknown field, empty header, two columns to one field)."""
    errors: dict[str, list[str]] = {}
    claimed: dict[str, str] = {}
    for header, fld in mapping.items():
        if not header_key(header)[0]:
            errors.setdefault(header or "mapping", []).append("列名不能为空")
        elif fld and fld not in CHOICES:
            errors.setdefault(header, []).append(f"未知字段：{fld}")
        elif fld and fld != IGNORED:
            if fld in claimed:
                errors.setdefault(header, []).append(
                    f"“{claimed[fld]}”已对应到“{CHOICES[fld]}”，一个字段只能对应一列"
                )
            claimed[fld] = header
    return errors


def save_mapping(jurisdiction_id: int, mapping: dict[str, str], user_id: int | None) -> None:
    """Remember (or, with an empty field, forget) each header's mapping for the jurisdiction."""
    existing = {
        m.header_key: m
        for m in db.session.scalars(
            db.select(LedgerColumnMapping).where(LedgerColumnMapping.jurisdiction_id == jurisdiction_id)
        )
    }
    for header, fld in mapping.items():
        key = header_key(header)[0][:200]
        row = existing.get(key)
        if not fld:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = LedgerColumnMapping(jurisdiction_id=jurisdiction_id, header_key=key)
            db.session.add(row)
            existing[key] = row
        row.header = header[:200]
        row.field = fld
        row.updated_by_id = user_id
        row.updated_at = utcnow()


def reset_for_reparse(imp: LedgerImport) -> None:
    """Forget the import's preview so its stored file can be parsed again (with new mappings)."""
    from plugins.ledger.imports.models import LedgerImportRow

    db.session.execute(db.delete(LedgerImportRow).where(LedgerImportRow.import_id == imp.id))
    imp.set_counts({})
    imp.status = ImportStatus.UPLOADED
    imp.error = None
    imp.file_issues = None
    imp.parsed_at = None
