"""The OpenAPI document as the API actually behaves, for clients and fuzzers alike.

``QingqianApi`` is flask-smorest's ``Api`` with our ``Error`` body (``code`` is a string such as
``"validation_error"``) and a last pass over the generated document that applies to every route, core's and
plugins' alike (``finish_document``):

* routes that need no token (``PUBLIC`` permission, the docs) say ``security: []``;
* every operation lists the error answers the request pipeline can give (401 only where a token is needed);
* naive UTC timestamps are declared by a pattern, not ``format: date-time`` (which requires an offset).

A marshmallow schema states what its fields alone cannot (one of two fields required, a pattern on a string
the schema checks in code) as a class attribute ``OPENAPI_EXTRA``: a JSON-schema fragment merged into its
component (``{"anyOf": [...], "properties": {"id": {"minimum": 1}}}``), for core's and plugins' schemas alike.

Routes declare what only they know with ``blp.doc(**...)`` and the helpers here: ``download_doc`` for file
answers (with their media types) and ``versioned_doc`` for answers carrying an ``ETag`` and updates that
need ``If-Match``. A route whose path ends in .xlsx/.docx/.zip/.csv and declares nothing gets that media type.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from flask_smorest import Api
from marshmallow import Schema, fields

from core.api.base import MESSAGES

# What a naive UTC timestamp looks like on the wire (marshmallow's isoformat of a naive datetime).
# Calendar-true: months of 30 and 31 days, February's 29th only in leap years, year 0001 to 9999, so a
# timestamp the pattern allows is one the server parses.
_YEAR = r"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_CALENDAR_DATE = (
    rf"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    rf"|{_LEAP_YEAR}-02-29)"
)
NAIVE_UTC_PATTERN = rf"^{_CALENDAR_DATE}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,6}})?$"
NAIVE_UTC_DESCRIPTION = "UTC 时间，不带时区后缀（如 2023-08-25T02:30:00）"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
CSV = "text/csv"
ANY_FILE = "application/octet-stream"
_SUFFIX_TYPES = {"xlsx": XLSX, "docx": DOCX, "zip": ZIP, "csv": CSV}


class ErrorSchema(Schema):
    code = fields.String(metadata={"description": "机器可读的错误代码，如 validation_error、not_found"})
    message = fields.String(metadata={"description": "中文说明"})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "按字段列出的原因：{字段: [原因, ...]}（嵌套字段为嵌套对象）"},
    )


ERROR_REF = {"$ref": "#/components/schemas/Error"}

_ETAG_HEADER = {"description": "资源版本，更新时放入 If-Match", "schema": {"type": "string"}}


def versioned_doc(*etag_statuses: int, if_match: str | None = None) -> dict[str, Any]:
    """``blp.doc`` keywords: the ``ETag`` header on ``etag_statuses`` and, with ``if_match`` ("required" or
    "optional"), the ``If-Match`` request header (missing → 428 when required, stale → 412)."""
    doc: dict[str, Any] = {"responses": {s: {"headers": {"ETag": _ETAG_HEADER}} for s in etag_statuses}}
    if if_match:
        required = if_match == "required"
        doc["parameters"] = [
            {
                "in": "header",
                "name": "If-Match",
                "required": required,
                "description": "资源当前的 ETag（GET 响应头）"
                + ("；缺少时答 428" if required else "；带上时检查版本")
                + "，已过期时答 412",
                "schema": {"type": "string"},
            }
        ]
    return doc


def download_doc(*media_types: str, description: str = "文件") -> dict[str, Any]:
    """``blp.doc`` keywords for a route that answers 200 with a file of one of ``media_types``."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {
                "description": description,
                "content": {m: binary for m in media_types or (ANY_FILE,)},
                "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
            }
        }
    }


def upload_doc(
    *media_types: str, description: str = "上传的文件", fields: dict[str, dict] | None = None
) -> dict[str, Any]:
    """``blp.doc`` keywords for a route that reads a multipart form itself: a required ``file`` part of
    ``media_types`` and the optional form ``fields`` (name → JSON schema). What the file must contain beyond
    its type (a sheet's header row) is the route's description and its 422."""
    schema = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": description},
            **(fields or {}),
        },
    }
    # The file's media types go in its description: an ``encoding`` entry would ask a client to encode the
    # part as that type, which only the file itself can be.
    schema["properties"]["file"]["description"] += "（" + "、".join(media_types or (ANY_FILE,)) + "）"
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


# A yes/no form field as the upload routes read it.
FORM_FLAG = {"type": "string", "enum": ["true", "false"]}


def _error(status: int) -> dict:
    return {
        "description": MESSAGES.get(status, "错误"),
        "content": {"application/json": {"schema": ERROR_REF}},
    }


_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _public_operations() -> set[tuple[str, str]]:
    from core.auth.permissions import PUBLIC, required_permission

    public = set()
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        if view is None:
            continue
        path = _RULE_ARG.sub(r"{\1}", rule.rule)
        for method in rule.methods or ():
            if required_permission(view, method) == PUBLIC:
                public.add((path, method.lower()))
    return public


def _declare_naive_timestamps(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "date-time":
            del node["format"]
            node["pattern"] = NAIVE_UTC_PATTERN
            node.setdefault("description", NAIVE_UTC_DESCRIPTION)
        for value in node.values():
            _declare_naive_timestamps(value)
    elif isinstance(node, list):
        for value in node:
            _declare_naive_timestamps(value)


_NUMERIC_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _drop_bounds_of_strings(node: Any) -> None:
    """A decimal sent as a string (money, rates) keeps its Range validator, which apispec writes as
    numeric bounds: invalid on a string. The pattern and the 422 answer say what is allowed instead."""
    if isinstance(node, dict):
        if node.get("type") == "string":
            for bound in _NUMERIC_BOUNDS:
                node.pop(bound, None)
        for value in node.values():
            _drop_bounds_of_strings(value)
    elif isinstance(node, list):
        for value in node:
            _drop_bounds_of_strings(value)


NO_NUL_PATTERN = r"^[^\x00]*$"


def _declare_no_nul(node: Any) -> None:
    """Free text never holds a NUL character (core.api.base.refuse_nul_characters refuses it)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not ({"pattern", "format", "enum"} & node.keys()):
            node["pattern"] = NO_NUL_PATTERN
        for value in node.values():
            _declare_no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _declare_no_nul(value)


def _deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            _deep_merge(out[key], value)
            if isinstance(out.get(key), dict) and isinstance(value, dict)
            else value
        )
    return out


def _merged_by_status(responses: dict) -> dict:
    """``blp.doc`` entries and flask-smorest's own may key one status as 200 and "200": one entry each."""
    merged: dict = {}
    for key, value in responses.items():
        merged[str(key)] = _deep_merge(merged.get(str(key), {}), value)
    return merged


METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def finish_document(doc: dict) -> dict:
    public = _public_operations()
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            responses = _merged_by_status(op.setdefault("responses", {}))
            op["responses"] = responses
            is_public = (path, method) in public
            if is_public:
                op["security"] = []
            statuses = [400, 404, 422, 429]
            if not is_public:
                statuses += [401, 403]
            if method in ("post", "put", "patch", "delete"):
                statuses += [409, 413]
            if any(p.get("name") == "If-Match" for p in op.get("parameters", [])):
                statuses += [412, 428]
            for status in statuses:
                responses.setdefault(str(status), _error(status))
            responses["default"] = _error(500) | {"description": "其他错误"}
            suffix = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
            if suffix in _SUFFIX_TYPES and not responses.get("200", {}).get("content"):
                responses["200"] = download_doc(_SUFFIX_TYPES[suffix])["responses"][200]
            for answer in responses.values():
                if "$ref" not in answer:
                    answer.setdefault("description", "成功")
            if not any(code.startswith("2") for code in responses):
                responses["200"] = {"description": "成功"}
    _declare_naive_timestamps(doc.get("components", {}))
    _declare_naive_timestamps(doc.get("paths", {}))
    _drop_bounds_of_strings(doc.get("components", {}))
    _drop_bounds_of_strings(doc.get("paths", {}))
    _declare_no_nul(doc.get("components", {}))
    _declare_no_nul(doc.get("paths", {}))
    return doc


def _schema_extras(spec) -> dict[str, dict]:
    """Component name → the ``OPENAPI_EXTRA`` of the marshmallow schema behind it."""
    extras: dict[str, dict] = {}
    for plugin in spec.plugins:
        converter = getattr(plugin, "converter", None)
        for key, name in (getattr(converter, "refs", None) or {}).items():
            cls = key[0] if isinstance(key, tuple) else type(key)
            extra = getattr(cls, "OPENAPI_EXTRA", None)
            if extra:
                extras[name] = extra
    return extras


def apply_schema_extras(doc: dict, extras: dict[str, dict]) -> dict:
    schemas = doc.get("components", {}).get("schemas", {})
    for name, extra in extras.items():
        if name in schemas:
            schemas[name] = _deep_merge(schemas[name], extra)
    return doc


class QingqianApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _init_spec(self, *args, **kwargs):
        super()._init_spec(*args, **kwargs)
        raw = self.spec.to_dict
        spec = self.spec
        self.spec.to_dict = lambda: finish_document(apply_schema_extras(raw(), _schema_extras(spec)))
