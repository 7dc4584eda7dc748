"""Attacking routes with another tenant's ids: the machinery of the isolation proof.

Used by tests/test_isolation_routes.py for every route of the app, and by the contract kit for the routes
of one plugin. Nothing lists routes by hand: they come from ``app.url_map``; a URL parameter names its
model through the model's ``__url_param__``, and a plugin's rows come from its ``qingqian_sample_objects``.

Outsiders are ``clerk_b1`` (another jurisdiction) and ``clerk_a2`` (a sibling unit in the same
jurisdiction). The victim is unit ``a.town1`` (``clerk_a1``'s unit) and everything below it.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field

from sqlalchemy import String, Text, inspect

from core.auth.context import resolve
from core.auth.permissions import PUBLIC, is_requester_only, required_permission
from core.extensions import db
from core.models.base import JurisdictionOwned, UnitOwned
from core.plugins import flatten
from core.rules.credit_code import make
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from core.testing.harness import debt_payload, registered_models

# Routes that carry no tenant data at all. Keep this short: everything else must prove isolation.
ALLOW_LIST = {
    "/static/<path:filename>": "静态文件",
    "/api/openapi.json": "OpenAPI 文档",
    "/api/docs": "接口文档页面",
    "/login": "登录页",
}
OUTSIDERS = ("clerk_b1", "clerk_a2")
# Plus broad roles outside a.town1 (another jurisdiction's office; a sibling SOE group), so that routes a
# clerk may not use at all are still attacked past the permission check, up to the object lookup.
ATTACKERS = (*OUTSIDERS, "office_b", "soe_a")
OTHER_JURISDICTION = {"clerk_b1", "office_b"}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}  # HEAD is GET without a body; OPTIONS is answered by Flask itself
BODY_METHODS = {"POST", "PATCH", "PUT"}

# Text that exists only in a.town1's data, so finding it in an outsider's response is a leak.
PROJECT_MARK = "隔离标记甲一道路工程"
CREDITOR_MARK = "隔离标记甲一建筑有限公司"
CONTRACT_MARK = "ISO-A1-MARK-0001"
CREDIT_CODE = make("91140922MA0K7Q3X1")
JOB_MARK = "隔离标记甲一作业"
NOTIFICATION_MARK = "隔离标记甲一通知"


# --- Enumeration helpers --------------------------------------------------------------------------------


def is_static(rule) -> bool:
    return rule.endpoint == "static" or rule.endpoint.endswith(".static")


def is_allowed(rule) -> bool:
    # Blueprint static folders serve files, never rows; the gate treats them the same way.
    return rule.rule in ALLOW_LIST or is_static(rule)


def methods_of(rule) -> list[str]:
    return sorted((rule.methods or set()) - SKIPPED_METHODS)


def all_rules(app) -> list:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def view_of(app, rule):
    return app.view_functions[rule.endpoint]


def is_public(app, rule, method) -> bool:
    return required_permission(view_of(app, rule), method) == PUBLIC


def url_param_models() -> dict[str, type]:
    """URL parameter name → model, from every mapped model's ``__url_param__``."""
    from flask import current_app

    out: dict[str, type] = {}
    for cls in registered_models(current_app):
        param = cls.__dict__.get("__url_param__")
        if param:
            assert param not in out, (
                f"__url_param__ {param!r} 同时用于 {out[param].__name__} 和 {cls.__name__}"
            )
            out[param] = cls
    return out


def tenant_owned_models() -> list[type]:
    from flask import current_app

    return sorted(
        (cls for cls in registered_models(current_app) if getattr(cls, "__tenant_owned__", False)),
        key=lambda cls: cls.__name__,
    )


def openapi_path(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


# --- Request bodies that pass schema validation, so the lookup (and its 404) is what answers ----------


def example_value(schema: dict, spec: dict, depth: int = 0):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example_value(spec["components"]["schemas"][name], spec, depth)
    for key in ("example", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if schema.get("enum"):
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        required = set(schema.get("required", []))
        return {
            name: example_value(prop, spec, depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in required and not prop.get("readOnly")
        }
    if kind == "array":
        return [example_value(schema.get("items", {}), spec, depth + 1)] if schema.get("minItems") else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 100  # an integer: money fields refuse floats
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return "2023-08-20"
    if fmt == "date-time":
        return "2023-08-20T09:00:00"
    if fmt == "email":
        return "someone@example.com"
    text = "隔离测试示例内容"
    return text * max(1, -(-schema.get("minLength", 1) // len(text)))


def example_body(app, rule, method: str) -> dict:
    spec = app.extensions["qingqian.api"].spec.to_dict()
    operation = spec.get("paths", {}).get(openapi_path(rule), {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    schema = (content.get("application/json") or {}).get("schema")
    return example_value(schema, spec) if schema else {}


# --- The victim's data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A victim row by value: ORM instances expire on every commit and cannot reload outside a scope."""

    pk: object
    unit_id: int | None


@dataclass
class Victim:
    """Everything that belongs to a.town1 (and its subtree), by model, plus what betrays it in a response."""

    unit_id: int
    jurisdiction_id: int
    subtree_ids: set[int]
    objects: dict[type, list[Row]] = field(default_factory=dict)
    markers: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    def first_id(self, model: type):
        # Prefer a row of a.town1 itself over one further down, so the sibling test is about a.town1.
        rows = sorted(self.objects.get(model) or [], key=lambda row: row.unit_id != self.unit_id)
        return rows[0].pk if rows else None

    def ids(self, model: type) -> set:
        return {row.pk for row in self.objects.get(model, [])}

    def load(self, model: type):
        with system_scope():
            return db.session.get(model, self.first_id(model), populate_existing=True)


def row_is_victims(obj, victim: Victim) -> bool:
    if isinstance(obj, TenantNode):
        return obj.id in victim.subtree_ids
    if isinstance(obj, UnitOwned):
        return obj.unit_id in victim.subtree_ids
    if isinstance(obj, JurisdictionOwned):
        return obj.jurisdiction_id == victim.jurisdiction_id
    return False


def text_markers(obj) -> set[str]:
    """Long free-text values of a row; short codes and enum values would give false alarms."""
    out = set()
    for column in inspect(type(obj)).columns:
        if isinstance(column.type, String | Text):
            value = getattr(obj, column.key, None)
            if isinstance(value, str) and len(value) >= 6 and re.search(r"[\u4e00-\u9fff]", value):
                out.add(value)
    return out


def create_victim_data(app, client, world) -> Victim:
    h = world.headers("clerk_a1")
    body = debt_payload(
        project_name=PROJECT_MARK,
        contract_no=CONTRACT_MARK,
        creditor={"name": CREDITOR_MARK, "credit_code": CREDIT_CODE, "size_class": "small"},
    )
    r = client.post("/api/v1/debts", json=body, headers=h)
    assert r.status_code == 201, r.json
    debt_id = r.json["id"]
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments", json={"paid_on": "2023-03-02", "amount": "1000"}, headers=h
    )
    assert r.status_code == 201, r.json
    # A proposed change to the creditor's shared fields: an enterprise_proposals row of a.town1.
    creditor_id = client.get(f"/api/v1/debts/{debt_id}", headers=h).json["creditor"]["id"]
    creditor_url = f"/api/v1/enterprises/{creditor_id}"
    etag = client.get(creditor_url, headers=h).headers["ETag"]
    r = client.patch(creditor_url, json={"size_class": "micro"}, headers={**h, "If-Match": etag})
    assert r.status_code == 200 and r.json["proposal"]["status"] == "pending", r.json

    with system_scope():
        unit = world.node("a.town1")
        user = world.users["clerk_a1"]
        from core.jobs.models import Job

        db.session.add(
            Job(
                id=str(uuid.uuid4()),
                name="isolation.sample",
                jurisdiction_id=unit.jurisdiction_id,
                unit_id=unit.id,
                message=JOB_MARK,
                user_id=user.id,
            )
        )
        notification = notification_model()
        if notification is not None:
            db.session.add(
                notification(
                    jurisdiction_id=unit.jurisdiction_id,
                    unit_id=unit.id,
                    title=NOTIFICATION_MARK,
                    body=NOTIFICATION_MARK,
                )
            )
        pm = app.extensions["qingqian.plugins"]
        # All installed plugins, enabled or not: a disabled plugin's rows must be just as unreachable.
        plugin_objects = flatten(pm.hook.qingqian_sample_objects(unit=unit, user=user))
        db.session.commit()

        subtree = {
            n.id
            for n in db.session.scalars(db.select(TenantNode).where(TenantNode.path.startswith(unit.path)))
        }
        victim = Victim(unit_id=unit.id, jurisdiction_id=unit.jurisdiction_id, subtree_ids=subtree)
        victim.markers |= {PROJECT_MARK, CREDITOR_MARK, CONTRACT_MARK, CREDIT_CODE, JOB_MARK, unit.code}
        if notification is not None:
            victim.markers.add(NOTIFICATION_MARK)
        for obj in plugin_objects:
            victim.markers |= text_markers(obj)
        # Every tenant-owned row that ended up in a.town1's subtree, side effects (history, links) included.
        for model in tenant_owned_models():
            rows = [row for row in db.session.scalars(db.select(model)) if row_is_victims(row, victim)]
            if rows:
                victim.objects[model] = [
                    Row(
                        inspect(row).identity[0],
                        row.id if model is TenantNode else getattr(row, "unit_id", None),
                    )
                    for row in rows
                ]
            if model is TenantNode:
                victim.codes = {row.code for row in rows}
                victim.markers |= {row.code for row in rows} | {row.name for row in rows}
    return victim


def notification_model():
    return next(
        (
            m.class_
            for m in db.Model.registry.mappers
            if m.class_.__dict__.get("__tablename__") == "notifications"
        ),
        None,
    )


# --- Leak detection in a response ----------------------------------------------------------------------


def walk(value):
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def response_text(response) -> str:
    """The response as text; for .xlsx downloads (a zip), the workbook's XML, where the cell text lives."""
    data = response.get_data()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as workbook:
            return "".join(
                workbook.read(name).decode("utf-8", "replace")
                for name in workbook.namelist()
                if name.endswith(".xml")
            )
    return data.decode("utf-8", "replace")


def leaks_in(response, victim: Victim, outsider: str) -> list[str]:
    """What of the victim's data a response shows: marker text, or ids of the victim's rows by name."""
    text = response_text(response)
    found = [f"文本 {m!r}" for m in sorted(victim.markers) if m in text]
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        return found
    params = url_param_models()
    node_ids = victim.subtree_ids
    for item in walk(payload):
        for key, value in item.items():
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            if key in ("unit_id", "parent_id", "tenant_id", "node_id") and value in node_ids:
                found.append(f"{key}={value}（甲一镇子树的单位）")
            elif (
                key == "jurisdiction_id"
                and outsider in OTHER_JURISDICTION
                and value == victim.jurisdiction_id
            ):
                found.append(f"jurisdiction_id={value}（另一辖区）")
            elif key in params and key != "tenant_id" and value in victim.ids(params[key]):
                found.append(f"{key}={value}（{params[key].__name__}）")
        if item.get("code") in victim.codes:
            found.append(f"code={item['code']}")
    return found


def object_rules(app) -> list:
    return [r for r in all_rules(app) if r.arguments and not is_allowed(r)]


def missing_values(rule) -> dict:
    """Ids that exist nowhere, per converter, to compare answers with."""
    out = {}
    for arg in rule.arguments:
        converter = type(rule._converters[arg]).__name__
        out[arg] = (
            987654321 if converter in ("IntegerConverter", "NumberConverter") else "no-such-object-0000"
        )
    return out


def attack(client, world, url, method, body, outsider):
    return client.open(url, method=method, json=body, headers=world.headers(outsider, **{"If-Match": "*"}))


def list_rules(app) -> list:
    return [
        r
        for r in all_rules(app)
        if not r.arguments
        and "GET" in (r.methods or ())
        and r.rule.startswith("/api/v1/")
        and not r.rule.startswith("/api/v1/public/")
        and not is_allowed(r)
    ]


def object_route_failures(app, client, world, victim: Victim, rules) -> tuple[list[str], int, int]:
    """Another jurisdiction and a sibling unit must get 404 for a.town1's ids — never 200, 403 or 500.

    One exception, which reveals nothing: when the outsider's role lacks the route's permission, the gate
    refuses before any lookup, so the answer (403) must then be identical for a non-existent id.
    ``office_b`` and ``soe_a`` hold broad roles, so for them nearly every route reaches the lookup.
    Returns the failures, the number of attempts and how many of them reached the lookup.
    """
    params = url_param_models()
    principals = {u: resolve(world.users[u]) for u in ATTACKERS}
    failures, attempts, lookups = [], 0, 0
    for rule in rules:
        if any(arg not in params for arg in rule.arguments):
            continue  # reported by unmapped_parameters
        values = {arg: victim.first_id(params[arg]) for arg in rule.arguments}
        if any(v is None for v in values.values()):
            continue  # reported by models_without_samples
        url = rule.build(values, append_unknown=False)[1]
        missing_url = rule.build(missing_values(rule), append_unknown=False)[1]
        view = view_of(app, rule)
        for method in methods_of(rule):
            needed = required_permission(view, method)
            if needed == PUBLIC:
                continue  # public by design (tracking codes etc.); covered by the plugin's own tests
            body = example_body(app, rule, method) if method in BODY_METHODS else None
            for outsider in ATTACKERS:
                attempts += 1
                r = attack(client, world, url, method, body, outsider)
                leaks = leaks_in(r, victim, outsider)
                ok = r.status_code == 404
                if not ok and not principals[outsider].can(needed):
                    other = attack(client, world, missing_url, method, body, outsider)
                    ok = r.status_code == 403 and (other.status_code, other.data) == (r.status_code, r.data)
                else:
                    lookups += 1
                if not ok or leaks:
                    detail = r.get_data(as_text=True)[:200]
                    failures.append(f"{outsider} {method} {url} → {r.status_code} {leaks} {detail}")
    return failures, attempts, lookups


def owner_failures(app, client, world, victim: Victim, rules) -> list[str]:
    """The 404s above mean isolation, not broken URLs: the owner must read every object route with GET."""
    params = url_param_models()
    office = resolve(world.users["office_a"])
    failures = []
    for rule in rules:
        if "GET" not in methods_of(rule) or any(arg not in params for arg in rule.arguments):
            continue
        view = view_of(app, rule)
        if is_requester_only(view):
            continue  # only its creator reads it; the route's own tests prove that
        values = {arg: victim.first_id(params[arg]) for arg in rule.arguments}
        if any(v is None for v in values.values()):
            continue
        url = rule.build(values, append_unknown=False)[1]
        # A platform page (no office role holds its permission) is read by the platform admin instead.
        reader = "office_a" if office.can(required_permission(view, "GET")) else "admin"
        r = client.get(url, headers=world.headers(reader))
        if r.status_code != 200:
            failures.append(f"GET {url} → {r.status_code}")
    return failures


def list_leaks(client, world, victim: Victim, rules) -> list[str]:
    """What list routes show outsiders of a.town1's data (and any 5xx they answer)."""
    failures = []
    for rule in rules:
        for outsider in ATTACKERS:
            r = client.get(rule.rule, headers=world.headers(outsider))
            if r.status_code >= 500:
                failures.append(f"{outsider} GET {rule.rule} → {r.status_code}")
                continue
            leaks = leaks_in(r, victim, outsider)
            if leaks:
                failures.append(f"{outsider} GET {rule.rule} → {r.status_code} {leaks}")
    return failures


def unmapped_parameters(app, rules) -> list[str]:
    params = url_param_models()
    return sorted(
        f"<{arg}> in {rule.rule}"
        for rule in rules
        if not all(is_public(app, rule, m) for m in methods_of(rule))
        for arg in rule.arguments
        if arg not in params
    )


def models_without_samples(victim: Victim, rules) -> list[str]:
    params = url_param_models()
    used = {params[arg] for rule in rules for arg in rule.arguments if arg in params}
    return sorted(m.__name__ for m in used if victim.first_id(m) is None)
