"""A county onboarded through the API only: no files on the server (issue 15, point 2)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from core.auth.context import resolve
from core.auth.models import User
from core.extensions import db
from core.tenancy.models import PlanVersion, TenantNode
from core.tenancy.scope import system_scope
from tests.conftest import INSTALLED_PLUGINS

COUNTY = {"X-Qingqian-Tenant": "county"}


def org_sheet(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["某县单位名录"])
    sheet.append(["单位名称", "上级单位", "单位类型"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_a_county_is_onboarded_through_the_api(app, client, world):
    admin = world.headers("admin")
    # Only the platform admin opens a jurisdiction.
    body = {"code": "county", "name": "忻州市某县", "inherits": "xinzhou", "timezone": "Asia/Shanghai"}
    assert (
        client.post("/api/v1/jurisdictions", json=body, headers=world.headers("office_a")).status_code == 403
    )
    # A typo in the first plan is refused before anything exists.
    # (a typo of an installed plugin; with no ledger plugin loaded, of the sample plugin the tests load)
    meant = "ledger" if "ledger" in INSTALLED_PLUGINS else "sample"
    r = client.post("/api/v1/jurisdictions", json={**body, "plugins": [meant[:-1]]}, headers=admin)
    assert r.status_code == 422 and f"最接近的是 {meant}" in str(r.json["errors"]["plugins"]), r.json
    with system_scope():
        assert db.session.scalar(db.select(TenantNode).where(TenantNode.code == "county")) is None
    r = client.post("/api/v1/jurisdictions", json={**body, "plan_name": "某县2023年清欠方案"}, headers=admin)
    assert r.status_code == 201, r.json
    county_id = r.json["id"]
    assert r.json["plan_version"] == 1 and r.json["plan_name"] == "某县2023年清欠方案"

    # The plan in force, value by value with its source: own, inherited from the city plan, default.
    r = client.get("/api/v1/plan", headers={**admin, **COUNTY})
    assert r.status_code == 200, r.json
    entries = {e["key"]: e for e in r.json["entries"]}
    assert r.json["lineage"] == ["xinzhou", "county"]
    assert entries["name"]["source"] == "own" and entries["timezone"]["source_label"] == "本辖区方案"
    assert entries["deadlines.all_cleared"]["source_label"] == "继承自 xinzhou"
    assert entries["deadlines.all_cleared"]["value"] == "2023-10-31"

    # Editing: a typo is refused naming the key and the nearest valid one; nothing is saved.
    url = f"/api/v1/tenants/{county_id}/plan"
    typo = "inherits: xinzhou\nname: 某县2023年清欠方案\nrules:\n  credit_code_strickt: true\n"
    r = client.post(url + "/preview", json={"yaml": typo}, headers={**admin, **COUNTY})
    assert r.status_code == 422, r.json
    assert "rules.credit_code_strickt" in r.json["errors"]
    assert "rules.credit_code_strict" in r.json["errors"]["rules.credit_code_strickt"][0]
    r = client.put(
        url + "/document",
        json={"yaml": typo, "reason": "打错字", "base_version": 1},
        headers={**admin, **COUNTY},
    )
    assert r.status_code == 422 and "rules.credit_code_strickt" in r.json["errors"]
    r = client.post(
        url + "/preview",
        json={"yaml": "deadlines:\n  ledger_completed: 2023-09-30\n"},
        headers={**admin, **COUNTY},
    )
    assert r.status_code == 422 and "deadlines.ledger_completed" in r.json["errors"], r.json
    r = client.post(url + "/preview", json={"yaml": "rules: [1, 2"}, headers={**admin, **COUNTY})
    assert r.status_code == 422 and "yaml" in r.json["errors"]

    # A valid edit: preview with a diff, then save with a reason; a stale base version is refused.
    good = (
        "inherits: xinzhou\nname: 某县2023年清欠方案\ntimezone: Asia/Shanghai\n"
        "rules:\n  credit_code_strict: true\n"
    )
    r = client.post(url + "/preview", json={"yaml": good}, headers={**admin, **COUNTY})
    assert r.status_code == 200, r.json
    assert "+  credit_code_strict: true" in r.json["diff"] and r.json["base_version"] == 1
    assert {"key": "rules.credit_code_strict", "before": False, "after": True} in r.json["changes"]
    with system_scope():
        assert db.session.get(TenantNode, county_id).plan["rules"]["credit_code_strict"] is False  # not saved
    save = {"yaml": good, "reason": "县里要求严格校验信用代码", "base_version": 1}
    r = client.put(url + "/document", json=save, headers={**admin, **COUNTY})
    assert r.status_code == 200 and r.json["version"] == 2, r.json
    r = client.put(url + "/document", json=save, headers={**admin, **COUNTY})
    assert r.status_code == 409 and "base_version" in r.json["errors"]
    r = client.get(url + "/versions", headers={**admin, **COUNTY})
    assert [(v["number"], v["reason"], v["created_by_name"]) for v in r.json] == [
        (2, "县里要求严格校验信用代码", "admin"),
        (1, "新建托管辖区", "admin"),
    ]
    entries = {e["key"]: e for e in client.get("/api/v1/plan", headers={**admin, **COUNTY}).json["entries"]}
    assert entries["rules.credit_code_strict"] == {
        **entries["rules.credit_code_strict"],
        "value": True,
        "source": "own",
    }

    # The org tree from an Excel sheet: preview, then apply; a three-level SOE tree.
    rows = [
        ("某县城关镇人民政府", "", "乡（镇）"),
        ("某县财政局", None, "部门"),
        ("某县国有资本投资集团", "", "国有企业"),
        ("某县城投公司", "某县国有资本投资集团", "子公司"),
        ("某县城投物业公司", "某县城投公司", "子公司"),
    ]
    r = client.post(
        f"/api/v1/tenants/{county_id}/org-import",
        data={"file": (org_sheet([*rows, ("某县水务公司", "不存在的集团", "子公司")]), "org.xlsx")},
        headers={**admin, **COUNTY},
    )
    assert r.status_code == 200 and not r.json["applied"], r.json
    assert [row["action"] for row in r.json["rows"]] == ["create"] * 5 + ["error"]
    assert "不存在的集团" in r.json["rows"][-1]["errors"][0]
    r = client.post(
        f"/api/v1/tenants/{county_id}/org-import",
        data={
            "file": (org_sheet([*rows, ("某县水务公司", "不存在的集团", "子公司")]), "org.xlsx"),
            "dry_run": "false",
        },
        headers={**admin, **COUNTY},
    )
    assert r.status_code == 422 and "第8行" in r.json["errors"]["file"][0]
    r = client.post(
        f"/api/v1/tenants/{county_id}/org-import",
        data={"file": (org_sheet(rows), "org.xlsx"), "dry_run": "false"},
        headers={**admin, **COUNTY},
    )
    assert r.status_code == 200 and r.json["applied"] and r.json["created"] == 5, r.json
    with system_scope():
        nodes = {
            n.name: n
            for n in db.session.scalars(db.select(TenantNode).where(TenantNode.jurisdiction_id == county_id))
        }
        assert nodes["某县城投物业公司"].depth == 3 and nodes["某县城投物业公司"].kind == "subsidiary"
        assert nodes["某县财政局"].parent_id == county_id

    # The first office admin gets a one-time link to choose a password.
    r = client.post(
        f"/api/v1/tenants/{county_id}/admins",
        json={"username": "county_office", "display_name": "某县清欠办"},
        headers={**admin, **COUNTY},
    )
    assert r.status_code == 201, r.json
    path = r.json["password_link"].split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    r = client.post("/" + path, data={"password": "county-pass-2024", "confirm": "county-pass-2024"})
    assert r.status_code == 200 and "密码已设置" in r.get_data(as_text=True)
    assert client.get("/" + path).status_code == 404  # used: the link is gone
    with system_scope():
        user = db.session.scalar(db.select(User).where(User.username == "county_office"))
        assert user.check_password("county-pass-2024")
        assert [(a.role, a.node_id) for a in user.roles] == [("office_admin", county_id)]
        principal = resolve(user)
        assert principal.jurisdiction.code == "county" and principal.can("plan.read")


def test_other_offices_cannot_touch_a_jurisdictions_plan(app, client, world):
    a_id = world.nodes["a"].id
    for user in ("office_b", "clerk_b1"):
        r = client.get(f"/api/v1/tenants/{a_id}/plan/versions", headers=world.headers(user))
        assert r.status_code == 404
    # The office of a reads its versions but only the platform admin edits.
    r = client.put(
        f"/api/v1/tenants/{a_id}/plan/document",
        json={"yaml": "name: x\n", "reason": "试试看", "base_version": 0},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 403
    with system_scope():
        assert db.session.scalar(db.select(db.func.count()).select_from(PlanVersion)) == 0


def test_onboarding_pages_are_the_platform_admins_only(app, client, world):
    from tests.test_web import csrf_token, login

    a_id, b_id = world.nodes["a"].id, world.nodes["b"].id
    login(client, "office_a")
    for path in ("/onboarding", f"/onboarding/{a_id}", f"/onboarding/{b_id}"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")
    r = client.post(
        f"/onboarding/{b_id}/plan",
        data={
            "csrf_token": token,
            "source": "yaml",
            "action": "save",
            "yaml": "name: x\n",
            "reason": "试试看",
        },
    )
    assert r.status_code == 403
    r = client.post(
        f"/onboarding/{a_id}/admins",
        data={"csrf_token": token, "username": "intruder", "display_name": "x"},
    )
    assert r.status_code == 403
    with system_scope():
        assert db.session.scalar(db.select(User).where(User.username == "intruder")) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(PlanVersion)) == 0


def test_onboarding_page_refuses_a_bad_plan_and_a_unit_as_jurisdiction(app, client, world):
    from tests.test_web import csrf_token, login

    login(client, "admin")
    token = csrf_token(client, "/onboarding")
    r = client.post(
        "/onboarding",
        data={"csrf_token": token, "code": "county", "name": "某县", "inherits": "nowhere"},
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "找不到上级方案 nowhere" in page
    with system_scope():
        assert db.session.scalar(db.select(TenantNode).where(TenantNode.code == "county")) is None
        unit_id = world.nodes["a.town1"].id
    # A unit's page is its jurisdiction's; changes go through the jurisdiction only.
    assert "甲风景区" in client.get(f"/onboarding/{unit_id}").get_data(as_text=True)
    r = client.post(f"/onboarding/{unit_id}/plan", data={"csrf_token": token, "yaml": "name: x\n"})
    assert r.status_code == 404
    # A stale base version is refused (someone saved meanwhile); the form keeps the text.
    r = client.post(
        "/onboarding",
        data={"csrf_token": token, "code": "county", "name": "某县", "inherits": "xinzhou"},
    )
    assert r.status_code == 302
    with system_scope():
        county_id = db.session.scalar(db.select(TenantNode.id).where(TenantNode.code == "county"))
    data = {
        "csrf_token": token,
        "source": "yaml",
        "action": "save",
        "yaml": "inherits: xinzhou\nname: 新名\n",
    }
    r = client.post(f"/onboarding/{county_id}/plan", data={**data, "reason": "改名", "base_version": "0"})
    assert r.status_code == 422 and "当前为第 1 版" in r.get_data(as_text=True)
    r = client.post(f"/onboarding/{county_id}/plan", data={**data, "reason": "改名", "base_version": "1"})
    assert r.status_code == 302
    with system_scope():
        assert db.session.get(TenantNode, county_id).plan_name == "新名"


def test_cli_replaces_and_edits_a_hosted_plan(app, client, world, tmp_path, monkeypatch):
    """``qingqian plan set/edit/versions``: the API's checks; each change is a version with a reason."""
    body = {"code": "county", "name": "某县", "inherits": "xinzhou"}
    assert client.post("/api/v1/jurisdictions", json=body, headers=world.headers("admin")).status_code == 201
    runner = app.test_cli_runner()
    typo = tmp_path / "typo.yaml"
    typo.write_text("inherits: xinzhou\nrules:\n  credit_code_strickt: true\n", encoding="utf-8")
    r = runner.invoke(args=["plan", "set", "county", str(typo), "--reason", "打错字"])
    assert (
        r.exit_code == 1
        and "rules.credit_code_strickt" in r.output
        and "rules.credit_code_strict" in r.output
    )
    good = tmp_path / "good.yaml"
    good.write_text(
        "inherits: xinzhou\nname: 某县方案\nrules:\n  credit_code_strict: true\n", encoding="utf-8"
    )
    r = runner.invoke(args=["plan", "set", "county", str(good), "--dry-run"])
    assert r.exit_code == 0 and "+  credit_code_strict: true" in r.output and "未保存" in r.output, r.output
    r = runner.invoke(args=["plan", "set", "county", str(good)])
    assert r.exit_code == 1 and "--reason" in r.output
    r = runner.invoke(
        args=["plan", "set", "county", str(good), "--reason", "严格校验", "--base-version", "0"]
    )
    assert r.exit_code == 1 and "当前为第 1 版" in r.output
    r = runner.invoke(
        args=["plan", "set", "county", str(good), "--reason", "严格校验", "--base-version", "1"]
    )
    assert r.exit_code == 0 and "已保存为第 2 版" in r.output, r.output
    with system_scope():
        county = db.session.scalar(db.select(TenantNode).where(TenantNode.code == "county"))
        assert county.plan["rules"]["credit_code_strict"] is True and county.plan_name == "某县方案"

    # $EDITOR: click.edit hands back the edited text.
    monkeypatch.setattr("click.edit", lambda text, **kw: text.replace("某县方案", "某县2024方案"))
    r = runner.invoke(args=["plan", "edit", "county", "--reason", "改名"])
    assert r.exit_code == 0 and "已保存为第 3 版" in r.output, r.output
    r = runner.invoke(args=["plan", "versions", "county"])
    lines = r.output.splitlines()
    assert lines[0].startswith("第 3 版") and lines[0].endswith("改名") and "严格校验" in lines[1]
    r = runner.invoke(args=["plan", "versions", "county", "--show", "2"])
    assert "name: 某县方案" in r.output
    assert runner.invoke(args=["plan", "set", "nowhere", str(good), "--reason", "xx"]).exit_code == 1


def test_cli_onboards_a_hosted_county(app, client, world, tmp_path):
    """``tenant host``, ``tenant org-import`` and ``tenant invite-admin``: the API's steps from the shell."""
    runner = app.test_cli_runner()
    meant = "ledger" if "ledger" in INSTALLED_PLUGINS else "sample"
    r = runner.invoke(
        args=["tenant", "host", "county", "某县", "--inherits", "xinzhou", "--plugin", meant[:-1]]
    )
    assert r.exit_code == 1 and f"最接近的是 {meant}" in r.output, r.output
    r = runner.invoke(
        args=["tenant", "host", "county", "某县", "--inherits", "xinzhou", "--plan-name", "某县方案"]
    )
    assert r.exit_code == 0 and "方案第 1 版：某县方案" in r.output, r.output
    sheet = tmp_path / "org.xlsx"
    sheet.write_bytes(
        org_sheet([("某县财政局", "", "部门"), ("某县城投公司", "某县国资集团", "子公司")]).getvalue()
    )
    r = runner.invoke(args=["tenant", "org-import", "county", str(sheet), "--apply"])
    assert r.exit_code == 1 and "某县国资集团" in r.output and "没有导入" in r.output
    rows = [
        ("某县财政局", "", "部门"),
        ("某县国资集团", "", "国有企业"),
        ("某县城投公司", "某县国资集团", "子公司"),
    ]
    sheet.write_bytes(org_sheet(rows).getvalue())
    r = runner.invoke(args=["tenant", "org-import", "county", str(sheet)])
    assert r.exit_code == 0 and "未导入" in r.output
    r = runner.invoke(args=["tenant", "org-import", "county", str(sheet), "--apply"])
    assert r.exit_code == 0 and "已导入 3 个单位" in r.output, r.output
    r = runner.invoke(
        args=["tenant", "invite-admin", "county", "county_office", "--display-name", "某县清欠办"],
        env={"QINGQIAN_BASE_URL": "https://qq.example.cn/"},
    )
    assert r.exit_code == 0, r.output
    link = next(
        line for line in r.output.splitlines() if line.startswith("https://qq.example.cn/password/set/")
    )
    path = link.split("https://qq.example.cn", 1)[1]
    r = client.post(path, data={"password": "county-pass-2024", "confirm": "county-pass-2024"})
    assert r.status_code == 200 and "密码已设置" in r.get_data(as_text=True)
    with system_scope():
        county = db.session.scalar(db.select(TenantNode).where(TenantNode.code == "county"))
        sub = db.session.scalar(db.select(TenantNode).where(TenantNode.name == "某县城投公司"))
        assert sub.depth == 2 and sub.jurisdiction_id == county.id
        assert db.session.scalar(db.select(User).where(User.username == "county_office")).check_password(
            "county-pass-2024"
        )
    r = runner.invoke(args=["tenant", "invite-admin", "county", "county_office", "--display-name", "x"])
    assert r.exit_code == 1 and "已被使用" in r.output
