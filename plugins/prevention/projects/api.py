"""/api/v1/prevention/projects: government-investment projects, their funds and their start."""

from __future__ import annotations

from flask.views import MethodView

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate, require_if_match
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from plugins.prevention.common import API_PREFIX, require_write, writable_unit
from plugins.prevention.projects import service
from plugins.prevention.projects.models import Project
from plugins.prevention.projects.schemas import (
    ProjectQuerySchema,
    ProjectSchema,
    ProjectStartSchema,
    ProjectUpdateSchema,
    ProjectWriteSchema,
)

blp = Blueprint(
    "prevention_projects",
    __name__,
    url_prefix=f"{API_PREFIX}/projects",
    description="源头治理：政府投资项目（批复、资金来源与落实、开工）",
)


@blp.route("")
class Projects(MethodView):
    @permission("prevention.read")
    @blp.arguments(ProjectQuerySchema, location="query")
    @blp.response(200, ProjectSchema(many=True))
    def get(self, args):
        """政府投资项目（本人可见单位的），最新在前"""
        stmt = db.select(Project).order_by(Project.id.desc())
        if args.get("started") is not None:
            column = Project.actual_start
            stmt = stmt.where(column.is_not(None) if args["started"] else column.is_(None))
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("prevention.write")
    @blp.arguments(ProjectWriteSchema)
    @blp.response(201, ProjectSchema)
    def post(self, data):
        """登记项目：批复文号与日期、总投资、各资金来源及是否落实、计划开工日期"""
        unit = writable_unit(data.pop("unit_id", None))
        project = service.create(unit, data, current_user())
        db.session.commit()
        return project, 201, {"ETag": project.etag, "Location": f"/api/v1/prevention/projects/{project.id}"}


@blp.route("/<int:project_id>")
class ProjectItem(MethodView):
    @permission("prevention.read")
    @blp.response(200, ProjectSchema)
    def get(self, project_id):
        """一个项目及其资金来源"""
        project = get_or_404(Project, project_id)
        return project, 200, {"ETag": project.etag}

    @permission("prevention.write")
    @blp.arguments(ProjectUpdateSchema(partial=True))
    @blp.response(200, ProjectSchema)
    def patch(self, data, project_id):
        """修改项目信息或资金来源（如资金落实后改为“已落实”）；须带 If-Match"""
        project = get_or_404(Project, project_id)
        require_write(project)
        require_if_match(project)
        service.update(project, data, current_user())
        db.session.commit()
        return project, 200, {"ETag": project.etag}


@blp.route("/<int:project_id>/start")
class ProjectStart(MethodView):
    @permission("prevention.write")
    @blp.arguments(ProjectStartSchema)
    @blp.response(200, ProjectSchema)
    def post(self, data, project_id):
        """登记开工。未取得批复或资金未全部落实的拒绝开工（政府投资条例第二十条、第二十二条）；
        确需开工须填写原因，并列入违规开工清单"""
        project = get_or_404(Project, project_id)
        require_write(project)
        try:
            service.start(project, data["actual_start"], data.get("override_reason"), current_user())
        except service.StartRefused as exc:
            db.session.rollback()
            raise ApiError(422, errors=exc.errors) from exc
        db.session.commit()
        return project, 200, {"ETag": project.etag}


@blp.route("/overrides")
class Overrides(MethodView):
    @permission("prevention.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, ProjectSchema(many=True))
    def get(self, args):
        """违规开工清单：未批先建、资金未落实先开工（经填写原因强行开工的项目）"""
        rows, headers = paginate(service.overrides(), args)
        return rows, 200, headers
