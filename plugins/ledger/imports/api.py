"""/api/v1/ledger/imports: upload a ledger file, read its preview, download rejected rows, commit it.

Also /api/v1/ledger/template, the jurisdiction's ledger template.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import after_this_request, g, request, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.api.debts import _require_write_at, unit_or_422
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.jobs import create_job, submit
from plugins.ledger.imports import service
from plugins.ledger.imports.models import (
    IMPORT_STATUS_LABELS,
    ImportStatus,
    LedgerImport,
    LedgerImportRow,
    Outcome,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint(
    "ledger_imports", __name__, url_prefix="/ledger", description="台账导入（上传、预览、确认导入）与台账模板"
)


class CountsSchema(Schema):
    read = fields.Integer(metadata={"description": "读取行数 = 通过 + 警告 + 拒绝 + 跳过"})
    accepted = fields.Integer()
    warning = fields.Integer()
    rejected = fields.Integer()
    skipped = fields.Integer()
    new = fields.Integer()
    changed = fields.Integer()
    unchanged = fields.Integer()


class ImportSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Method("get_unit_name")
    original_filename = fields.String()
    file_size = fields.Integer()
    sha256 = fields.String()
    status = fields.String()
    status_label = fields.String()
    dry_run = fields.Boolean()
    counts = fields.Nested(CountsSchema)
    rows_read = fields.Integer()
    file_issues = fields.List(fields.String(), allow_none=True)
    file_info = fields.Dict(allow_none=True)
    job_id = fields.Method(
        "get_job_id", metadata={"description": "当前（最近一次）作业，见 /api/v1/jobs/{id}"}
    )
    parse_job_id = fields.String(allow_none=True)
    commit_job_id = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    uploaded_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    parsed_at = fields.DateTime(allow_none=True)
    committed_at = fields.DateTime(allow_none=True)

    def get_unit_name(self, obj) -> str | None:
        return obj.unit.name if obj.unit is not None else None

    def get_job_id(self, obj) -> str | None:
        return obj.commit_job_id or obj.parse_job_id


class ImportQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in ImportStatus]))


class RowQuerySchema(PageArgs):
    status = fields.String(
        validate=validate.OneOf([o.value for o in Outcome] + ["accepted", "warning"]),
        metadata={
            "description": "new | changed | unchanged | rejected | skipped（或解析状态 accepted / warning）"
        },
    )


class RowSchema(Schema):
    row_number = fields.Integer()
    sheet = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "解析结果：accepted / warning / rejected / skipped"})
    outcome = fields.String(
        metadata={"description": "导入效果：new / changed / unchanged / rejected / skipped"}
    )
    debt_id = fields.Integer(allow_none=True)
    debtor_unit_id = fields.Integer(allow_none=True)
    row_key = fields.String(allow_none=True)
    values = fields.Dict(attribute="data", allow_none=True)
    raw = fields.Dict(allow_none=True)
    diff = fields.Dict(allow_none=True, metadata={"description": "字段 → [变更前, 变更后]"})
    issues = fields.List(fields.Dict(), allow_none=True)


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "否")


def start_import(file_storage, unit_id: int | None, dry_run: bool) -> LedgerImport:
    """Store the upload, create the import and start the parse job. Shared by the API and the web page."""
    if file_storage is None or not (file_storage.filename or "").strip():
        raise ApiError(422, errors={"file": ["请选择要上传的台账文件"]})
    unit = unit_or_422(unit_id)
    _require_write_at(unit, "ledger.import")
    try:
        path, size, digest = service.store_upload(
            file_storage.stream, file_storage.filename, unit.jurisdiction_id
        )
    except service.ImportRefused as exc:
        raise ApiError(exc.status, exc.message, errors={exc.field or "file": [exc.message]}) from exc
    imp = LedgerImport(
        jurisdiction_id=unit.jurisdiction_id,
        unit_id=unit.id,
        uploaded_by_id=getattr(current_user(), "id", None),
        original_filename=Path(file_storage.filename).name[:255],
        stored_path=str(path),
        file_size=size,
        sha256=digest,
        status=ImportStatus.UPLOADED,
        dry_run=dry_run,
    )
    db.session.add(imp)
    db.session.flush()
    job = create_job("ledger_parse", params={"import_id": imp.id}, unit=unit, max_attempts=1)
    imp.parse_job_id = job.id
    import_id, job_id = imp.id, job.id
    db.session.commit()
    submit(job_id)
    return _reload(import_id)


def start_commit(imp: LedgerImport) -> LedgerImport:
    _require_write_at(imp.unit, "ledger.import")
    try:
        service.claim_commit(imp)
    except service.ImportRefused as exc:
        raise ApiError(exc.status, exc.message) from exc
    job = create_job("ledger_commit", params={"import_id": imp.id}, unit=imp.unit, max_attempts=1)
    imp.commit_job_id = job.id
    import_id, job_id = imp.id, job.id
    db.session.commit()
    submit(job_id)
    return _reload(import_id)


def _reload(import_id: int) -> LedgerImport:
    # Inline jobs (tests, small installs) ran in their own session; read what they wrote.
    db.session.expire_all()
    return get_or_404(LedgerImport, import_id)


def _temp_xlsx() -> Path:
    fd, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    return Path(name)


def rejected_workbook(imp: LedgerImport):
    """The rejected rows (with a reason column) as an .xlsx download; cells are escaped by write_rejected."""
    from core.rules.validation import Issue
    from plugins.ledger.parsing import REJECTED, ParsedRow, write_rejected

    rows = []
    for r in db.session.scalars(
        db.select(LedgerImportRow)
        .where(LedgerImportRow.import_id == imp.id, LedgerImportRow.outcome == Outcome.REJECTED)
        .order_by(LedgerImportRow.row_number)
    ):
        issues = [
            Issue(i.get("field") or "", i.get("message") or "", i.get("level") or "error")
            for i in r.issues or []
        ]
        rows.append(
            ParsedRow(
                row_number=r.row_number,
                sheet=r.sheet or "",
                raw=dict(r.raw or {}),
                values={},
                issues=issues,
                status=REJECTED,
                row_key=r.row_key or "",
            )
        )
    tmp = _temp_xlsx()
    write_rejected(rows, tmp)

    @after_this_request
    def _cleanup(response):
        tmp.unlink(missing_ok=True)
        return response

    stem = Path(imp.original_filename).stem or "台账"
    return send_file(tmp, mimetype=XLSX, as_attachment=True, download_name=f"{stem}_被拒绝行.xlsx")


def template_workbook():
    from core.tenancy.models import TenantNode
    from core.tenancy.plans import plan_for
    from plugins.ledger.parsing import build_template

    jurisdiction = g.principal.jurisdiction
    if jurisdiction is None:
        raise ApiError(404)
    names = list(
        db.session.scalars(
            db.select(TenantNode.name)
            .where(TenantNode.jurisdiction_id == jurisdiction.id, TenantNode.kind != "jurisdiction")
            .order_by(TenantNode.path)
        )
    )
    tmp = _temp_xlsx()
    build_template(plan_for(jurisdiction), tmp, unit_names=names)

    @after_this_request
    def _cleanup(response):
        tmp.unlink(missing_ok=True)
        return response

    return send_file(tmp, mimetype=XLSX, as_attachment=True, download_name="欠款台账模板.xlsx")


@blp.route("/imports")
class ImportList(MethodView):
    @permission("ledger.read")
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(200, ImportSchema(many=True))
    def get(self, args):
        """列出台账导入（本单位及下属单位的，最新在前）"""
        stmt = db.select(LedgerImport)
        if args.get("status"):
            stmt = stmt.where(LedgerImport.status == args["status"])
        rows, headers = paginate(stmt.order_by(LedgerImport.id.desc()), args)
        return rows, 200, headers

    @permission("ledger.import")
    @blp.response(202, ImportSchema)
    def post(self):
        """上传台账文件（multipart：file，可选 unit_id、dry_run；dry_run 默认 true 只生成预览）。

        文件超过大小上限返回 413；空文件或不支持的格式返回 422。解析在后台作业中进行，进度见 job_id。
        dry_run=false 时解析后如无文件级问题自动确认导入。
        """
        unit_id = request.form.get("unit_id") or None
        if unit_id is not None:
            try:
                unit_id = int(unit_id)
            except ValueError as exc:
                raise ApiError(422, errors={"unit_id": ["单位 id 必须是整数"]}) from exc
        imp = start_import(request.files.get("file"), unit_id, _truthy(request.form.get("dry_run"), True))
        return imp, 202, {"Location": f"/api/v1/ledger/imports/{imp.id}"}


@blp.route("/imports/<int:import_id>")
class ImportItem(MethodView):
    @permission("ledger.read")
    @blp.response(200, ImportSchema)
    def get(self, import_id):
        """导入状态、计数（读取 = 通过 + 警告 + 拒绝 + 跳过；新增 / 变更 / 未变）与作业 id"""
        return get_or_404(LedgerImport, import_id)


@blp.route("/imports/<int:import_id>/rows")
class ImportRows(MethodView):
    @permission("ledger.read")
    @blp.arguments(RowQuerySchema, location="query")
    @blp.response(200, RowSchema(many=True))
    def get(self, args, import_id):
        """预览明细（status 筛选：new / changed（含字段前后对比）/ unchanged / rejected / skipped；分页）"""
        imp = get_or_404(LedgerImport, import_id)
        stmt = db.select(LedgerImportRow).where(LedgerImportRow.import_id == imp.id)
        status = args.get("status")
        if status in ("accepted", "warning"):
            stmt = stmt.where(LedgerImportRow.status == status)
        elif status:
            stmt = stmt.where(LedgerImportRow.outcome == status)
        rows, headers = paginate(stmt.order_by(LedgerImportRow.row_number), args)
        return rows, 200, headers


@blp.route("/imports/<int:import_id>/rejected.xlsx")
class ImportRejected(MethodView):
    @permission("ledger.read")
    def get(self, import_id):
        """下载被拒绝的行（.xlsx，原样保留各列并附“拒绝原因”列；修改后可重新上传）"""
        return rejected_workbook(get_or_404(LedgerImport, import_id))


@blp.route("/imports/<int:import_id>/commit")
class ImportCommit(MethodView):
    @permission("ledger.import")
    @blp.response(202, ImportSchema)
    def post(self, import_id):
        """确认导入：在一个事务中写入新增和变更的欠款（出错则全部不写入）；重复提交返回 409"""
        imp = get_or_404(LedgerImport, import_id)
        return start_commit(imp), 202


@blp.route("/imports/<int:import_id>/cancel")
class ImportCancel(MethodView):
    @permission("ledger.import")
    @blp.response(200, ImportSchema)
    def post(self, import_id):
        """放弃一个尚未导入的预览"""
        imp = get_or_404(LedgerImport, import_id)
        _require_write_at(imp.unit, "ledger.import")
        if imp.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED, ImportStatus.UPLOADED):
            raise ApiError(409, f"导入当前状态为“{IMPORT_STATUS_LABELS[ImportStatus(imp.status)]}”，不能取消")
        imp.status = ImportStatus.CANCELLED
        db.session.commit()
        return imp


@blp.route("/template")
class Template(MethodView):
    @permission("ledger.read")
    def get(self):
        """下载本辖区的台账模板（.xlsx：表头、类别 / 债务人类型 / 企业规模下拉、填表说明）"""
        return template_workbook()
