"""/api/v1/jobs: status, progress and result of background jobs."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from core.api.base import PAGE, Blueprint, get_or_404, paginate
from core.api.schemas import JobSchema
from core.auth.permissions import permission
from core.extensions import db
from core.jobs.models import Job, JobStatus

blp = Blueprint("jobs", __name__, url_prefix="/jobs", description="后台作业（导入、重算、提醒等）")


class JobQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=PAGE)
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    status = fields.String(validate=validate.OneOf([s.value for s in JobStatus]))
    name = fields.String()


@blp.route("")
class JobList(MethodView):
    @permission("job.read")
    @blp.arguments(JobQuerySchema, location="query")
    @blp.response(200, JobSchema(many=True))
    def get(self, args):
        """列出作业（可按状态筛选，失败的作业也在这里）"""
        stmt = db.select(Job)
        if args.get("status"):
            stmt = stmt.where(Job.status == args["status"])
        if args.get("name"):
            stmt = stmt.where(Job.name == args["name"])
        rows, headers = paginate(stmt.order_by(Job.created_at.desc()), args)
        return rows, 200, headers


@blp.route("/<string:job_id>")
class JobItem(MethodView):
    @permission("job.read")
    @blp.response(200, JobSchema)
    def get(self, job_id):
        """作业状态、进度（已处理条数、每秒条数、百分比）与结果"""
        return get_or_404(Job, job_id)
