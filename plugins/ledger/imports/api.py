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

from core.api import FORM_FLAG, XLSX, download_doc, upload_doc
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.api.debts import _require_write_at, unit_or_404
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.jobs import create_job, submit
from plugins.ledger.imports import service
from plugins.ledger.imports.models import (
    AMOUNT_UNITS,
    IMPORT_STATUS_LABELS,
    ImportStatus,
    LedgerImport,
    LedgerImportRow,
    Outcome,
)

blp = Blueprint(
    "ledger_imports", __name__, url_prefix="/ledger", description="台账导入（上传、预览、确认导入）与台账模板"
)


class CountsSchema(Schema):
    read = fields.Integer(metadata={"description": "读取行数 = 通过 + 警告 + 拒绝 + 重复 + 跳过"})
    accepted = fields.Integer()
    warning = fields.Integer()
    rejected = fields.Integer()
    duplicate = fields.Integer(metadata={"description": "与前面某行完全相同（或合同编号与金额相同）的行"})
    skipped = fields.Integer(metadata={"description": "非数据行：空行、合计行、表尾等"})
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
    amount_unit = fields.String(
        allow_none=True, metadata={"description": "上传时选择的金额单位 yuan / wan；空表示按文件标注或模板"}
    )
    reconciliation = fields.Method(
        "get_reconciliation",
        metadata={
            "description": "对账：rows（读取 = 通过 + 警告 + 拒绝 + 重复 + 跳过）与 amounts"
            "（数据行欠款金额合计 = 通过 + 拒绝 + 重复，单位元，字符串；amounts_wan 为万元）"
        },
    )
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

    def get_reconciliation(self, obj) -> dict | None:
        return (obj.file_info or {}).get("reconciliation")


class ImportQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in ImportStatus]))


class RowQuerySchema(PageArgs):
    status = fields.String(
        validate=validate.OneOf([o.value for o in Outcome] + ["accepted", "warning"]),
        metadata={
            "description": "new | changed | unchanged | rejected | duplicate | skipped"
            "（或解析状态 accepted / warning）"
        },
    )


class RowSchema(Schema):
    row_number = fields.Integer()
    sheet = fields.String(allow_none=True)
    status = fields.String(
        metadata={"description": "解析结果：accepted / warning / rejected / duplicate / skipped"}
    )
    outcome = fields.String(
        metadata={"description": "导入效果：new / changed / unchanged / rejected / duplicate / skipped"}
    )
    source_row = fields.Method(
        "get_source_row",
        metadata={"description": "重新上传被拒绝行文件时，该行在最初文件中的行号（来自“行号”列）"},
    )
    debt_id = fields.Integer(allow_none=True)
    debtor_unit_id = fields.Integer(allow_none=True)
    row_key = fields.String(allow_none=True)
    values = fields.Dict(attribute="data", allow_none=True)
    raw = fields.Dict(allow_none=True)
    diff = fields.Dict(allow_none=True, metadata={"description": "字段 → [变更前, 变更后]"})
    issues = fields.List(fields.Dict(), allow_none=True)

    def get_source_row(self, obj) -> int | None:
        return source_row(obj)


def source_row(row: LedgerImportRow) -> int | None:
    """The row's number in the clerk's original file, when this file is a re-uploaded rejected-rows one."""
    from plugins.ledger.parsing.normalize import row_number
    from plugins.ledger.parsing.rejects import ROW_HEADER

    number = (row.data or {}).get("source_row")
    if number is None and row.raw:
        number = row_number(row.raw.get(ROW_HEADER))
    return number


class MappingSchema(Schema):
    mapping = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata={
            "description": "列名 → 字段（见 GET 返回的 fields；_ignored 表示忽略此列，空字符串表示取消记忆）"
        },
    )
    amount_unit = fields.String(
        allow_none=True,
        metadata={
            "description": "可选：改按 yuan（元）或 wan（万元）重新解析；"
            "空字符串表示按文件标注或模板。不传则不变"
        },
    )


AMOUNT_UNIT_ERROR = "金额单位只能是 yuan（元）或 wan（万元）"


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "否")


def amount_unit_arg(value: str | None) -> str | None:
    """The upload's ``amount_unit``: yuan / wan (or 元 / 万元); blank means the file's own marker."""
    text = (value or "").strip().lower()
    if not text or text in ("auto", "file"):
        return None
    unit = {"元": "yuan", "万元": "wan"}.get(text, text)
    if unit not in AMOUNT_UNITS:
        raise ApiError(422, AMOUNT_UNIT_ERROR, errors={"amount_unit": [AMOUNT_UNIT_ERROR]})
    return unit


def start_import(
    file_storage, unit_id: int | None, dry_run: bool, amount_unit: str | None = None
) -> LedgerImport:
    """Store the upload, create the import and start the parse job. Shared by the API and the web page."""
    if file_storage is None or not (file_storage.filename or "").strip():
        raise ApiError(422, errors={"file": ["请选择要上传的台账文件"]})
    if amount_unit is not None and amount_unit not in AMOUNT_UNITS:
        raise ApiError(422, AMOUNT_UNIT_ERROR, errors={"amount_unit": [AMOUNT_UNIT_ERROR]})
    unit = unit_or_404(unit_id)
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
        amount_unit=amount_unit,
    )
    db.session.add(imp)
    db.session.flush()
    return _start_parse(imp, unit)


def _start_parse(imp: LedgerImport, unit) -> LedgerImport:
    from plugins.ledger.parsing import estimate_rows

    job = create_job("ledger_parse", params={"import_id": imp.id}, unit=unit, max_attempts=1)
    # The bar has a length from the first poll: the sheet's recorded dimension or the CSV's line count.
    job.progress_done, job.progress_total = 0, estimate_rows(Path(imp.stored_path), imp.original_filename)
    job.message = "等待解析"
    imp.parse_job_id = job.id
    import_id, job_id = imp.id, job.id
    db.session.commit()
    submit(job_id)
    return _reload(import_id)


UNCHANGED = object()


def remap_import(imp: LedgerImport, mapping: dict[str, str], amount_unit: object = UNCHANGED) -> LedgerImport:
    """Remember the user's column mappings for the jurisdiction and parse the import again with them
    (and, when ``amount_unit`` is given, in that unit: yuan, wan, or None for the file's own marker)."""
    from plugins.ledger.imports import mapping as column_mapping

    _require_write_at(imp.unit, "ledger.import")
    if imp.status not in column_mapping.REPARSABLE:
        raise ApiError(409, f"导入当前状态为“{imp.status_label}”，只有待确认或失败的导入可以重新解析")
    errors = column_mapping.mapping_errors(mapping)
    if not mapping and amount_unit is UNCHANGED:
        errors["mapping"] = ["请至少为一列选择对应字段"]
    if errors:
        raise ApiError(422, "列对应设置有误", errors=errors)
    column_mapping.save_mapping(imp.jurisdiction_id, mapping, getattr(current_user(), "id", None))
    if amount_unit is not UNCHANGED:
        imp.amount_unit = amount_unit
    column_mapping.reset_for_reparse(imp)
    return _start_parse(imp, imp.unit)


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
        .where(
            LedgerImportRow.import_id == imp.id,
            LedgerImportRow.outcome.in_([Outcome.REJECTED, Outcome.DUPLICATE]),
        )
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
    @blp.doc(
        **upload_doc(
            XLSX,
            "application/vnd.ms-excel",
            description="台账 Excel 文件（本辖区台账模板的格式，见 GET /ledger/template）",
            fields={
                "unit_id": {"type": "integer", "minimum": 1, "description": "报送单位（默认为当前单位）"},
                "dry_run": FORM_FLAG,
                "amount_unit": {"type": "string", "enum": ["yuan", "wan", "元", "万元", "auto"]},
            },
        )
    )
    def post(self):
        """上传台账文件（multipart：file，可选 unit_id、dry_run、amount_unit；dry_run 默认 true 只生成预览）。

        amount_unit：yuan（元）或 wan（万元），未标单位的金额按此读取；不填时按文件中的“单位：万元”行、
        欠款金额列标题中的单位，再按本辖区台账模板的单位。文件超过大小上限返回 413；空文件、不支持的格式
        或无效的 amount_unit 返回 422。解析在后台作业中进行，进度见 job_id。
        dry_run=false 时解析后如无文件级问题自动确认导入。
        """
        unit_id = request.form.get("unit_id") or None
        if unit_id is not None:
            try:
                unit_id = int(unit_id)
            except ValueError as exc:
                raise ApiError(422, errors={"unit_id": ["单位 id 必须是整数"]}) from exc
        imp = start_import(
            request.files.get("file"),
            unit_id,
            _truthy(request.form.get("dry_run"), True),
            amount_unit_arg(request.form.get("amount_unit")),
        )
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


@blp.route("/imports/<int:import_id>/mapping")
class ImportMapping(MethodView):
    @permission("ledger.read")
    def get(self, import_id):
        """列对应：已识别的列、未识别的列（已忽略）、可选字段，以及本辖区已记住的对应关系"""
        from plugins.ledger.imports.mapping import CHOICES, saved_mapping

        imp = get_or_404(LedgerImport, import_id)
        info = imp.file_info or {}
        return {
            "columns": info.get("columns") or {},
            "unmapped_headers": info.get("unmapped_headers") or [],
            "fields": CHOICES,
            "saved": saved_mapping(imp.jurisdiction_id),
        }

    @permission("ledger.import")
    @blp.arguments(MappingSchema)
    @blp.response(202, ImportSchema)
    def post(self, args, import_id):
        """设置列对应（和 / 或金额单位）并重新解析：记住本辖区的“列名 → 字段”，以后的上传按此识别；
        本导入重新生成预览"""
        imp = get_or_404(LedgerImport, import_id)
        unit = amount_unit_arg(args["amount_unit"]) if "amount_unit" in args else UNCHANGED
        return remap_import(imp, args["mapping"], unit), 202


@blp.route("/imports/<int:import_id>/commit")
class ImportCommit(MethodView):
    @permission("ledger.import")
    @blp.response(202, ImportSchema)
    def post(self, import_id):
        """确认导入：在一个事务中写入新增和变更的欠款（含“导入时已偿还”的付款）。

        每行按预览时的同一套校验再检查一次：预览后才不通过的行记为拒绝并说明原因，其余照常写入；
        系统错误则全部不写入。重复提交返回 409。
        """
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


class UnknownUnitSchema(Schema):
    name = fields.String(metadata={"description": "文件中填写的债务单位名称"})
    rows = fields.Integer(metadata={"description": "因此被拒绝的行数"})
    first_row = fields.Integer(metadata={"description": "第一次出现的行号"})


class UnitMappingSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_id = fields.Integer(
        required=True, metadata={"description": "对应到的已有单位（本次导入单位或其下属）"}
    )


class UnitRequestSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _unknown_name(imp: LedgerImport, name: str) -> str:
    name = " ".join(name.split())
    if name not in {u["name"] for u in service.unknown_units(imp)}:
        raise ApiError(422, errors={"name": ["本次导入中没有未找到的债务单位“" + name + "”"]})
    return name


def map_unknown_unit(imp: LedgerImport, name: str, unit_id: int) -> LedgerImport:
    """Save the alias and parse the file again (shared by the API and the page)."""
    from sqlalchemy.exc import IntegrityError

    _require_write_at(imp.unit, "ledger.import")
    name = _unknown_name(imp, name)
    unit = unit_or_404(unit_id, "unit_id")
    try:
        service.map_unit(imp, name, unit, actor=current_user())
    except service.ImportRefused as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.message, errors={exc.field or "name": [exc.message]}) from exc
    except IntegrityError as exc:
        db.session.rollback()
        raise ApiError(409, errors={"name": ["该名称已在本辖区对应到其他单位，请联系清欠办"]}) from exc
    job = create_job("ledger_parse", params={"import_id": imp.id}, unit=imp.unit, max_attempts=1)
    imp.parse_job_id = job.id
    import_id, job_id = imp.id, job.id
    db.session.commit()
    submit(job_id)
    return _reload(import_id)


def request_unknown_unit(imp: LedgerImport, name: str) -> bool:
    _require_write_at(imp.unit, "ledger.import")
    name = _unknown_name(imp, name)
    asked = service.request_unit(imp, name, actor=current_user())
    db.session.commit()
    return asked


@blp.route("/imports/<int:import_id>/unknown-units")
class ImportUnknownUnits(MethodView):
    @permission("ledger.read")
    @blp.response(200, UnknownUnitSchema(many=True))
    def get(self, import_id):
        """文件中未找到的债务单位（名称、被拒绝行数）：可对应到已有单位，或请清欠办添加"""
        return service.unknown_units(get_or_404(LedgerImport, import_id))


@blp.route("/imports/<int:import_id>/unit-mappings")
class ImportUnitMappings(MethodView):
    @permission("ledger.import")
    @blp.arguments(UnitMappingSchema)
    @blp.response(202, ImportSchema)
    def post(self, args, import_id):
        """将未找到的债务单位名称对应到已有单位（保存为本辖区的单位别名，今后自动识别），并重新生成预览"""
        imp = get_or_404(LedgerImport, import_id)
        return map_unknown_unit(imp, args["name"], args["unit_id"]), 202


@blp.route("/imports/<int:import_id>/unit-requests")
class ImportUnitRequests(MethodView):
    @permission("ledger.import")
    @blp.arguments(UnitRequestSchema)
    def post(self, args, import_id):
        """请辖区清欠办添加未找到的债务单位（向清欠办发送通知；同一名称只通知一次）"""
        imp = get_or_404(LedgerImport, import_id)
        asked = request_unknown_unit(imp, args["name"])
        message = "已通知清欠办添加该单位" if asked else "已通知过清欠办，请等待处理"
        return {"name": args["name"], "notified": asked, "message": message}, 201 if asked else 200


@blp.route("/template")
class Template(MethodView):
    @permission("ledger.read")
    @blp.doc(**download_doc(XLSX, description="欠款台账模板"))
    def get(self):
        """下载本辖区的台账模板（.xlsx：表头、类别 / 债务人类型 / 企业规模下拉、填表说明）"""
        return template_workbook()
