"""Background jobs of the import workflow. They run in the uploader's scope (core's job runner sets it)."""

from __future__ import annotations

from typing import Any

from core.extensions import db
from core.jobs import labelled
from plugins.ledger.imports.models import ImportStatus, LedgerImport
from plugins.ledger.imports.service import claim_commit, fail_import, parse_import, run_commit


@labelled("台账文件解析")
def ledger_parse(ctx, import_id: int) -> dict[str, Any]:
    """Parse the upload into a preview; with ``dry_run=False`` commit it too when the file had no problems."""
    imp = db.session.get(LedgerImport, import_id)
    if imp is not None and imp.status == ImportStatus.COMMITTING and not imp.dry_run:
        # Run again after its process died while committing: that transaction left nothing; commit anew.
        commit = run_commit(import_id, actor=ctx.user, ctx=ctx)
        return {"import_id": import_id, "status": ImportStatus.COMMITTED.value, "commit": commit}
    if imp is None or imp.status not in (ImportStatus.UPLOADED, ImportStatus.PARSING):
        return {"skipped": True}
    try:
        imp = parse_import(imp, ctx)
    except Exception as exc:
        fail_import(import_id, f"解析失败：{exc}")
        raise
    result: dict[str, Any] = {
        "import_id": import_id,
        "status": imp.status,
        "counts": imp.counts,
        "seconds": dict((imp.file_info or {}).get("seconds") or {}),
    }
    if imp.status == ImportStatus.PREVIEWED:
        ctx.progress(imp.rows_read, imp.rows_read, f"解析完成：读取 {imp.rows_read} 行")
    if imp.status == ImportStatus.PREVIEWED and not imp.dry_run and not imp.file_issues:
        claim_commit(imp)
        result["commit"] = run_commit(import_id, actor=ctx.user, ctx=ctx)
        result["seconds"]["commit"] = result["commit"].get("seconds")
        result["status"] = ImportStatus.COMMITTED.value
    return result


@labelled("台账导入提交")
def ledger_commit(ctx, import_id: int) -> dict[str, Any]:
    """Apply the previewed new and changed rows in one transaction (all or nothing)."""
    return run_commit(import_id, actor=ctx.user, ctx=ctx)


JOBS = {"ledger_parse": ledger_parse, "ledger_commit": ledger_commit}
UNFINISHED = (ImportStatus.UPLOADED, ImportStatus.PARSING, ImportStatus.COMMITTING)


def release_import(job) -> None:
    """After a ledger job ended failed, fail its import if the job could not (its process died, or the
    uploader was deactivated before it ran): otherwise the import would wait for ever and refuse a commit."""
    if job.name not in JOBS:
        return
    import_id = (job.params or {}).get("import_id")
    imp = db.session.get(LedgerImport, import_id) if import_id is not None else None
    if imp is None or imp.status not in UNFINISHED:
        return
    fail_import(import_id, f"导入未完成，未写入任何数据：{job.error or '作业失败'}。请重新上传文件。")
