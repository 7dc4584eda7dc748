"""Error pages for browser requests (API requests get JSON from core.api.base)."""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的操作",
    413: "上传内容过大",
    422: "无法办理",
}


def render_error_page(exc: HTTPException):
    status = exc.code or 500
    title = TITLES.get(status, "出错了")
    description = exc.description if exc.description and not str(exc.description).startswith("The ") else ""
    return render_template("error.html", status=status, title=title, description=description), status
