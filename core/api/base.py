"""What every API endpoint shares: JSON errors, pagination, ETags, and turning domain errors into 4xx."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, jsonify, make_response, request
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from core.extensions import db
from core.rules.validation import Refused

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


def too_many_requests(retry_after: int) -> ApiError:
    """The 429 of a rate limit, saying when to come back (``Retry-After``, seconds)."""
    return ApiError(429, headers={"Retry-After": str(max(int(retry_after), 1))})


class ApiError(Exception):
    """Raise from anywhere in an API request (core or plugin) to answer with a JSON error.

    ``ApiError(422, errors={"amount": ["付款金额超过未付余额"]})`` answers
    ``{"code": "validation_error", "message": "提交的数据未通过校验", "errors": {...}}``; pass ``message`` to
    say more than the status's Chinese default (``MESSAGES``), ``code`` to override the machine-readable code.
    The session is rolled back first, so nothing half-written survives the error.
    """

    def __init__(
        self,
        status: int,
        message: str | None = None,
        errors: dict | None = None,
        code: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.headers = headers or {}
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


def _nul_field(value: Any, path: str = "") -> str | None:
    """The field (dotted) of the first string holding a NUL character, which PostgreSQL text cannot store."""
    if isinstance(value, str):
        return (path or "_schema") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_field(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = _nul_field(item, path)
            if found:
                return found
    return None


def refuse_nul_characters() -> None:
    """``before_request`` for the API: a NUL character in a JSON string or a query value is refused on every
    database alike (the document's strings say ``^[^\x00]*$``), naming the field, instead of SQLite storing it
    and PostgreSQL failing."""
    if not request.path.startswith("/api/"):
        return
    field = next((k for k, v in request.args.items(multi=True) if "\x00" in v), None)
    if field is None and request.is_json:
        field = _nul_field(request.get_json(silent=True))
    if field is None and request.form:
        field = next((k for k, v in request.form.items(multi=True) if "\x00" in v), None)
    if field is not None:
        raise ApiError(422, "文本中不能含有空字符（\\x00）", errors={field: ["不能含有空字符（\\x00）"]})


def register_error_handlers(app) -> None:
    app.before_request(refuse_nul_characters)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        db.session.rollback()
        response = error_response(exc.status, exc.message, exc.errors, exc.code)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(Refused)
    def _refused(exc: Refused):
        # A service's refusal that no route caught: still the reasons by field, never a 500.
        from core.auth.gate import is_api_request
        from core.web.errors import render_error_page

        db.session.rollback()
        errors = exc.field_errors()
        if is_api_request():
            return error_response(exc.status, None, errors)
        reasons = "；".join(m for messages in errors.values() for m in messages)
        page = HTTPException(description=reasons)
        page.code = exc.status
        return render_error_page(page)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        db.session.rollback()
        return error_response(422, MESSAGES[422], _flatten_webargs(exc.messages))

    @app.errorhandler(DataError)
    def _data_error(exc: DataError):
        # e.g. an id beyond the integer column's range (PostgreSQL refuses it; SQLite finds nothing)
        db.session.rollback()
        current_app.logger.info("data error: %s", exc)
        return _out_of_range()

    @app.errorhandler(OverflowError)
    def _overflow_error(exc: OverflowError):
        # SQLite's driver refuses an integer beyond 64 bits (an id of 2**63) before any query runs: no record
        # has such a number, whatever the method (schemas bound the integers that are not references).
        db.session.rollback()
        return error_response(404, "提交的数值超出允许范围，没有相应的记录")

    def _out_of_range():
        # A read naming a number no column can hold (an id filter of 2**70) finds nothing: 404, as for any
        # id that names nothing. A write of such a number is refused as input (422).
        if request.method in ("GET", "HEAD"):
            return error_response(404, "提交的数值超出允许范围，没有相应的记录")
        return error_response(422, "提交的数值超出允许范围")

    @app.errorhandler(OperationalError)
    def _operational_error(exc: OperationalError):
        # SQLite (the embedded default) has one writer: a write that meets another one past busy_timeout, or
        # after reading what the other has since changed, is refused whole. Nothing was saved; retry.
        if "database is locked" not in str(exc):
            raise exc
        from core.auth.gate import is_api_request
        from core.web.errors import render_error_page

        db.session.rollback()
        message = "系统正忙（另一项保存正在进行），本次未保存任何内容，请稍后重试"
        if is_api_request():
            response = error_response(503, message, code="busy")
        else:
            page = HTTPException(description=message)
            page.code = 503
            response = make_response(render_error_page(page))
        response.headers["Retry-After"] = "2"
        return response

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError):
        db.session.rollback()
        current_app.logger.warning("integrity error: %s", exc)
        return error_response(409, "与现有数据冲突（重复或引用不存在的数据）")


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint; kept as our own name so plugins import one thing."""


# Beyond this a page is certainly empty; the cap keeps OFFSET (page × size) inside every database's range.
MAX_PAGE = 1_000_000
PAGE = validate.Range(min=1, max=MAX_PAGE)


class PageArgs(Schema):
    page = fields.Integer(
        load_default=1, validate=PAGE, metadata={"description": f"页码，从1开始（最大 {MAX_PAGE}）"}
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
    from core.services.locks import is_row, lock_row

    value = request.headers.get("If-Match")
    if not value:
        raise ApiError(428)
    if is_row(obj):
        lock_row(obj)  # the version checked is the one this request then writes over
    try:
        check_version(obj, value)
    except StaleVersion as exc:
        raise ApiError(412, errors={"If-Match": [f"当前版本为 {exc.args[0]}"]}) from exc


def missing_reference(field: str, reason: str = "不存在或不在您的权限范围内") -> ApiError:
    """The 404 for an id in the request (body or query) that names nothing the caller may see.

    Out of scope and non-existent answer alike (nothing leaks), and the answer names the field: ``field`` may
    be dotted for a nested one (``"creditor.id"`` → ``{"creditor": {"id": [...]}}``). A reference is not
    malformed input — the same body is right for a user who can see the record — so it is a 404, not a 422.
    """
    errors: dict = {}
    node = errors
    *outer, last = field.split(".")
    for part in outer:
        node = node.setdefault(part, {})
    node[last] = [reason]
    return ApiError(404, reason, errors=errors)


def get_or_404(model, ident, field: str | None = None):
    """Fetch through the isolation filter: an object of another tenant simply does not exist here.

    ``field``: the request field that carried ``ident`` (the 404 then names it)."""
    from core.tenancy.isolation import visible

    obj = visible(model, ident)
    if obj is None:
        raise missing_reference(field) if field else ApiError(404)
    return obj
