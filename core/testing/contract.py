"""The contract every plugin keeps, one check per clause; each returns the problems it found (in Chinese).

The checks take the app (built on the real migrations, see ``core.testing.harness``), and, where requests
are needed, a test client and the two-jurisdiction world of ``harness.build_world``:

- ``migration_problems``: the plugin's tables exist after ``upgrade heads`` and autogenerate finds no
  difference between them and its models;
- ``rls_problems``: every tenant-owned table of the plugin has row-level security enabled and forced with
  the tenant policy (PostgreSQL catalogue; on SQLite: its migration called ``enable_tenant_rls``);
- ``append_only_problems``: a table that records what happened is declared append-only and its migration
  installs the guard;
- ``isolation_problems``: the plugin's routes, attacked with another tenant's ids (its rows come from its
  ``qingqian_sample_objects``), answer 404 and leak nothing; its lists show outsiders nothing;
- ``disabled_problems``: in a jurisdiction whose plan does not enable the plugin, its routes answer 404;
- ``money_problems``: no number-typed field on the wire, and money fields refuse floats (422 naming them);
- ``error_language_problems``: the plugin's error answers carry Chinese messages and reasons.
"""

from __future__ import annotations

import re
from typing import Any

from core.extensions import db
from core.models.base import JurisdictionOwned
from core.tenancy.models import TenantNode
from core.testing import isolation

CJK = re.compile(r"[\u4e00-\u9fff]")
# What a history table looks like: its name, or the who/what/when columns of a timeline entry.
HISTORY_NAME = re.compile(r"(^events$|_steps$|_logs?$|_timeline$|_history$|_versions$)")
HISTORY_COLUMNS = ({"action", "actor_id"}, {"action", "actor_name"})
# Number-typed properties that are not money (a job's progress, a rate of rows per second).
NOT_MONEY_NUMBERS = {"percent", "rate"}
FLOAT_AMOUNT = 1234.5
MONEY_NAME = re.compile(r"amount|money|owed|outstanding|paid|price|fee|total|yuan|budget|deposit")


# --- What belongs to the plugin ---------------------------------------------------------------------------


def plugin_hook_results(app, name: str, hook: str) -> list[Any]:
    """What the plugin ``name`` alone answers to ``hook`` (results flattened one level)."""
    from core.plugins import flatten

    caller = getattr(app.extensions["qingqian.plugins"].hook, hook)
    results = [impl.function() for impl in caller.get_hookimpls() if impl.plugin_name == name]
    return flatten(results)


def plugin_models(app, name: str) -> list[type]:
    return sorted(set(plugin_hook_results(app, name, "qingqian_register_models")), key=lambda c: c.__name__)


def tenant_tables(app, name: str) -> set[str]:
    return {
        t.name
        for cls in plugin_models(app, name)
        if issubclass(cls, JurisdictionOwned) or cls is TenantNode
        for t in cls.__mapper__.tables
    }


def plugin_rules(app, name: str) -> list:
    """The plugin's routes (API and pages), static files left out."""
    owners = app.extensions["qingqian.plugins"].blueprint_plugins
    return [
        rule
        for rule in isolation.all_rules(app)
        if not isolation.is_static(rule) and owners.get(rule.endpoint.rsplit(".", 1)[0]) == name
    ]


def is_installed(app, name: str) -> bool:
    return app.extensions["qingqian.plugins"].get_plugin(name) is not None


# --- Schema ------------------------------------------------------------------------------------------------


def migration_problems(app, name: str) -> list[str]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from core.tenancy import rls

    tables = {t.name for cls in plugin_models(app, name) for t in cls.__mapper__.tables}
    with app.app_context():
        existing = set(inspect(db.engine).get_table_names())
        problems = [f"表 {t} 不存在：插件的迁移没有建它" for t in sorted(tables - existing)]

        def include(obj, obj_name, type_, reflected, compare_to):
            table = obj_name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
            if table not in tables:
                return False
            return rls.include_in_autogenerate(obj, obj_name, type_, reflected, compare_to)

        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
            diff = compare_metadata(context, db.metadata)
    problems += [f"模型与迁移不一致（请补一个迁移）：{item}" for item in diff]
    return problems


def rls_problems(app, name: str) -> list[str]:
    from sqlalchemy import text

    from core.tenancy import rls

    tables = tenant_tables(app, name)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return [
                f"表 {t} 没有行级安全：请在其迁移中调用 core.tenancy.rls.enable_tenant_rls(op, {t!r})"
                for t in sorted(tables - rls.RLS_REQUESTED)
            ]
        with db.engine.connect() as conn:
            flags = {
                row.relname: (row.relrowsecurity, row.relforcerowsecurity)
                for row in conn.execute(
                    text(
                        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                        "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
                        "AND relname = ANY(:names)"
                    ),
                    {"names": sorted(tables)},
                )
            }
            policies = set(
                conn.execute(
                    text("SELECT tablename FROM pg_policies WHERE policyname = :p"), {"p": rls.POLICY_NAME}
                ).scalars()
            )
    problems = []
    for table in sorted(tables):
        if flags.get(table) != (True, True) or table not in policies:
            problems.append(
                f"表 {table} 没有启用并强制行级安全（或缺少租户策略）："
                f"请在其迁移中调用 core.tenancy.rls.enable_tenant_rls(op, {table!r})"
            )
    return problems


def colocation_problems(app, name: str) -> list[str]:
    """The plugin's tables against the rules that let them be distributed by jurisdiction."""
    from core.tenancy import colocation

    tables = {t.name for cls in plugin_models(app, name) for t in cls.__mapper__.tables}
    return [
        f"不符合按辖区分布的规则（见 core.tenancy.colocation，外键用 colocated_fk）：{problem}"
        for problem in colocation.problems(db.metadata)
        if problem.split(":", 1)[0] in tables
    ]


def looks_like_history(cls: type) -> bool:
    table = cls.__table__
    columns = set(table.columns.keys())
    return bool(HISTORY_NAME.search(table.name)) or any(wanted <= columns for wanted in HISTORY_COLUMNS)


def append_only_problems(app, name: str) -> list[str]:
    from sqlalchemy import text

    from core.models.append_only import APPEND_ONLY_REQUESTED, is_append_only, trigger_name

    problems = []
    declared = []
    for cls in plugin_models(app, name):
        if is_append_only(cls):
            declared.append(cls)
        elif looks_like_history(cls):
            problems.append(
                f"{cls.__name__}（表 {cls.__tablename__}）记录发生过的事，应只能追加：请混入 "
                "core.models.append_only.AppendOnly，并在迁移中调用 make_append_only(op, 表名)"
            )
    with app.app_context():
        on_pg = db.engine.dialect.name == "postgresql"
        for cls in declared:
            table = cls.__tablename__
            if on_pg:
                with db.engine.connect() as conn:
                    found = conn.execute(
                        text("SELECT count(*) FROM pg_trigger WHERE tgname = :n AND NOT tgisinternal"),
                        {"n": trigger_name(table)},
                    ).scalar()
            else:
                found = table in APPEND_ONLY_REQUESTED
            if not found:
                problems.append(
                    f"表 {table} 声明为只能追加，但其迁移没有调用 make_append_only(op, {table!r})"
                )
    return problems


# --- Requests ----------------------------------------------------------------------------------------------


def isolation_problems(app, client, world, name: str, victim=None) -> list[str]:
    """The route-isolation proof of tests/test_isolation_routes.py, on the plugin's routes only."""
    victim = victim or isolation.create_victim_data(app, client, world)
    mine = {id(rule) for rule in plugin_rules(app, name)}
    objects = [r for r in isolation.object_rules(app) if id(r) in mine]
    lists = [r for r in isolation.list_rules(app) if id(r) in mine]
    problems = [
        f"URL 参数找不到对应的模型（请在模型上设置 __url_param__）：{item}"
        for item in isolation.unmapped_parameters(app, objects)
    ]
    problems += [
        f"模型 {item} 没有示例对象，无法证明其路由的隔离：请实现 qingqian_sample_objects(unit, user)"
        for item in isolation.models_without_samples(victim, objects)
    ]
    models = plugin_models(app, name)
    if any(issubclass(m, JurisdictionOwned) for m in models) and not any(m in victim.objects for m in models):
        problems.append("插件的租户数据表没有任何示例对象：请实现 qingqian_sample_objects(unit, user)")
    failures, _, _ = isolation.object_route_failures(app, client, world, victim, objects)
    problems += [f"其他租户访问甲一镇的对象时没有得到 404：{f}" for f in failures]
    problems += [
        f"本辖区管理员读不到自己的对象：{f}"
        for f in isolation.owner_failures(app, client, world, victim, objects)
    ]
    problems += [
        f"列表接口泄露了其他租户的数据：{f}" for f in isolation.list_leaks(client, world, victim, lists)
    ]
    return problems


def _url(rule, values: dict) -> str:
    return rule.build(values, append_unknown=False)[1]


def disabled_problems(app, client, world, name: str) -> list[str]:
    """Jurisdiction b's plan does not enable the plugin: its routes answer 404 there, pages and API."""
    problems = []
    for rule in plugin_rules(app, name):
        values = isolation.missing_values(rule)
        if "jurisdiction_code" in rule.arguments:
            values["jurisdiction_code"] = "b"
        url = _url(rule, values)
        for method in isolation.methods_of(rule):
            for user in ("office_b", "clerk_b1"):
                r = client.open(url, method=method, json={}, headers=world.headers(user, **{"If-Match": "*"}))
                if r.status_code != 404:
                    problems.append(
                        f"{user} {method} {url} → {r.status_code}（乙辖区未启用该插件，应为 404）"
                    )
    return problems


def _resolve_schema(schema: dict | None, spec: dict) -> dict:
    while schema and "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema or {}


def _properties(schema: dict, spec: dict, seen: set[str] | None = None):
    """(name, property schema) of a schema and of everything nested in it."""
    seen = set() if seen is None else seen
    schema = _resolve_schema(schema, spec)
    if id(schema) in seen:
        return
    seen.add(id(schema))
    for prop, body in (schema.get("properties") or {}).items():
        yield prop, _resolve_schema(body, spec) if "$ref" in body else body
        yield from _properties(body, spec, seen)
    if "items" in schema:
        yield from _properties(schema["items"], spec, seen)


def _operations(app, name: str):
    """(rule, method, OpenAPI operation) of the plugin's API routes."""
    spec = app.extensions["qingqian.api"].spec.to_dict()
    for rule in plugin_rules(app, name):
        if not rule.rule.startswith("/api/"):
            continue
        path_item = spec.get("paths", {}).get(isolation.openapi_path(rule), {})
        for method in isolation.methods_of(rule):
            operation = path_item.get(method.lower())
            if operation is not None:
                yield rule, method, operation, spec


def _request_schema(operation: dict, spec: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {})
    return _resolve_schema((content.get("application/json") or {}).get("schema"), spec)


def _owner_url(rule, victim) -> str | None:
    params = isolation.url_param_models()
    values = {}
    for arg in rule.arguments:
        value = victim.first_id(params[arg]) if arg in params else None
        if value is None:
            return None
        values[arg] = value
    return _url(rule, values)


def money_problems(app, client, world, name: str, victim=None) -> list[str]:
    from core.api.money import MONEY_PATTERNS

    victim = victim or isolation.create_victim_data(app, client, world)
    problems = []
    for rule, method, operation, spec in _operations(app, name):
        responses = [
            (body.get("content", {}).get("application/json") or {}).get("schema")
            for body in operation.get("responses", {}).values()
        ]
        for schema in [_request_schema(operation, spec), *responses]:
            for prop, body in _properties(schema or {}, spec):
                if body.get("type") == "number" and prop not in NOT_MONEY_NUMBERS:
                    problems.append(
                        f"{method} {rule.rule} 的字段 {prop} 在接口上是数字："
                        "金额请用 core.api.Money（字符串，元）"
                    )
        if method not in isolation.BODY_METHODS:
            continue
        request = _request_schema(operation, spec)
        money = [
            p
            for p, body in (request.get("properties") or {}).items()
            if body.get("pattern") in MONEY_PATTERNS
        ]
        url = _owner_url(rule, victim)
        if not money or url is None:
            continue
        for prop in money:
            body = {**isolation.example_body(app, rule, method), prop: FLOAT_AMOUNT}
            r = client.open(
                url, method=method, json=body, headers=world.headers("office_a", **{"If-Match": "*"})
            )
            errors = (r.get_json(silent=True) or {}).get("errors") or {}
            if r.status_code < 400 or r.status_code >= 500:
                problems.append(f"{method} {url} 接受了浮点数金额 {prop}={FLOAT_AMOUNT}（→ {r.status_code}）")
            elif r.status_code == 422 and prop not in errors:
                problems.append(f"{method} {url}：浮点数金额 {prop} 被拒绝时没有指明该字段（{errors}）")
    # Money columns are Decimal in the database too.
    from sqlalchemy import Float

    for cls in plugin_models(app, name):
        for column in cls.__table__.columns:
            if isinstance(column.type, Float) and MONEY_NAME.search(column.key):
                problems.append(
                    f"{cls.__name__}.{column.key} 是浮点列：金额请用 Numeric（core.models 的 Money 列）"
                )
    return problems


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def error_language_problems(app, client, world, name: str, victim=None) -> list[str]:
    """Bad input to the plugin's API answers 4xx JSON whose message and reasons are Chinese, never 5xx."""
    victim = victim or isolation.create_victim_data(app, client, world)
    problems, seen = [], 0
    for rule, method, _operation, _spec in _operations(app, name):
        urls = [u for u in (_owner_url(rule, victim), _url(rule, isolation.missing_values(rule))) if u]
        bodies = [{"qingqian_contract_unknown_field": 1}, []] if method in isolation.BODY_METHODS else [None]
        for url in dict.fromkeys(urls):
            for body in bodies:
                r = client.open(url, method=method, json=body, headers=world.headers("office_a"))
                if r.status_code >= 500:
                    problems.append(f"{method} {url} 对错误输入答 {r.status_code}（应为 4xx）")
                    continue
                if r.status_code < 400:
                    continue
                seen += 1
                payload = r.get_json(silent=True)
                if not isinstance(payload, dict) or not {"code", "message", "errors"} <= set(payload):
                    problems.append(
                        f"{method} {url} → {r.status_code} 不是 JSON 错误体（请用 core.api.base.ApiError）"
                    )
                    continue
                foreign = [t for t in [payload["message"], *_texts(payload["errors"])] if not CJK.search(t)]
                if foreign:
                    problems.append(f"{method} {url} → {r.status_code} 的错误信息不是中文：{foreign}")
    return problems
