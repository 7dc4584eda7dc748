"""The command line through Flask's test runner: tenants, users, tokens and the demo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.auth.models import ApiToken, RoleAssignment, User
from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.event import Event
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from core.tenancy.service import find_by_code

TENANTS = Path(__file__).resolve().parent.parent / "tenants"


@pytest.fixture(autouse=True)
def _system_scope():
    """Assertions read across tenants; on PostgreSQL row-level security would hide the rows otherwise."""
    with system_scope():
        yield


def run(app, *args: str, input: str | None = None, ok: bool = True):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def count(model) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(model), execution_options={SKIP_FILTER: True}
    )


def test_tenant_load_twice(app):
    first = run(app, "tenant", "load", str(TENANTS / "wutaishan"))
    assert "新建单位 22 个" in first.stdout
    events = count(Event)
    second = run(app, "tenant", "load", "wutaishan")  # a bare name resolves under TENANTS_DIR
    assert "新建单位 0 个，变更 0 处" in second.stdout and "没有任何变化" in second.stdout
    assert count(Event) == events


def test_tenant_load_reports_errors(app, tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "plan.yaml").write_text("plugins: ledger\n", encoding="utf-8")
    result = run(app, "tenant", "load", str(tmp_path / "bad"), ok=False)
    assert result.exit_code != 0 and "plugins 必须是插件名称列表" in result.output


def test_tenant_tree_commands(app):
    run(app, "tenant", "load", "yunling")
    listing = run(app, "tenant", "list").stdout
    assert "云岭新区  (yunling, 辖区)" in listing and "\n  青山镇人民政府  (yunling.qingshan" in listing
    run(
        app,
        "tenant",
        "create",
        "yunling.stats",
        "云岭新区统计局",
        "--kind",
        "department",
        "--parent",
        "yunling",
    )
    run(app, "tenant", "rename", "yunling.stats", "云岭新区统计服务局")
    result = run(app, "tenant", "move", "yunling.stats", "--parent", "yunling.qingshan")
    assert "青山镇人民政府" in result.stdout
    run(app, "tenant", "deactivate", "yunling.stats", "--reason", "机构改革")
    node = find_by_code("yunling.stats")
    assert node.name == "云岭新区统计服务局" and not node.active
    assert node.parent_id == find_by_code("yunling.qingshan").id
    subtree = run(app, "tenant", "list", "--code", "yunling.qingshan").stdout
    assert "云岭新区统计服务局" in subtree and "已停用" in subtree and "白水乡" not in subtree
    bad = run(
        app,
        "tenant",
        "create",
        "yunling.x",
        "某公司",
        "--kind",
        "subsidiary",
        "--parent",
        "yunling",
        ok=False,
    )
    assert bad.exit_code != 0 and "辖区下不能设立子公司" in bad.output
    missing = run(app, "tenant", "rename", "nope", "名称", ok=False)
    assert "找不到编码为 nope 的单位" in missing.output


def test_user_and_token_work_against_api(app, client):
    run(app, "tenant", "load", "wutaishan")
    created = run(app, "user", "create", "clerk1", "--tenant", "wutaishan.taihuai", "--role", "unit_clerk")
    assert "已创建用户 clerk1" in created.stdout and "初始密码：" in created.stdout
    again = run(app, "user", "create", "clerk1", "--tenant", "wutaishan.taihuai", "--role", "unit_head")
    assert "已增加角色" in again.stdout and "初始密码" not in again.stdout
    same = run(app, "user", "create", "clerk1", "--tenant", "wutaishan.taihuai", "--role", "unit_head")
    assert "未作改动" in same.stdout
    user = db.session.scalar(db.select(User).where(User.username == "clerk1"))
    assert sorted(a.role for a in user.roles) == ["unit_clerk", "unit_head"]

    result = run(app, "token", "create", "--user", "clerk1", "--name", "脚本")
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert re.fullmatch(r"qq_[A-Za-z0-9_-]{20,}", token)

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.json
    assert me.json["username"] == "clerk1"
    assert me.json["jurisdiction"]["code"] == "wutaishan"
    assert {r["role"] for r in me.json["roles"]} == {"unit_clerk", "unit_head"}

    listing = run(app, "token", "list", "--user", "clerk1").stdout
    assert token[:10] in listing and "脚本" in listing and "有效" in listing
    run(app, "token", "revoke", token[:10])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "早已吊销" in run(app, "token", "revoke", token).stdout


def test_user_commands_edge_cases(app):
    run(app, "tenant", "load", "wutaishan")
    admin = run(app, "user", "create", "root", "--role", "platform_admin", "--password", "root-pass-123")
    assert "平台管理员（全平台）" in admin.stdout and "初始密码" not in admin.stdout
    assign = db.session.scalar(db.select(RoleAssignment).join(User).where(User.username == "root"))
    assert assign.node_id is None and assign.jurisdiction_id is None
    no_tenant = run(app, "user", "create", "x", "--role", "unit_clerk", ok=False)
    assert "必须用 --tenant 指定所在单位" in no_tenant.output
    assert count(User) == 1
    run(app, "user", "set-password", "root", input="new-password-1\nnew-password-1\n")
    assert db.session.scalar(db.select(User).where(User.username == "root")).check_password("new-password-1")
    listing = run(app, "user", "list").stdout
    assert "root" in listing and "平台管理员@全平台" in listing
    assert "找不到用户" in run(app, "token", "create", "--user", "ghost", ok=False).output


def demo_plugin_rows() -> dict[str, int]:
    from plugins.agreements.clearance.models import Agreement, Classification
    from plugins.complaints.models import Complaint
    from plugins.disclosure.annual.models import DisclosureReport
    from plugins.ledger.rounds.models import LedgerRound, Submission

    return {
        "rounds": count(LedgerRound),
        "submissions": count(Submission),
        "complaints": count(Complaint),
        "classifications": count(Classification),
        "agreements": count(Agreement),
        "disclosures": count(DisclosureReport),
    }


def test_demo_runs_and_is_idempotent(app, client):
    first = run(app, "demo", "--debts", "24", "--seed", "5")
    out = first.stdout
    for username in (
        "admin",
        "wts_office",
        "wts_clerk",
        "wts_head",
        "wts_soe",
        "wts_leader",
        "wts_auditor",
        "yl_office",
    ):
        assert username in out
    assert "wts-clerk-2023" in out and "生成债务 24 笔" in out and "生成债务 6 笔" in out
    # Each enabled plugin adds its demo content (qingqian_demo_data), per its jurisdiction's plan.
    assert "五台山风景名胜区：开启填报轮次" in out and "云岭新区：开启填报轮次" in out
    assert "五台山风景名胜区：线索投诉 3 件" in out and "云岭新区：线索投诉 3 件" in out
    assert "五台山风景名胜区：欠款分类" in out and "云岭新区：欠款分类" not in out  # no agreements there
    assert "五台山风景名胜区：公开" in out and "云岭新区：公开" not in out  # disclosure: Wutaishan only

    wutaishan, yunling = find_by_code("wutaishan"), find_by_code("yunling")
    debts_by_j = dict(
        db.session.execute(
            db.select(Debt.jurisdiction_id, db.func.count(Debt.id)).group_by(Debt.jurisdiction_id),
            execution_options={SKIP_FILTER: True},
        ).all()
    )
    assert debts_by_j == {wutaishan.id: 24, yunling.id: 6}
    totals = (
        count(TenantNode),
        count(User),
        count(RoleAssignment),
        count(Debt),
        count(Payment),
        count(Event),
    )

    plugin_rows = demo_plugin_rows()
    assert plugin_rows["rounds"] == 2 and plugin_rows["complaints"] == 6 and plugin_rows["agreements"] >= 1
    assert plugin_rows["disclosures"] == 1
    second = run(app, "demo", "--debts", "24", "--seed", "5")
    assert "跳过生成" in second.stdout and "无变化" in second.stdout
    assert "开启填报轮次" not in second.stdout and demo_plugin_rows() == plugin_rows
    assert (
        count(TenantNode),
        count(User),
        count(RoleAssignment),
        count(Debt),
        count(Payment),
        count(Event),
    ) == totals

    clerk = db.session.scalar(db.select(User).where(User.username == "wts_clerk"))
    assert clerk.check_password("wts-clerk-2023")
    row, token = ApiToken.issue(clerk, "t")
    db.session.add(row)
    db.session.commit()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["roles"][0]["node_name"] == "台怀镇人民政府"
