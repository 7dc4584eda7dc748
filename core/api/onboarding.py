"""Hosted onboarding: a new jurisdiction, its plan (validated, diffed, versioned), org tree and first admin.

Everything a platform admin needs to bring a city or county in without files on the server:

    POST /jurisdictions                                  create (code, name, parent plan, time zone, plugins)
    GET  /tenants/{id}/plan/document                     the own plan document (YAML and JSON), its version
    POST /tenants/{id}/plan/preview                      validate and diff, nothing written
    PUT  /tenants/{id}/plan/document                     save a new version (reason required, base_version)
    GET  /tenants/{id}/plan/versions                     who changed the plan, when and why
    POST /tenants/{id}/org-import                        Excel 单位名称/上级单位/单位类型, preview or apply
    POST /tenants/{id}/admins                            the first office admin, with a one-time password link
    GET  /tenants/{id}/export                            the whole jurisdiction as a zip (tenancy.transfer)
"""

from __future__ import annotations

from flask import g, request, send_file, url_for
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy.exc import DBAPIError

from core.api.base import ApiError, Blueprint, get_or_404
from core.api.debts import domain_errors
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.tenancy import hosted, org_import
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope

blp = Blueprint(
    "onboarding",
    __name__,
    url_prefix="",
    description="托管辖区的开通：新建辖区、在线编辑工作方案（校验、差异、版本）、导入单位树、首位管理员",
)


class PlanInputSchema(Schema):
    yaml = fields.String(metadata={"description": "方案 YAML（与 plan.yaml 相同的写法），或用 document"})
    document = fields.Dict(metadata={"description": "方案的 JSON 形式（与 yaml 二选一）"})

    @validates_schema
    def one_of(self, data, **kwargs):
        if ("yaml" in data) == ("document" in data):
            raise ValidationError("请提供 yaml 或 document 中的一个", "yaml")


class PlanSaveSchema(PlanInputSchema):
    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=500), metadata={"description": "修改原因"}
    )
    base_version = fields.Integer(
        required=True, metadata={"description": "据以修改的版本号（预览返回的 base_version；新辖区为 0）"}
    )


class JurisdictionCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    inherits = fields.String(
        load_default=None,
        metadata={"description": "继承的上级方案：tenants/ 下的方案目录名，或已托管辖区的编码"},
    )
    timezone = fields.String(load_default=None, metadata={"description": "时区，如 Asia/Shanghai"})
    plugins = fields.List(fields.String(), load_default=None, metadata={"description": "启用的插件"})
    plan_name = fields.String(load_default=None, metadata={"description": "方案名称"})
    reason = fields.String(load_default="新建托管辖区", validate=validate.Length(max=500))


class JurisdictionSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    plan_name = fields.String(allow_none=True)
    plan_version = fields.Integer()


class PlanDocumentSchema(Schema):
    version = fields.Integer(metadata={"description": "当前版本号（0：方案来自 tenants/ 目录或尚未托管）"})
    document = fields.Dict(allow_none=True)
    yaml = fields.String()


class PlanChangeSchema(Schema):
    key = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class PlanPreviewSchema(Schema):
    base_version = fields.Integer()
    diff = fields.String(metadata={"description": "方案文本的差异（unified diff）"})
    changes = fields.List(fields.Nested(PlanChangeSchema), metadata={"description": "生效值的变化"})
    warnings = fields.List(fields.String())


class PlanVersionSchema(Schema):
    number = fields.Integer()
    reason = fields.String()
    created_by_name = fields.String()
    created_at = fields.DateTime()
    document = fields.Dict()


class OrgRowSchema(Schema):
    row = fields.Integer()
    name = fields.String()
    parent = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    kind_label = fields.String(allow_none=True)
    code = fields.String(allow_none=True)
    action = fields.String(metadata={"description": "create / exists / error"})
    errors = fields.List(fields.String())


class OrgImportSchema(Schema):
    applied = fields.Boolean()
    created = fields.Integer()
    rows = fields.List(fields.Nested(OrgRowSchema))


class AdminCreateSchema(Schema):
    username = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,80}$", error="用户名为 3–80 位字母、数字、_ . -"),
    )
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AdminCreatedSchema(Schema):
    user_id = fields.Integer()
    username = fields.String()
    password_link = fields.String(metadata={"description": "一次性设置密码的链接（只显示这一次）"})
    expires_at = fields.DateTime()


def _platform_admin() -> None:
    if not g.principal.is_platform_admin:
        raise ApiError(403, "只有平台管理员可以开通和配置托管辖区")


def _jurisdiction(tenant_id: int, reading: bool = False) -> TenantNode:
    """The jurisdiction ``tenant_id`` names; reading through a unit gives the unit's jurisdiction."""
    node = get_or_404(TenantNode, tenant_id)
    if node.is_jurisdiction:
        return node
    if reading:
        with system_scope():
            return db.session.get(TenantNode, node.jurisdiction_id)
    raise ApiError(404, "该单位不是辖区，没有自己的工作方案")


def _document(data: dict) -> dict:
    try:
        return hosted.parse_document(data.get("yaml"), data.get("document"))
    except hosted.HostedPlanError as exc:
        raise ApiError(422, "方案未通过校验", errors=exc.errors) from None


@blp.route("/jurisdictions")
class Jurisdictions(MethodView):
    @permission("platform.manage")
    @blp.arguments(JurisdictionCreateSchema)
    @blp.response(201, JurisdictionSchema)
    @domain_errors
    def post(self, data):
        """新建托管辖区：编码、名称、继承的上级方案、时区、启用的插件；生成方案第 1 版"""
        _platform_admin()
        document = {
            k: v
            for k, v in (
                ("inherits", data["inherits"]),
                ("name", data["plan_name"]),
                ("timezone", data["timezone"]),
                ("plugins", data["plugins"]),
            )
            if v is not None
        }
        actor = current_user()
        try:
            with system_scope():
                node = hosted.create_jurisdiction(data["code"], data["name"], document, actor, data["reason"])
                db.session.commit()
                db.session.refresh(node)
                result = {
                    "id": node.id,
                    "code": node.code,
                    "name": node.name,
                    "plan_name": node.plan_name,
                    "plan_version": 1,
                }
        except hosted.HostedPlanError as exc:
            db.session.rollback()
            raise ApiError(422, "方案未通过校验", errors=exc.errors) from None
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != "42501":
                raise
            db.session.rollback()
            raise ApiError(
                403, "新建辖区须由维护命令完成：qingqian tenant create 或 qingqian tenant load"
            ) from None
        return result, 201, {"Location": f"/api/v1/tenants/{result['id']}"}


@blp.route("/tenants/<int:tenant_id>/plan/document")
class PlanDocument(MethodView):
    @permission("plan.read")
    @blp.response(200, PlanDocumentSchema)
    def get(self, tenant_id):
        """辖区自己的方案文本（继承之前）与版本号"""
        node = _jurisdiction(tenant_id, reading=True)
        current = hosted.latest_version(node)
        document = dict(current.document) if current else None
        return {
            "version": current.number if current else 0,
            "document": document,
            "yaml": hosted.document_yaml(document) if document is not None else "",
        }

    @permission("platform.manage")
    @blp.arguments(PlanSaveSchema)
    @blp.response(200, PlanDocumentSchema)
    def put(self, data, tenant_id):
        """保存方案的新版本（须写明原因；base_version 不是当前版本时 409）。未知的键、插件、无效的值 422"""
        _platform_admin()
        node = _jurisdiction(tenant_id)
        document = _document(data)
        current = hosted.latest_version(node)
        if data["base_version"] != (current.number if current else 0):
            raise ApiError(
                409,
                "方案已被他人修改，请重新预览后再保存",
                errors={"base_version": [f"当前版本为 {current.number if current else 0}"]},
            )
        try:
            version = hosted.save(node, document, current_user(), data["reason"])
        except hosted.HostedPlanError as exc:
            raise ApiError(422, "方案未通过校验", errors=exc.errors) from None
        db.session.commit()
        return {"version": version.number, "document": document, "yaml": hosted.document_yaml(document)}


@blp.route("/tenants/<int:tenant_id>/plan/preview")
class PlanPreview(MethodView):
    @permission("platform.manage")
    @blp.arguments(PlanInputSchema)
    @blp.response(200, PlanPreviewSchema)
    def post(self, data, tenant_id):
        """校验方案并显示与当前版本的差异（不保存）；未通过校验 422，逐键说明并给出最接近的有效键"""
        _platform_admin()
        node = _jurisdiction(tenant_id)
        try:
            return hosted.preview(node, _document(data))
        except hosted.HostedPlanError as exc:
            raise ApiError(422, "方案未通过校验", errors=exc.errors) from None


@blp.route("/tenants/<int:tenant_id>/plan/versions")
class PlanVersions(MethodView):
    @permission("plan.read")
    @blp.response(200, PlanVersionSchema(many=True))
    def get(self, tenant_id):
        """方案的各个版本：版本号、修改人、时间、原因与方案文本（最新在前）"""
        return hosted.versions(_jurisdiction(tenant_id, reading=True))


@blp.route("/tenants/<int:tenant_id>/org-import")
class OrgImport(MethodView):
    @permission("platform.manage")
    @blp.response(200, OrgImportSchema)
    def post(self, tenant_id):
        """从 Excel 导入单位树（multipart：file，列为 单位名称 / 上级单位 / 单位类型）

        dry_run 默认 true：只预览每行（create / exists / error）；false 时全部有效才导入。
        """
        _platform_admin()
        node = _jurisdiction(tenant_id)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ApiError(422, errors={"file": ["请上传 Excel 文件（.xlsx）"]})
        dry_run = (request.form.get("dry_run") or "true").strip().lower() not in ("false", "0", "no", "否")
        try:
            rows = org_import.read_sheet(upload.stream)
        except org_import.OrgSheetError as exc:
            raise ApiError(422, errors={"file": [str(exc)]}) from None
        planned = org_import.plan_rows(node, rows)
        has_errors = any(r.errors for r in planned)
        if not dry_run and has_errors:
            lines = [f"第{r.row}行 {r.name}：{'；'.join(r.errors)}" for r in planned if r.errors]
            raise ApiError(422, "单位表有错误，没有导入任何单位", errors={"file": lines})
        if dry_run:
            return {"applied": False, "created": 0, "rows": [r.as_dict() for r in planned]}
        created = org_import.apply_rows(node, planned, current_user())
        db.session.commit()
        return {"applied": True, "created": created, "rows": [r.as_dict() for r in planned]}


@blp.route("/tenants/<int:tenant_id>/admins")
class FirstAdmin(MethodView):
    @permission("platform.manage")
    @blp.arguments(AdminCreateSchema)
    @blp.response(201, AdminCreatedSchema)
    def post(self, data, tenant_id):
        """新建辖区的清欠办管理员：返回一次性设置密码的链接（72 小时内有效，用过即失效）"""
        _platform_admin()
        from core.auth import password_links

        node = _jurisdiction(tenant_id)
        try:
            user, token, expires = password_links.create_admin(node, data["username"], data["display_name"])
        except password_links.UsernameTaken:
            raise ApiError(409, errors={"username": ["该用户名已被使用"]}) from None
        db.session.commit()
        link = url_for("password_links.set_password", token=token, _external=True)
        return {"user_id": user.id, "username": user.username, "password_link": link, "expires_at": expires}


def export_response(node: TenantNode):
    """The zip of ``node``'s jurisdiction for its office admin or the platform admin; the download is
    recorded in the jurisdiction's history (who took everything, and when)."""
    import io

    from core import clock
    from core.plugins import get_pm
    from core.services import history
    from core.tenancy import transfer

    if not node.is_jurisdiction:
        with system_scope():
            node = db.session.get(TenantNode, node.jurisdiction_id)
    if not g.principal.can_at("user.manage", node):
        raise ApiError(403, "只有本辖区清欠办管理员或平台管理员可以导出辖区的全部数据")
    with system_scope():
        data = transfer.export_jurisdiction(node, get_pm().names())
        history.record(
            node,
            "exported",
            actor=current_user(),
            entity_type="tenant",
            unit_id=node.id,
            after={"bytes": len(data)},
        )
        db.session.commit()
    name = f"{node.code}-{clock.today().isoformat()}.zip"
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)


@blp.route("/tenants/<int:tenant_id>/export")
class JurisdictionExport(MethodView):
    @permission("user.manage")
    @blp.doc(responses={"200": {"description": "zip：manifest.json、users.json、tables/<表>.json"}})
    def get(self, tenant_id):
        """导出辖区的全部数据（单位树、方案版本、欠款、付款、历史记录、各插件的数据表、用户但不含密码）

        经由单位读取时导出其所在辖区。可用 qingqian tenant import 导入另一套安装。
        """
        return export_response(get_or_404(TenantNode, tenant_id))
