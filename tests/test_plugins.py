"""Plugins: discovery through entry points, per-jurisdiction enablement, start-up checks, the CLI list.

The sample plugin (``tests/sample_plugin``, distribution ``qingqian-sample-plugin``) is installed into the
venv like any third-party plugin; jurisdiction ``a`` enables it, jurisdiction ``b`` does not. Nothing here
assumes which built-in plugins are installed: the file passes with any subset (``QINGQIAN_PLUGINS``).
"""

from __future__ import annotations

import pluggy
import pytest
from flask.views import MethodView

from core import create_app, hookimpl
from core.api.base import Blueprint
from core.auth.permissions import ALL_ROLES, permission
from core.extensions import db
from core.plugins import create_plugin_manager, flatten, is_core, only_plugins
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload, plan_with

SAMPLE_DIST = "qingqian-sample-plugin"
VISIT = {"visited_on": "2023-08-20", "note": "现场核对台账"}


def other_app(base_app, plugins, load_entry_points=True):
    """A second app on the same database, the way datasette's tests register plugins directly."""
    config = dict(base_app.config)
    config["QINGQIAN_LOAD_ENTRY_POINTS"] = load_entry_points
    return create_app(config, plugins=plugins)


# --- Discovery -------------------------------------------------------------------------------------


def test_sample_plugin_is_found_through_its_entry_point():
    pm = create_plugin_manager()
    dists = {pm.get_name(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    assert "sample" in dists, "pip install -e tests/sample_plugin"
    assert dists["sample"].project_name == SAMPLE_DIST
    assert "core" not in dists  # core's hook modules are registered directly, not discovered


def test_only_the_listed_plugins_load_when_asked(monkeypatch):
    monkeypatch.setenv("QINGQIAN_PLUGINS", "sample")
    assert only_plugins() == {"sample"}
    names = create_plugin_manager().names()
    assert "sample" in names and not {"ledger", "agreements", "complaints", "disclosure"} & set(names)
    monkeypatch.setenv("QINGQIAN_PLUGINS", "")
    assert only_plugins() is None


def test_entry_points_can_be_switched_off():
    assert "sample" not in create_plugin_manager(load_entry_points=False).names()


def test_plugin_info(app):
    info = {i.name: i for i in app.extensions["qingqian.plugins"].infos()}["sample"]
    assert info.distribution == SAMPLE_DIST
    assert info.version == "0.1.0"
    assert info.label == "示例插件（实地督导）"
    assert info.blueprints == ["sample"]
    assert {"qingqian_validate_debt", "qingqian_nav_items", "qingqian_register_models"} <= set(info.hooks)


# --- Enabled for jurisdiction a ----------------------------------------------------------------------


def node_ids(world, *codes) -> list[int]:
    # Read under the system scope: after a request the test's scope is empty again (and RLS hides rows).
    with system_scope():
        return [world.node(code).id for code in codes]


def test_enabled_tenant_uses_the_plugin_routes(client, world):
    town1_id, a_id = node_ids(world, "a.town1", "a")
    r = client.post("/api/v1/sample/visits", json=VISIT, headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    visit = r.json
    assert visit["unit_id"] == town1_id
    assert visit["jurisdiction_id"] == a_id

    r = client.get(f"/api/v1/sample/visits/{visit['id']}", headers=world.headers("office_a"))
    assert r.status_code == 200 and r.json["note"] == VISIT["note"]
    r = client.get("/api/v1/sample/visits", headers=world.headers("leader_a"))
    assert r.status_code == 200 and [v["id"] for v in r.json] == [visit["id"]]
    assert r.headers["X-Total-Count"] == "1"


def test_plugin_permissions_apply(client, world):
    # sample.write is declared for office and clerk roles only; a leader may read but not write.
    r = client.post("/api/v1/sample/visits", json=VISIT, headers=world.headers("leader_a"))
    assert r.status_code == 403
    assert client.get("/api/v1/sample/visits", headers=world.headers("leader_a")).status_code == 200


def test_plugin_route_links_only_visible_debts(client, world):
    r = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers("clerk_a1"))
    debt_id = r.json["id"]
    ok = client.post(
        "/api/v1/sample/visits", json={**VISIT, "debt_id": debt_id}, headers=world.headers("clerk_a1")
    )
    assert ok.status_code == 201 and ok.json["debt_id"] == debt_id
    refused = client.post(
        "/api/v1/sample/visits", json={**VISIT, "debt_id": debt_id}, headers=world.headers("clerk_a2")
    )
    assert refused.status_code == 404 and "debt_id" in refused.json["errors"]


def test_enabled_tenant_gets_the_validation_rule(client, world):
    body = debt_payload(project_name="测试禁用的项目")
    r = client.post("/api/v1/debts", json=body, headers=world.headers("clerk_a1"))
    assert r.status_code == 422, r.json
    assert "project_name" in r.json["errors"]
    assert "测试禁用" in r.json["errors"]["project_name"][0]


def nav_labels(app, world, code, username) -> list[str]:
    with system_scope():
        tenant = world.node(code)
        caller = app.extensions["qingqian.plugins"].hook_for(tenant, "qingqian_nav_items")
        return [item.label for item in flatten(caller(tenant=tenant, user=world.users[username]))]


def test_nav_item_only_where_enabled(app, world):
    a_labels = nav_labels(app, world, "a", "office_a")
    b_labels = nav_labels(app, world, "b", "office_b")
    assert "实地督导" in a_labels
    assert "实地督导" not in b_labels
    # Core's own navigation is not affected by a plan (a also enables whichever built-ins are installed).
    pm = app.extensions["qingqian.plugins"]
    others: set[str] = set()
    with system_scope():
        tenant, user = world.node("a"), world.users["office_a"]
        for name, plugin in pm.list_name_plugin():
            if is_core(name) or name == "sample" or not hasattr(plugin, "qingqian_nav_items"):
                continue
            others |= {item.label for item in plugin.qingqian_nav_items(tenant=tenant, user=user)}
    assert set(a_labels) - {"实地督导"} - others == set(b_labels)
    assert {"工作台", "欠款台账"} <= set(b_labels)


# --- Disabled for jurisdiction b ---------------------------------------------------------------------


def test_disabled_tenant_gets_404_on_plugin_routes(client, world):
    for method, path in [
        ("GET", "/api/v1/sample/visits"),
        ("POST", "/api/v1/sample/visits"),
        ("GET", "/api/v1/sample/visits/1"),
    ]:
        for user in ("clerk_b1", "office_b"):
            r = client.open(path, method=method, json=VISIT, headers=world.headers(user))
            assert r.status_code == 404, (method, path, user, r.status_code)
            assert r.json["code"] == "not_found"


def test_disabled_tenant_is_not_validated_by_the_plugin(client, world):
    body = debt_payload(project_name="测试禁用的项目")
    r = client.post("/api/v1/debts", json=body, headers=world.headers("clerk_b1"))
    assert r.status_code == 201, r.json


def test_plugin_list_api_shows_enabled_flags_per_tenant(client, world):
    a = {p["name"]: p for p in client.get("/api/v1/plugins", headers=world.headers("clerk_a1")).json}
    b = {p["name"]: p for p in client.get("/api/v1/plugins", headers=world.headers("clerk_b1")).json}
    assert a["sample"]["enabled"] is True
    assert b["sample"]["enabled"] is False
    assert a["core"]["enabled"] is True and b["core"]["enabled"] is True
    assert a["sample"]["distribution"] == SAMPLE_DIST and a["sample"]["version"] == "0.1.0"


# --- CLI -----------------------------------------------------------------------------------------------


def test_cli_plugins_list(app, world):
    result = app.test_cli_runner().invoke(args=["plugins", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines[0]
    for title in ("名称", "显示名称", "版本", "发行包", "a（甲风景区）", "b（乙新区）"):
        assert title in header
    sample = next(line for line in lines if line.startswith("sample "))
    assert SAMPLE_DIST in sample and "0.1.0" in sample and "示例插件" in sample
    # Columns follow the header order: jurisdiction a (enables it) then b (does not).
    assert sample.split()[-2:] == ["启用", "—"]
    core = next(line for line in lines if line.startswith("core "))
    assert core.split()[-2:] == ["内置", "内置"]


def test_cli_plugins_list_json(app, world):
    import json

    result = app.test_cli_runner().invoke(args=["plugins", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["sample"]["enabled"] == {"a": True, "b": False}


# --- Start-up checks and direct registration -----------------------------------------------------------


class MisspelledPlugin:
    PLUGIN_NAME = "misspelled"

    @hookimpl
    def qingqian_validate_dept(self, debt, plan, tenant):  # "dept": not a hook
        return []


def test_misspelled_hook_fails_at_start_up(app):
    with pytest.raises(pluggy.PluginValidationError, match="qingqian_validate_dept"):
        other_app(app, plugins=[MisspelledPlugin()])


class WrongArgumentPlugin:
    PLUGIN_NAME = "wrongargs"

    @hookimpl
    def qingqian_validate_debt(self, debt, plan, tenant, unit):  # "unit" is not a hook argument
        return []


def test_wrong_hook_arguments_fail_at_start_up(app):
    with pytest.raises(pluggy.PluginValidationError):
        other_app(app, plugins=[WrongArgumentPlugin()])


class DirectPlugin:
    """Registered with create_app(plugins=[...]) — no distribution, no entry point."""

    PLUGIN_NAME = "direct"
    PLUGIN_LABEL = "直接注册的插件"

    @hookimpl
    def qingqian_permissions(self):
        return {"direct.read": ALL_ROLES}

    @hookimpl
    def qingqian_api_blueprints(self):
        blp = Blueprint("direct", __name__, url_prefix="/direct")

        @blp.route("/ping")
        class Ping(MethodView):
            @permission("direct.read")
            def get(self):
                return {"pong": True}

        return [blp]

    @hookimpl
    def qingqian_validate_debt(self, debt, plan, tenant):
        from core.rules.validation import Issue

        if debt.contract_no == "DIRECT-REFUSE":
            return [Issue("contract_no", "直接注册的插件拒绝此合同编号")]
        return []


def test_directly_registered_plugin_works(app, world):
    with system_scope():
        world.node("a").plan = plan_with(name="甲方案", plugins=["sample", "direct"])
        db.session.commit()
    other = other_app(app, plugins=[DirectPlugin()], load_entry_points=False)
    pm = other.extensions["qingqian.plugins"]
    assert pm.get_plugin("direct") is not None
    assert "sample" not in pm.names()
    client = other.test_client()

    r = client.get("/api/v1/direct/ping", headers=world.headers("clerk_a1"))
    assert r.status_code == 200 and r.json == {"pong": True}
    assert client.get("/api/v1/direct/ping", headers=world.headers("clerk_b1")).status_code == 404

    body = debt_payload(contract_no="DIRECT-REFUSE")
    r = client.post("/api/v1/debts", json=body, headers=world.headers("clerk_a1"))
    assert r.status_code == 422 and "contract_no" in r.json["errors"]
    r = client.post("/api/v1/debts", json=body, headers=world.headers("clerk_b1"))
    assert r.status_code == 201, r.json

    plugins = {p["name"]: p for p in client.get("/api/v1/plugins", headers=world.headers("clerk_a1")).json}
    assert plugins["direct"]["enabled"] is True and plugins["direct"]["distribution"] is None


def test_model_of_finds_core_and_installed_plugin_tables_only(_app, app):
    """``model_of`` lets a plugin read another's records by table name without importing it; a plugin whose
    module is imported in this process but not installed in the app is not found."""
    from core.models.debt import Debt
    from core.plugins import model_of

    visits = model_of("sample_site_visits")
    assert model_of("debts") is Debt
    assert visits is not None and visits.__tablename__ == "sample_site_visits"
    assert model_of("no_such_table") is None
    bare = other_app(_app, [], load_entry_points=False)
    with bare.app_context():
        assert model_of("debts") is Debt
        assert model_of("sample_site_visits") is None
