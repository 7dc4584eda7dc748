"""The server-rendered web shell through the Flask test client: login, CSRF, pages, isolation, plugins."""

from __future__ import annotations

import re

import pytest
from flask import g

from core.extensions import db
from core.models.event import Event
from core.plugins import hookimpl
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from core.web.nav import NavItem
from tests.conftest import debt_payload

PASSWORD = "secret-pass-1"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def nid(world, code: str) -> int:
    """A node's id; read under the system scope because the fixture's objects expire at commit and
    PostgreSQL's row-level security would hide the refresh outside any tenant."""
    with system_scope():
        return world.nodes[code].id


def csrf_token(client, path: str = "/login") -> str:
    # The app fixture keeps one app context open for the whole test, so ``g`` outlives a request and
    # Flask-WTF would hand back the token cached there for an earlier session.
    g.pop("csrf_token", None)
    r = client.get(path)
    match = TOKEN_RE.search(r.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, **extra):
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, **extra}
    )


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def debts(client, world):
    """One debt in a.town1, one in a.town2, one in b.town1."""
    out = {}
    for user, code, project, category in (
        ("clerk_a1", "a.town1", "甲一镇游客中心改造", "works"),
        ("clerk_a2", "a.town2", "甲二镇环卫车辆采购", "goods"),
        ("clerk_b1", "b.town1", "乙一镇绿化养护", "services"),
    ):
        body = debt_payload(unit_id=nid(world, code), project_name=project, category=category)
        r = client.post("/api/v1/debts", json=body, headers=world.headers(user))
        assert r.status_code == 201, r.json
        out[code] = r.json
    r = client.post(
        f"/api/v1/debts/{out['a.town1']['id']}/payments",
        json={"paid_on": "2023-03-02", "amount": "40000"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201
    return out


# --- Login and CSRF -------------------------------------------------------------------------------


def test_anonymous_is_redirected_to_login(client, world):
    r = client.get("/debts?status=confirmed")
    assert r.status_code == 302
    assert "/login?next=" in r.headers["Location"]
    r = client.get("/login")
    assert r.status_code == 200
    assert 'lang="zh-CN"' in text(r) and "用户名" in text(r)


def test_login_success_and_generic_failure(client, world):
    r = login(client, "office_a", "wrong-password")
    assert r.status_code == 401 and "用户名或密码错误" in text(r)
    r = login(client, "nobody-here", "whatever")
    assert r.status_code == 401 and "用户名或密码错误" in text(r)
    r = login(client, "office_a")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    r = client.get("/")
    assert r.status_code == 200 and "甲风景区" in text(r) and "工作台" in text(r)


def test_login_refuses_missing_csrf_token(client, world):
    client.get("/login")
    r = client.post("/login", data={"username": "office_a", "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/debts?status=confirmed", "/debts?status=confirmed"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_login_next_only_to_local_paths(client, world, target, expected):
    r = login(client, "office_a", next=target)
    assert r.status_code == 302 and r.headers["Location"] == expected


def test_session_posts_require_csrf(client, world):
    login(client, "office_a")
    town2_id = nid(world, "a.town2")
    r = client.post(f"/tenants/{town2_id}/rename", data={"name": "无令牌改名"})
    assert r.status_code == 400
    r = client.post("/logout")
    assert r.status_code == 400
    assert client.get("/").status_code == 200  # still logged in
    db.session.expire_all()
    with system_scope():
        assert db.session.get(TenantNode, town2_id).name == "甲二镇人民政府"


def test_logout(client, world):
    login(client, "clerk_a1")
    token = csrf_token(client, "/")
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302


# --- Pages and isolation ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["office_a", "clerk_a1"])
def test_every_page_renders(client, world, debts, username):
    login(client, username)
    debt_id = debts["a.town1"]["id"]
    creditor_id = debts["a.town1"]["creditor"]["id"]
    # Unit management and the technical pages belong to the office (issue 14, point 6).
    office_only = ("/tenants", "/jobs", "/plugins") if username == "office_a" else ()
    for path in (
        "/",
        "/debts",
        f"/debts/{debt_id}",
        "/debts/new",
        "/enterprises",
        f"/enterprises/{creditor_id}",
        *office_only,
    ):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        assert 'lang="zh-CN"' in text(r)


def test_leader_pages_render_without_history_or_writes(client, world, debts):
    login(client, "leader_a")
    assert client.get("/").status_code == 200
    r = client.get(f"/debts/{debts['a.town1']['id']}")
    assert r.status_code == 200 and "变更历史" not in text(r)
    assert client.get("/debts/new").status_code == 403


def test_clerk_sees_only_own_subtree(client, world, debts):
    login(client, "clerk_a1")
    page = text(client.get("/debts"))
    assert "甲一镇游客中心改造" in page
    assert "甲二镇环卫车辆采购" not in page and "乙一镇绿化养护" not in page
    assert client.get(f"/debts/{debts['a.town2']['id']}").status_code == 404
    dashboard = text(client.get("/"))
    assert "甲二镇人民政府" not in dashboard
    assert client.get("/tenants").status_code == 403


def test_office_sees_whole_jurisdiction_not_the_other(client, world, debts):
    login(client, "office_a")
    page = text(client.get("/debts"))
    assert "甲一镇游客中心改造" in page and "甲二镇环卫车辆采购" in page
    assert "乙一镇绿化养护" not in page


def test_other_jurisdictions_debt_is_a_404_page(client, world, debts):
    login(client, "office_b")
    r = client.get(f"/debts/{debts['a.town1']['id']}")
    assert r.status_code == 404
    assert "页面不存在" in text(r) and "甲一镇游客中心改造" not in text(r)
    assert client.get(f"/enterprises/{debts['a.town1']['creditor']['id']}").status_code == 404


def test_debt_list_filters_and_labels(client, world, debts):
    login(client, "office_a")
    page = text(client.get("/debts?category=goods"))
    assert "甲二镇环卫车辆采购" in page and "甲一镇游客中心改造" not in page
    assert "货物" in page and "10.00" in page  # 100 000 元 in the default table unit, 万元
    page = text(client.get("/debts?q=游客中心"))
    assert "甲一镇游客中心改造" in page and "甲二镇环卫车辆采购" not in page
    page = text(client.get(f"/debts?unit={nid(world, 'a.town2')}"))
    assert "甲二镇环卫车辆采购" in page and "甲一镇游客中心改造" not in page
    page = text(client.get("/debts?status=partly_repaid"))
    assert "甲一镇游客中心改造" in page and "部分偿还" in page and "甲二镇环卫车辆采购" not in page
    page = text(client.get("/debts?creditor_name=宏达&sort=-amount_owed"))
    assert "甲一镇游客中心改造" in page
    r = client.get("/debts?min_amount=abc&max_amount=5")
    assert r.status_code == 200 and "筛选条件有误" in text(r)


def test_debt_detail_shows_fields_payments_and_history(client, world, debts):
    login(client, "office_a")
    page = text(client.get(f"/debts/{debts['a.town1']['id']}"))
    for expected in ("欠款金额（元）", "应付款日期", "2023年1月31日", "逾期利息", "付款记录", "2023年3月2日"):
        assert expected in page, expected
    assert "变更历史" in page and "clerk_a1" in page
    assert "登记付款" in page and "新建欠款" in page
    assert "部分偿还" in page  # status change shown with its Chinese label


def test_tenant_rename_through_ui_writes_history(client, world):
    login(client, "office_a")
    town2_id = nid(world, "a.town2")
    token = csrf_token(client, f"/tenants?node={town2_id}")
    r = client.post(f"/tenants/{town2_id}/rename", data={"name": "甲二镇", "csrf_token": token})
    assert r.status_code == 302
    with system_scope():
        events = list(
            db.session.scalars(
                db.select(Event).where(Event.entity_type == "tenant", Event.entity_id == town2_id)
            )
        )
    renamed = [e for e in events if e.action == "renamed"]
    assert renamed and renamed[0].after == {"name": "甲二镇"}
    assert renamed[0].actor_id == world.users["office_a"].id
    page = text(client.get(f"/tenants?node={town2_id}"))
    assert "更名" in page and "甲二镇人民政府" in page  # before → after in the timeline


def test_tenant_management_forms(client, world):
    login(client, "office_a")
    town1_id = nid(world, "a.town1")
    token = csrf_token(client, f"/tenants?node={town1_id}")
    r = client.post(
        f"/tenants/{town1_id}/children",
        data={"name": "甲一镇卫生院", "code": "a.town1.clinic", "kind": "institution", "csrf_token": token},
    )
    assert r.status_code == 302

    def clinic() -> TenantNode | None:
        db.session.expire_all()
        with system_scope():
            return db.session.scalar(db.select(TenantNode).where(TenantNode.code == "a.town1.clinic"))

    assert clinic() is not None and clinic().parent_id == town1_id
    clinic_id = clinic().id
    r = client.post(
        f"/tenants/{clinic_id}/move",
        data={"parent_id": nid(world, "a.town2"), "csrf_token": token},
    )
    assert r.status_code == 302
    assert clinic().parent_id == nid(world, "a.town2")
    r = client.post(
        f"/tenants/{clinic_id}/active", data={"active": "0", "reason": "撤并", "csrf_token": token}
    )
    assert r.status_code == 302
    assert clinic().active is False
    r = client.post(
        f"/tenants/{town1_id}/children",
        data={"name": "", "code": "BAD CODE", "kind": "institution", "csrf_token": token},
        follow_redirects=True,
    )
    assert "编码只能包含" in text(r)


def test_clerk_cannot_manage_tenants(client, world):
    login(client, "clerk_a1")
    page = text(client.get("/tenants"))
    assert "新建下级单位" not in page and "单位管理" not in text(client.get("/debts"))
    token = csrf_token(client, "/tenants")
    town1_id = nid(world, "a.town1")
    r = client.post(f"/tenants/{town1_id}/rename", data={"name": "改名", "csrf_token": token})
    assert r.status_code == 403


def test_switch_tenant(client, world):
    login(client, "admin")
    page = text(client.get("/"))
    assert 'name="tenant_code"' in page
    token = csrf_token(client, "/")
    r = client.post("/switch-tenant", data={"tenant_code": "b", "csrf_token": token})
    assert r.status_code == 302
    assert "乙新区" in text(client.get("/tenants"))
    r = client.post("/switch-tenant", data={"tenant_code": "nope", "csrf_token": token})
    assert r.status_code == 404


def test_new_debt_form(client, world):
    login(client, "clerk_a1")
    token = csrf_token(client, "/debts/new")
    r = client.post(
        "/debts/new",
        data={"csrf_token": token, "unit_id": nid(world, "a.town1"), "amount_owed": "12.345"},
    )
    assert r.status_code == 422
    page = text(r)
    assert "此项必填" in page and "请填写债权企业名称" in page and "最多两位小数" in page
    r = client.post(
        "/debts/new",
        data={
            "csrf_token": token,
            "unit_id": nid(world, "a.town1"),
            "creditor_name": "五台山山泉供水有限公司",
            "project_name": "饮水工程尾款",
            "category": "works",
            "amount_owed": "8800.50",
            "delivery_date": "2023-02-01",
            "source": "self_inspection",
        },
    )
    assert r.status_code == 302, text(r)
    page = text(client.get(r.headers["Location"]))
    assert "饮水工程尾款" in page and "8,800.50" in page and "新建" in page


class _StandInPlugin:
    """Used only when the sample distribution is not installed: a plugin named like it, with a menu item."""

    PLUGIN_NAME = "sample"

    @hookimpl
    def qingqian_nav_items(self, tenant, user):
        return [NavItem(label="实地督导", url="/api/v1/sample/visits", order=900, plugin="sample")]


def test_disabled_plugin_nav_items_are_absent(app, client, world):
    pm = app.extensions["qingqian.plugins"]
    stand_in = None
    if pm.get_plugin("sample") is None:
        stand_in = _StandInPlugin()
        pm.register(stand_in, name="sample")
    try:
        login(client, "office_a")  # jurisdiction A's plan enables "sample"
        assert "实地督导" in text(client.get("/"))
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        login(client, "office_b")  # B's plan enables no plugin
        page = text(client.get("/"))
        assert "工作台" in page and "实地督导" not in page
    finally:
        if stand_in is not None:
            pm.unregister(stand_in)


def test_plugins_page_shows_enablement(client, world):
    login(client, "office_b")
    page = text(client.get("/plugins"))
    assert "平台内置" in page


def test_plugins_page_names_plan_plugins_that_are_not_installed(app, client, world):
    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "plugins": [*a.plan["plugins"], "disclosure_typo"]}
        db.session.commit()
    login(client, "office_a")
    page = text(client.get("/plugins"))
    assert "尚未安装" in page and "<code>disclosure_typo</code>" in page
    other = app.test_client()
    login(other, "office_b")
    assert "尚未安装" not in text(other.get("/plugins"))


def test_dashboard_figures_match_api(client, world, debts):
    login(client, "office_a")
    page = text(client.get("/"))
    api = client.get("/api/v1/dashboard", headers=world.headers("office_a")).json
    for key in ("owed", "cleared", "outstanding", "overdue_amount", "clearance_rate"):
        assert f'data-key="{key}" data-value="{api["totals"][key]}"' in page, key
    assert "甲旅游集团" in page  # top-level units listed


def test_unknown_page_is_chinese_404(client, world):
    login(client, "office_a")
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "页面不存在" in text(r)
