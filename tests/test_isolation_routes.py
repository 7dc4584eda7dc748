"""The central isolation proof: every route of the running app — core's and every installed plugin's,
today's and tomorrow's — is enumerated from ``app.url_map`` and attacked with another tenant's ids.

Nothing here lists routes by hand. A new route is covered the moment it is registered; a new tenant-owned
model is covered once it sets ``__url_param__`` and its plugin implements ``qingqian_sample_objects``.

Outsiders are ``clerk_b1`` (another jurisdiction) and ``clerk_a2`` (a sibling unit in the same
jurisdiction). The victim is unit ``a.town1`` (``clerk_a1``'s unit) and everything below it.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm.attributes import flag_modified

from core.auth.context import resolve
from core.auth.permissions import required_permission
from core.extensions import db
from core.models.base import JurisdictionOwned, UnitOwned
from core.plugins import flatten
from core.tenancy.isolation import IsolationError
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, scope_context, system_scope
from core.testing.isolation import (
    ALLOW_LIST,
    OUTSIDERS,
    Victim,
    all_rules,
    create_victim_data,
    is_public,
    is_static,
    leaks_in,
    list_leaks,
    list_rules,
    methods_of,
    models_without_samples,
    object_route_failures,
    object_rules,
    owner_failures,
    tenant_owned_models,
    unmapped_parameters,
    view_of,
)


@pytest.fixture
def victim(app, client, world) -> Victim:
    return create_victim_data(app, client, world)


# --- (a) every route declares a permission -----------------------------------------------------------------


def test_allow_list_entries_exist(app):
    rules = {r.rule for r in app.url_map.iter_rules()}
    missing = sorted(set(ALLOW_LIST) - rules)
    assert not missing, f"豁免清单中的路由已不存在，请从 ALLOW_LIST 删除：{missing}"


def test_every_route_declares_a_permission(app):
    undeclared = []
    for rule in all_rules(app):
        if is_static(rule) or rule.endpoint.startswith("api-docs."):
            continue  # the gate lets these through by endpoint; they serve no tenant data
        view = view_of(app, rule)
        for method in methods_of(rule):
            if required_permission(view, method) is None:
                undeclared.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not undeclared, "以下路由没有声明权限（请加 @permission(...)）：\n" + "\n".join(undeclared)


def test_public_api_routes_live_under_public(app):
    wrong = [
        f"{method} {rule.rule}"
        for rule in all_rules(app)
        if rule.rule.startswith("/api/v1/") and not rule.rule.startswith("/api/v1/public/")
        for method in methods_of(rule)
        if is_public(app, rule, method)
    ]
    assert not wrong, "免登录的接口必须放在 /api/v1/public/ 下：\n" + "\n".join(wrong)


def test_route_enumeration_sees_plugins(app):
    # Guards the test itself: if plugin routes vanished from url_map, the proof below would be hollow.
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert "/api/v1/sample/visits/<int:visit_id>" in rules
    assert "/api/v1/debts/<int:debt_id>" in rules


# --- (b) object routes answer 404 to outsiders ----------------------------------------------------------


def test_every_url_parameter_names_a_model(app):
    unmapped = unmapped_parameters(app, object_rules(app))
    assert not unmapped, (
        "这些 URL 参数找不到对应的模型。请在模型上设置 __url_param__ = '<参数名>'，"
        "隔离测试才能用另一租户的对象 id 攻击该路由：\n" + "\n".join(unmapped)
    )


def test_every_routed_model_has_sample_objects(app, victim):
    missing = models_without_samples(victim, object_rules(app))
    assert not missing, (
        "这些模型没有示例对象，无法证明其路由的隔离。请在其插件中实现 qingqian_sample_objects(unit, user)："
        + ", ".join(missing)
    )


def test_object_routes_answer_404_to_other_tenants(app, client, world, victim):
    """Another jurisdiction and a sibling unit get 404 for a.town1's ids (see object_route_failures)."""
    failures, attempts, lookups = object_route_failures(app, client, world, victim, object_rules(app))
    assert attempts > 0 and lookups > 0
    assert not failures, "其他租户访问甲一镇的对象时没有得到 404：\n" + "\n".join(failures)


def test_owner_reaches_the_same_objects(app, client, world, victim):
    """The 404s above mean isolation, not broken URLs: the owner reads every object route with GET."""
    failures = owner_failures(app, client, world, victim, object_rules(app))
    assert not failures, "本辖区管理员也无法读取这些对象（URL 构造有误？）：\n" + "\n".join(failures)


# --- (c) list routes show outsiders nothing of a.town1 ---------------------------------------------------


def test_leak_detector_sees_the_owners_data(client, world, victim):
    # A detector that finds nothing anywhere would pass every list route; prove it sees a.town1's data.
    for path in ("/api/v1/debts", "/api/v1/tenants", "/api/v1/enterprises", "/api/v1/sample/visits"):
        r = client.get(path, headers=world.headers("clerk_a1"))
        assert r.status_code == 200, (path, r.status_code)
        assert leaks_in(r, victim, "clerk_b1"), path


def test_list_routes_show_nothing_of_other_tenants(app, client, world, victim):
    rules = list_rules(app)
    assert any(r.rule == "/api/v1/debts" for r in rules)
    failures = list_leaks(client, world, victim, rules)
    assert not failures, "列表接口向其他租户泄露了甲一镇的数据：\n" + "\n".join(failures)


# --- (d) writes outside the scope are refused by the ORM -------------------------------------------------


def scope_of(world, username) -> Scope:
    return resolve(world.users[username]).scope


def test_new_rows_outside_scope_are_refused(app, world, victim):
    pm = app.extensions["qingqian.plugins"]
    for outsider in OUTSIDERS:
        scope = scope_of(world, outsider)
        with scope_context(scope):
            unit = victim.load(TenantNode)  # loaded by the system, handed to an outsider's session
            created = flatten(pm.hook.qingqian_sample_objects(unit=unit, user=world.users[outsider]))
            assert created, "the sample plugin creates at least one object"
            with pytest.raises(IsolationError):
                db.session.flush()
            db.session.rollback()


def test_changes_to_rows_outside_scope_are_refused(app, world, victim):
    checked, allowed = 0, []
    for outsider in OUTSIDERS:
        scope = scope_of(world, outsider)
        for model in victim.objects:
            if outsider == "clerk_a2" and not (issubclass(model, UnitOwned) or model is TenantNode):
                continue  # a creditor belongs to the whole jurisdiction: a sibling unit may update it
            obj = victim.load(model)  # loaded by the system; the outsider then tries to write it
            with scope_context(scope):
                flag_modified(obj, "jurisdiction_id")
                try:
                    db.session.flush()
                    allowed.append(f"{outsider} → {model.__name__}")
                except IsolationError:
                    checked += 1
                finally:
                    db.session.rollback()
    assert not allowed, "ORM 允许了越权写入：" + ", ".join(allowed)
    assert checked >= 2 * 4


# --- (e) with no scope at all, every tenant-owned model is empty -----------------------------------------


def test_no_scope_sees_no_rows(app, world, victim):
    models = tenant_owned_models()
    assert {TenantNode, *victim.objects} <= set(models)
    with system_scope():
        totals = {m: len(db.session.scalars(db.select(m)).all()) for m in models}
    assert all(totals[m] > 0 for m in victim.objects), totals
    db.session.expunge_all()  # nothing may come from the identity map
    with scope_context(Scope.nothing()):
        seen = {m.__name__: len(db.session.scalars(db.select(m)).all()) for m in models}
        counts = {m.__name__: db.session.scalar(db.select(db.func.count()).select_from(m)) for m in models}
    assert set(seen.values()) == {0}, seen
    assert set(counts.values()) == {0}, counts


@pytest.mark.postgres
def test_no_scope_raw_sql_sees_no_rows(app, world, victim):
    """The second wall: row-level security hides every tenant row from raw SQL without a scope."""
    tables = [m.__table__.name for m in tenant_owned_models() if issubclass(m, JurisdictionOwned)]
    with scope_context(Scope.nothing()):
        counts = {t: db.session.execute(db.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
    db.session.rollback()
    assert set(counts.values()) == {0}, counts
