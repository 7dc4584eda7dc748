"""What every API endpoint shares: JSON errors, pagination, ETags, and turning domain errors into 4xx."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, jsonify, request
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from core.extensions import db

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
}

MESSAGES = {
    400: "请求格式错误",
    401: "需要登录或提供 API 令牌",
    403: "无权执行此操作",
    404: "资源不存在",
    405: "不支持该请求方法",
    409: "与现有数据冲突",
    410: "资源已不存在（已过保存期限）",
    412: "数据已被他人修改，请刷新后重试",
    413: "上传内容过大",
    422: "提交的数据未通过校验",
    428: "更新请求必须携带 If-Match 头（资源的 ETag）",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误",
}


class ApiError(Exception):
    """Raise from anywhere in an API request to answer with a JSON error."""

    def __init__(
        self, status: int, message: str | None = None, errors: dict | None = None, code: str | None = None
    ):
        super().__init__(message)
        self.status = status
        self.message = message or MESSAGES.get(status, "")
        self.errors = errors or {}
        self.code = code or ERROR_CODES.get(status, "error")


def error_response(
    status: int, message: str | None = None, errors: dict | None = None, code: str | None = None
):
    body = {
        "code": code or ERROR_CODES.get(status, "error"),
        "message": message or MESSAGES.get(status, ""),
        "errors": errors or {},
    }
    response = jsonify(body)
    response.status_code = status
    return response


def _flatten_webargs(messages: Any) -> dict:
    """webargs nests messages by location ({"json": {"field": [...]}}); clients want them by field."""
    if isinstance(messages, dict) and set(messages) <= {
        "json",
        "query",
        "form",
        "files",
        "headers",
        "view_args",
    }:
        out: dict = {}
        for value in messages.values():
            if isinstance(value, dict):
                out.update(value)
        return out
    return messages if isinstance(messages, dict) else {"_schema": messages}


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    errors = {}
    data = getattr(exc, "data", None) or {}
    if "messages" in data:
        errors = _flatten_webargs(data["messages"])
    message = exc.description if exc.description and not str(exc.description).startswith("The ") else None
    if status == 422 and not message:
        message = MESSAGES[422]
    return error_response(status, message or MESSAGES.get(status), errors)


def register_error_handlers(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        db.session.rollback()
        return error_response(exc.status, exc.message, exc.errors, exc.code)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        db.session.rollback()
        return error_response(422, MESSAGES[422], _flatten_webargs(exc.messages))

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        # e.g. an id beyond the integer column's range (PostgreSQL refuses it; SQLite finds nothing)
        db.session.rollback()
        current_app.logger.info("data error: %s", exc)
        return error_response(422, "提交的数值超出允许范围")

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError):
        db.session.rollback()
        current_app.logger.warning("integrity error: %s", exc)
        return error_response(409, "与现有数据冲突（重复或引用不存在的数据）")


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint; kept as our own name so plugins import one thing."""


class PageArgs(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1), metadata={"description": "页码，从1开始"}
    )
    page_size = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "每页条数（1–500）"},
    )


def paginate(stmt, args: dict, count_stmt=None) -> tuple[list, dict]:
    """Run ``stmt`` for one page; returns the rows and headers (``X-Total-Count``, ``Link``)."""
    page, size = args.get("page", 1), args.get("page_size", 50)
    if count_stmt is None:
        count_stmt = db.select(db.func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count_stmt) or 0
    rows = list(db.session.scalars(stmt.limit(size).offset((page - 1) * size)).unique())
    headers = {"X-Total-Count": str(total)}
    links = []
    last = max(1, -(-total // size))
    base = request.base_url
    # Every value of repeatable filters (status=a&status=b), URL-encoded (q=中文, q=a&b).
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    for rel, number in (("first", 1), ("prev", page - 1), ("next", page + 1), ("last", last)):
        if 1 <= number <= last:
            params = urlencode([*query, ("page", number)])
            links.append(f'<{base}?{params}>; rel="{rel}"')
    if links:
        headers["Link"] = ", ".join(links)
    return rows, headers


def require_if_match(obj) -> None:
    """Updates must name the version they change; a stale one answers 412, a missing one 428."""
    from core.services.debts import StaleVersion, check_version

    value = request.headers.get("If-Match")
    if not value:
        raise ApiError(428)
    try:
        check_version(obj, value)
    except StaleVersion as exc:
        raise ApiError(412, errors={"If-Match": [f"当前版本为 {exc.args[0]}"]}) from exc


def get_or_404(model, ident):
    """Fetch through the isolation filter: an object of another tenant simply does not exist here."""
    from core.tenancy.isolation import visible

    obj = visible(model, ident)
    if obj is None:
        raise ApiError(404)
    return obj
