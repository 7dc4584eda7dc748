"""Security headers on every response.

The Content-Security-Policy allows scripts only from our own origin (ECharts and Swagger UI are served
from ``static/vendor``), so an injected ``<script>`` or ``onclick=`` does not run. Styles keep
'unsafe-inline': ECharts and Swagger UI set style attributes on the elements they draw, and a style can
neither run code nor send data anywhere ``connect-src``/``img-src`` do not allow.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def install_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
