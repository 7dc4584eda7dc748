"""The command line through Flask's test runner: tenants, users, tokens and the demo."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from core.auth.models import ApiToken, RoleAssignment, User
from core.clock import frozen
from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.event import Event
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from core.tenancy.service import find_by_code
from tests.conftest import INSTALLED_PLUGINS, needs_plugins

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
    assert result.exit_code != 0 and "plugins：必须是插件名称列表" in result.output


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
    from plugins.accountability.assessment.models import AssessmentSnapshot
    from plugins.accountability.bulletins.models import Bulletin, BulletinRecipient
    from plugins.accountability.cases.models import TypicalCase
    from plugins.accountability.findings.models import FlagFinding
    from plugins.accountability.interviews.models import Interview
    from plugins.accountability.measures.models import Measure
    from plugins.accountability.referrals.models import Referral
    from plugins.accountability.supervision.models import Supervision
    from plugins.agreements.clearance.models import Agreement, Classification
    from plugins.complaints.models import Complaint
    from plugins.disclosure.annual.models import DisclosureReport
    from plugins.ledger.rounds.models import Flag, LedgerRound, Submission
    from plugins.wages.linkage.models import WageCase, WageProject

    return {
        "rounds": count(LedgerRound),
        "submissions": count(Submission),
        "flags": count(Flag),
        "findings": count(FlagFinding),
        "complaints": count(Complaint),
        "classifications": count(Classification),
        "agreements": count(Agreement),
        "disclosures": count(DisclosureReport),
        "bulletins": count(Bulletin),
        "supervisions": count(Supervision),
        "interviews": count(Interview),
        "measures": count(Measure),
        "assessments": count(AssessmentSnapshot),
        "referrals": count(Referral),
        "cases": count(TypicalCase),
        "bulletins_read": db.session.scalar(
            db.select(db.func.count(BulletinRecipient.id)).where(BulletinRecipient.read_at.is_not(None)),
            execution_options={SKIP_FILTER: True},
        ),
        "wage_projects": count(WageProject),
        "wage_cases": count(WageCase),
    }


DEMO_NOW = "2026-06-15T02:00:00"  # 15 June 2026, 10:00 in Beijing


@pytest.fixture
def pinned(app):
    with frozen(app, DEMO_NOW):
        yield dt.date(2026, 6, 15)


@needs_plugins("ledger", "agreements", "complaints", "disclosure", "accountability", "wages")
def test_demo_runs_and_is_idempotent(app, client, pinned):
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
    assert out.count("审计发现 1 笔未列入已报送台账的欠款，生成瞒报漏报提示 1 条") == 2
    assert "五台山风景名胜区：线索投诉 8 件" in out and "云岭新区：线索投诉 8 件" in out
    assert "1 件涉及农民工工资" in out
    assert "五台山风景名胜区：欠款分类" in out and "云岭新区：欠款分类" not in out  # no agreements there
    assert "五台山风景名胜区：公开" in out and "云岭新区：公开" not in out  # disclosure: Wutaishan only
    assert "五台山风景名胜区：农民工工资联动" in out and "云岭新区：农民工工资联动" not in out

    wutaishan, yunling = find_by_code("wutaishan"), find_by_code("yunling")
    debts_by_j = dict(
        db.session.execute(
            db.select(Debt.jurisdiction_id, db.func.count(Debt.id)).group_by(Debt.jurisdiction_id),
            execution_options={SKIP_FILTER: True},
        ).all()
    )
    # The generated ledger, plus the debts the answered and the closed complaints (no dispute) bring into
    # each ledger, plus
    # the debt an audit found that a submitted ledger lacked (the ledger's 瞒报漏报 flag), plus in
    # Wutaishan the debts prevention (an unreturned deposit, a reviewed contract left unpaid) and finance (a
    # confirmed receivable) bring when enabled.
    extra = 2 * ("prevention" in INSTALLED_PLUGINS) + ("finance" in INSTALLED_PLUGINS)
    assert debts_by_j == {wutaishan.id: 27 + extra, yunling.id: 9}
    totals = (
        count(TenantNode),
        count(User),
        count(RoleAssignment),
        count(Debt),
        count(Payment),
        count(Event),
    )

    plugin_rows = demo_plugin_rows()
    # Per jurisdiction: the year's round (reported in full, closed) and the open quarterly update.
    assert plugin_rows["rounds"] == 4 and plugin_rows["complaints"] == 16 and plugin_rows["agreements"] >= 1
    assert plugin_rows["disclosures"] == 1
    # One 瞒报漏报 flag per jurisdiction (an audit-found debt); Wutaishan's office confirmed its own.
    assert plugin_rows["flags"] == 2 and plugin_rows["findings"] == 1 and "认定瞒报漏报 1 条" in out
    # Accountability (Wutaishan only): one bulletin issued and read by the clerk's unit, one draft.
    assert "五台山风景名胜区：印发通报 台清欠办通报〔" in out and "云岭新区：印发通报" not in out
    assert plugin_rows["bulletins"] == 2 and plugin_rows["bulletins_read"] == 1
    assert plugin_rows["supervisions"] == 1 and "挂牌督办 1 项" in out
    assert plugin_rows["interviews"] == 1 and "安排专项约谈 1 次" in out
    assert plugin_rows["measures"] == 1 and "登记限制措施 1 项" in out
    assert plugin_rows["assessments"] == 1 and "固定考核结果 1 期" in out
    assert plugin_rows["referrals"] == 1 and "整理问责移送 1 件" in out
    assert plugin_rows["cases"] == 1 and "公开典型案例 1 件" in out
    assert plugin_rows["wage_projects"] == 3 and plugin_rows["wage_cases"] == 3
    from plugins.wages.linkage.models import WageCase

    linked = db.session.scalars(db.select(WageCase).where(WageCase.status == "linked")).all()
    assert len(linked) == 1 and linked[0].debt.migrant_wages and linked[0].debt.migrant_wage_amount > 0
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
    # The demo complaint about unpaid migrant wages reaches the list shared with the 人社 bureau.
    office = db.session.scalar(db.select(User).where(User.username == "wts_office"))
    row, token = ApiToken.issue(office, "wages")
    db.session.add(row)
    db.session.commit()
    shared = client.get("/api/v1/wages/complaints", headers={"Authorization": f"Bearer {token}"})
    assert shared.status_code == 200, shared.json
    assert [(c["creditor_name"], c["migrant_wage_amount"]) for c in shared.json] == [
        ("五台县顺达劳务服务有限公司", "36000.00")
    ]


@needs_plugins("ledger", "agreements", "complaints", "disclosure")
def test_the_demo_lives_in_the_present(app, pinned):
    """The demo's plan is this year's with deadlines around today, its ledger spans the last three years,
    a round is open now, complaints are at each stage, and the dashboard shows met and unmet milestones."""
    from core.services.milestones import milestone_progress
    from core.tenancy.plans import plan_for
    from plugins.complaints.models import Complaint
    from plugins.ledger.rounds.models import LedgerRound

    run(app, "demo", "--debts", "60", "--seed", "7")
    today = pinned
    wutaishan = find_by_code("wutaishan")
    plan = plan_for(wutaishan)
    assert plan["year"] == 2026 and plan["demo"] is True
    assert plan["deadlines"] == {
        "ledger_complete": "2026-05-16",
        "agreements_signed": "2026-06-05",
        "all_cleared": "2026-08-14",
        "disclosure": "2026-03-31",
    }
    assert wutaishan.plan["deadlines"]["ledger_complete"] == "2023-08-25"  # the 2023 plan stays, as history
    assert plan_for(find_by_code("yunling"))["deadlines"]["all_cleared"] == "2026-08-14"

    opts = {SKIP_FILTER: True}
    debts = db.session.scalars(
        db.select(Debt).where(Debt.jurisdiction_id == wutaishan.id), execution_options=opts
    )
    debts = list(debts)
    deliveries = {d.delivery_date.year for d in debts if d.delivery_date}
    assert min(deliveries) >= 2023 and max(deliveries) == 2026 and len(deliveries) >= 3
    paid = [p.paid_on for p in db.session.scalars(db.select(Payment), execution_options=opts)]
    assert paid and max(paid) <= today and min(paid) >= today - dt.timedelta(days=3 * 366)
    assert len({d.year for d in paid}) >= 2
    overdue = sorted(d.overdue_days for d in debts if d.overdue_days)
    assert overdue and overdue[-1] < 4 * 366 and len(set(overdue)) > 5  # not one 1,196-day figure for all

    rounds = list(
        db.session.scalars(
            db.select(LedgerRound).where(LedgerRound.jurisdiction_id == wutaishan.id), execution_options=opts
        )
    )
    assert sorted(r.status for r in rounds) == ["closed", "open"]
    assert [r.deadline for r in rounds if r.status == "open"] == [today + dt.timedelta(days=10)]
    stages = set(
        db.session.scalars(
            db.select(Complaint.status).where(Complaint.jurisdiction_id == wutaishan.id),
            execution_options=opts,
        )
    )
    assert {"received", "needs_info", "transferred", "tracking", "closed", "out_of_scope"} <= stages

    states = {m["key"]: m["state"] for m in milestone_progress(wutaishan, plan, today)}
    assert states == {
        "ledger_complete": "done",
        "agreements_signed": "late",
        "all_cleared": "open",
        "disclosure": "done",
    }

    again = run(app, "demo", "--debts", "60", "--seed", "7")
    assert "无变化" in again.stdout and plan_for(find_by_code("wutaishan")) == plan
