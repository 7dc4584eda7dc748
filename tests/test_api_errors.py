"""Errors are JSON {"code", "message", "errors"} everywhere under /api; the OpenAPI document and docs page."""

from __future__ import annotations

import pytest

try:
    from tests.conftest import debt_payload
except ImportError:  # tests/ is not a package
    from conftest import debt_payload


def assert_error_body(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/json", response.data[:300]
    body = response.get_json()
    assert set(body) >= {"code", "message", "errors"}
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    if code:
        assert body["code"] == code
    return body


def test_401_without_token(client, world):
    r = client.get("/api/v1/debts")
    body = assert_error_body(r, 401, "unauthorized")
    assert "登录" in body["message"] or "令牌" in body["message"]


def test_401_with_unknown_or_malformed_token(client, world):
    assert_error_body(client.get("/api/v1/debts", headers={"Authorization": "Bearer nope"}), 401)
    assert_error_body(client.get("/api/v1/debts", headers={"Authorization": "Basic abc"}), 401)
    assert_error_body(client.get("/api/v1/debts", headers={"Authorization": "Bearer "}), 401)


def test_401_with_revoked_token(client, world):
    from core.auth.models import ApiToken
    from core.extensions import db
    from core.models.base import utcnow
    from core.tenancy.scope import system_scope

    headers = world.headers("clerk_a1")
    assert client.get("/api/v1/debts", headers=headers).status_code == 200
    with system_scope():
        row = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == world.users["clerk_a1"].id))
        row.revoked_at = utcnow()
        db.session.commit()
    assert_error_body(client.get("/api/v1/debts", headers=headers), 401, "unauthorized")
    # other users' tokens still work
    assert client.get("/api/v1/debts", headers=world.headers("clerk_a2")).status_code == 200


def test_403_is_json(client, world):
    r = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers("leader_a"))
    assert_error_body(r, 403, "forbidden")


def test_404_for_an_unknown_api_path_is_json(client, world):
    assert_error_body(client.get("/api/v1/xyz", headers=world.headers("clerk_a1")), 404, "not_found")
    assert_error_body(client.get("/api/v1/xyz"), 404)  # nor without a token is it an HTML page
    assert_error_body(client.get("/api/v1/debts/999999", headers=world.headers("clerk_a1")), 404)


def test_405_is_json(client, world):
    r = client.put("/api/v1/debts", json={}, headers=world.headers("clerk_a1"))
    assert_error_body(r, 405, "method_not_allowed")


def test_malformed_json_is_400_json(client, world):
    r = client.post(
        "/api/v1/debts",
        data='{"amount_owed": "1",',
        headers=world.headers("clerk_a1", **{"Content-Type": "application/json"}),
    )
    assert_error_body(r, 400, "bad_request")


def test_json_of_the_wrong_shape_is_422(client, world):
    r = client.post("/api/v1/debts", json=["not", "an", "object"], headers=world.headers("clerk_a1"))
    body = assert_error_body(r, 422, "validation_error")
    assert body["errors"]


def test_422_names_fields_in_chinese(client, world):
    body = debt_payload(amount_owed="abc", contract_date="2023-13-45", category="food", extra=1)
    del body["creditor"]
    r = client.post("/api/v1/debts", json=body, headers=world.headers("clerk_a1"))
    errors = assert_error_body(r, 422, "validation_error")["errors"]
    assert errors["creditor"] == ["必填字段"]
    assert errors["amount_owed"][0].startswith("金额格式不正确")
    assert errors["contract_date"][0].startswith("不是有效的日期")
    assert errors["category"] == ["必须是以下值之一：goods, works, services, deposit"]
    assert errors["extra"] == ["未知字段"]


def test_query_string_errors_are_chinese(client, world):
    r = client.get("/api/v1/debts?page=abc&page_size=9999", headers=world.headers("clerk_a1"))
    errors = assert_error_body(r, 422)["errors"]
    assert errors["page"] == ["不是有效的整数"]
    assert errors["page_size"] == ["应大于或等于 1 且小于或等于 500"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/api/v1/debts", {}, 422),
        ("post", "/api/v1/enterprises", {}, 422),
        ("post", "/api/v1/tenants", {}, 422),
        ("patch", "/api/v1/debts/1", {"remarks": "x"}, 404),
        ("get", "/api/v1/tenants/999999", None, 404),
        ("get", "/api/v1/enterprises/999999", None, 404),
        ("get", "/api/v1/debts/999999/history", None, 404),
        ("get", "/api/v1/debts/999999/payments", None, 404),
    ],
)
def test_every_error_has_the_same_shape(client, world, method, path, body, status):
    kwargs = {"headers": world.headers("office_a")}
    if body is not None:
        kwargs["json"] = body
    assert_error_body(getattr(client, method)(path, **kwargs), status)


def test_payload_too_large_is_413_json(app, client, world):
    limit = app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        pytest.skip("no MAX_CONTENT_LENGTH configured")
    r = client.post(
        "/api/v1/debts",
        data=b'{"remarks": "' + b"x" * (limit + 10) + b'"}',
        headers=world.headers("clerk_a1", **{"Content-Type": "application/json"}),
    )
    assert_error_body(r, 413)


# --- OpenAPI ------------------------------------------------------------------------------------


def test_openapi_document_lists_the_core_resources(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in (
        "/api/v1/debts",
        "/api/v1/debts/{debt_id}",
        "/api/v1/debts/{debt_id}/payments",
        "/api/v1/debts/{debt_id}/history",
        "/api/v1/enterprises",
        "/api/v1/tenants",
        "/api/v1/plugins",
    ):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/debts"])
    assert "patch" in paths["/api/v1/debts/{debt_id}"]


def test_docs_page_uses_the_vendored_swagger_ui(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/" in html
    assert "/api/openapi.json" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "http://", "https://"):
        assert cdn not in html, cdn


def test_schemas_declared_anywhere_speak_chinese(app):
    """A plugin's own schema, declared after start-up, gets the Chinese defaults too."""
    from marshmallow import Schema, ValidationError, fields, validate

    from core.api.messages import install_chinese_messages

    install_chinese_messages()  # idempotent

    class PluginSchema(Schema):
        count = fields.Integer(required=True, validate=validate.Range(min=1))
        name = fields.String(validate=validate.Length(max=3))
        when = fields.Date()
        flag = fields.Boolean()
        kind = fields.String(validate=validate.OneOf(["a", "b"]))
        email = fields.Email()
        items = fields.List(fields.Integer())

    with pytest.raises(ValidationError) as info:
        PluginSchema().load(
            {"name": "太长的名字", "when": "x", "flag": "maybe", "kind": "c", "email": "x", "z": 1}
        )
    assert info.value.messages == {
        "count": ["必填字段"],
        "name": ["长度不能超过 3"],
        "when": ["不是有效的日期（格式为 YYYY-MM-DD，如 2023-08-25）"],
        "flag": ["不是有效的布尔值（true 或 false）"],
        "kind": ["必须是以下值之一：a, b"],
        "email": ["不是有效的电子邮箱地址"],
        "z": ["未知字段"],
    }
    with pytest.raises(ValidationError) as info:
        PluginSchema().load({"count": 0, "items": "x"})
    assert info.value.messages == {"count": ["应大于或等于 1"], "items": ["不是有效的列表"]}
    with pytest.raises(ValidationError) as info:
        PluginSchema().load({"count": None, "items": ["x"]})
    assert info.value.messages == {"count": ["不能为空值"], "items": {0: ["不是有效的整数"]}}


def test_fields_made_before_the_install_are_re_translated(app):
    from marshmallow import fields, validate

    from core.api import messages

    field = fields.Integer()
    field.error_messages.update(
        {"required": "Missing data for required field.", "invalid": "Not a valid integer."}
    )
    one_of = validate.OneOf(["x"], error="Must be one of: {choices}.")
    custom = validate.OneOf(["x"], error="自定义：{choices}")
    for obj in (field, one_of, custom):
        messages._patch_instance(obj)
    assert field.error_messages["required"] == "必填字段"
    assert field.error_messages["invalid"] == "不是有效的整数"
    assert one_of.error == "必须是以下值之一：{choices}"
    assert custom.error == "自定义：{choices}"  # a schema's own message is left alone


BIG = 2**40  # beyond a 32-bit integer column


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/debts?creditor=abc", None),
        ("get", "/api/v1/debts?min_amount=abc", None),
        ("get", "/api/v1/debts?min_amount=NaN", None),
        ("get", "/api/v1/debts?overdue=maybe", None),
        ("get", f"/api/v1/debts?unit={BIG}", None),
        ("get", f"/api/v1/debts?creditor={BIG}", None),
        ("get", f"/api/v1/debts?page={BIG}", None),
        ("get", f"/api/v1/debts/{BIG}", None),
        ("get", f"/api/v1/tenants?under={BIG}", None),
        ("post", "/api/v1/debts", {"amount_owed": "NaN"}),
        ("post", "/api/v1/debts", {"amount_owed": "Infinity"}),
        ("post", "/api/v1/debts", {"amount_owed": "1e20"}),
        ("post", "/api/v1/debts", {"contract_date": "2023-02-30"}),
        ("post", "/api/v1/debts", {"agreed_daily_rate": "abc"}),
        ("post", "/api/v1/debts", {"agreed_daily_rate": "NaN"}),
        ("post", "/api/v1/debts", {"unit_id": BIG}),
        ("post", "/api/v1/debts", {"creditor": {"id": BIG}}),
        ("post", "/api/v1/debts", {"creditor": "宏达"}),
        ("post", "/api/v1/debts", {"agreed_term_days": BIG}),
        ("post", "/api/v1/debts", {"project_name": None}),
        ("post", "/api/v1/debts", {"category": None}),
        ("post", "/api/v1/enterprises", {"name": "x", "unit_id": BIG}),
        ("post", "/api/v1/enterprises", {"name": "x", "contacts": "张三"}),
        ("post", "/api/v1/tenants", {"code": "a.x", "name": "x", "kind": "township", "parent_id": BIG}),
    ],
)
def test_bad_input_is_never_500(client, world, method, path, body):
    kwargs = {"headers": world.headers("office_a")}
    if body is not None:
        kwargs["json"] = debt_payload(**body) if path == "/api/v1/debts" else body
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:300])
    if r.status_code >= 400:
        assert_error_body(r, r.status_code)
    else:  # a filter on an id that exists nowhere, or a page far beyond the end: an empty list
        assert r.get_json() == []
