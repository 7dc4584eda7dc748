"""``qingqian demo``: one command from an empty folder to a product full of believable data."""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import clock
from core.auth.models import ROLE_LABELS, Role
from core.extensions import db
from core.tenancy import service
from core.tenancy.loader import TenantLoadError, load_tenant
from core.tenancy.scope import system_scope

DEMO_TENANTS = ("wutaishan", "yunling")
DEMO_PLAN_NOTE = "演示方案：截止日期按生成演示数据当天推算，部分已过、部分未到；重新执行 tenant load 会去掉它"


def demo_plan_year(today: dt.date) -> dict:
    """This year's plan for the demo, with deadlines around ``today``: the ledger was due a month ago (and
    was reported), the agreements ten days ago (one is still missing), everything is to be cleared in two
    months, and last year's disclosure was due on 31 March."""
    return {
        "demo": True,
        "note": DEMO_PLAN_NOTE,
        "deadlines": {
            "ledger_complete": (today - dt.timedelta(days=30)).isoformat(),
            "agreements_signed": (today - dt.timedelta(days=10)).isoformat(),
            "all_cleared": (today + dt.timedelta(days=60)).isoformat(),
            "disclosure": dt.date(today.year, 3, 31).isoformat(),
        },
    }


def _demo_years(code: str, today: dt.date) -> dict[int, dict]:
    """The demo year to load: the one already stored (a rerun changes nothing), else a fresh one."""
    node = service.find_by_code(code)
    stored = ((node.plan or {}).get("years") or {}).get(str(today.year)) if node is not None else None
    if stored and stored.get("demo"):
        return {today.year: {"demo": True, "note": stored.get("note"), "deadlines": stored.get("deadlines")}}
    return {today.year: demo_plan_year(today)}


# Fixed, readable passwords: this is demo data, printed on screen by design. Never use them in production.
DEMO_USERS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("admin", "平台管理员", Role.PLATFORM_ADMIN, None, "admin-2023"),
    ("wts_office", "景区清欠办（旅游发展局）", Role.OFFICE_ADMIN, "wutaishan", "wts-office-2023"),
    ("wts_clerk", "台怀镇填报员", Role.UNIT_CLERK, "wutaishan.taihuai", "wts-clerk-2023"),
    ("wts_head", "台怀镇镇长", Role.UNIT_HEAD, "wutaishan.taihuai", "wts-head-2023"),
    ("wts_soe", "旅游集团清欠管理员", Role.SOE_GROUP_ADMIN, "wutaishan.tourism-group", "wts-soe-2023"),
    ("wts_leader", "景区领导小组", Role.LEADER, "wutaishan", "wts-leader-2023"),
    ("wts_auditor", "景区审计局", Role.AUDITOR, "wutaishan", "wts-auditor-2023"),
    ("yl_office", "云岭新区清欠专班", Role.OFFICE_ADMIN, "yunling", "yl-office-2023"),
    ("yl_clerk", "青山镇填报员", Role.UNIT_CLERK, "yunling.qingshan", "yl-clerk-2023"),
)


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: CJK characters take two terminal columns."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - shown)


def build_schema() -> str:
    """Run every migration branch; before ``migrations/`` exists, fall back to ``create_all``."""
    directory = Path(current_app.extensions["migrate"].directory)
    if (directory / "env.py").exists():
        from core.cli.db import upgrade_all

        upgrade_all("heads")
        return "migrations"
    db.create_all()
    return "create_all"


@click.command("demo")
@click.option("--seed", default=2023, show_default=True, help="随机数种子（同一种子生成相同数据）")
@click.option(
    "--debts", "debt_count", default=480, show_default=True, help="五台山的债务笔数；云岭新区为其四分之一"
)
@click.option("--skip-migrate", is_flag=True, help="不运行数据库迁移（库表已建好时）")
@with_appcontext
def demo_command(seed: int, debt_count: int, skip_migrate: bool) -> None:
    """建库并加载演示数据：五台山风景名胜区与云岭新区（虚构），每种角色一个用户，以及合成的台账数据。"""
    from core.cli.users import ensure_user, find_user
    from core.synthetic import load_demo_debts

    started = time.monotonic()
    if not skip_migrate:
        build_schema()
        click.echo("数据库结构已就绪")
    tenants_dir = Path(current_app.config["TENANTS_DIR"])
    jurisdictions = {}
    today = clock.today()
    with system_scope():
        for name in DEMO_TENANTS:
            try:
                report = load_tenant(tenants_dir / name, extra_years=_demo_years(name, today))
            except TenantLoadError as exc:
                raise click.ClickException(f"加载租户 {name} 失败：\n" + "\n".join(exc.errors)) from exc
            state = (
                "无变化" if report.is_noop else f"新建 {len(report.created)} 个单位，变更 {report.changed} 处"
            )
            click.echo(f"租户 {report.jurisdiction_name}（{report.jurisdiction_code}）：{state}")
            jurisdictions[name] = service.find_by_code(report.jurisdiction_code)

        rows = []
        for username, display, role, node_code, password in DEMO_USERS:
            node = service.find_by_code(node_code) if node_code else None
            existing = find_user(username) is not None
            user, created, _ = ensure_user(
                username, role, node, password=None if existing else password, display_name=display
            )
            rows.append((username, password if created else "（已存在，未改密码）", ROLE_LABELS[role], node))
        db.session.commit()

        click.echo("\n演示用户（密码仅供演示）：")
        click.echo(_pad("用户名", 14) + _pad("密码", 22) + _pad("角色", 22) + "单位")
        for username, password, label, node in rows:
            click.echo(
                _pad(username, 14) + _pad(password, 22) + _pad(label, 22) + (node.name if node else "全平台")
            )
        click.echo("")
        for name, count in (("wutaishan", debt_count), ("yunling", max(1, debt_count // 4))):
            jurisdiction = jurisdictions[name]
            result = load_demo_debts(jurisdiction.code, seed=seed, count=count, today=today)
            if result.skipped:
                click.echo(f"{jurisdiction.name}：已有台账数据，跳过生成")
            else:
                click.echo(
                    f"{jurisdiction.name}：生成债务 {result.debts} 笔、付款 {result.payments} 笔、"
                    f"债权企业 {result.enterprises} 家"
                )
            for line in plugin_demo_data(jurisdiction, demo_users_of(jurisdiction)):
                click.echo(f"{jurisdiction.name}：{line}")
    click.echo(
        f"\n演示数据已就绪（用时 {time.monotonic() - started:.1f} 秒）。"
        "启动：qingqian serve，然后用上表账号登录。"
    )


def demo_users_of(jurisdiction) -> dict[str, object]:
    """Role → the demo user holding it inside ``jurisdiction`` (the first one listed, per role)."""
    from core.cli.users import find_user

    out: dict[str, object] = {}
    for username, _display, role, node_code, _password in DEMO_USERS:
        node = service.find_by_code(node_code) if node_code else None
        inside = node is not None and jurisdiction.id in (node.id, node.jurisdiction_id)
        if inside and role not in out:
            out[str(role)] = find_user(username)
    return out


def plugin_demo_data(jurisdiction, users: dict[str, object]) -> list[str]:
    """Let each plugin the jurisdiction enables add its demo content (``qingqian_demo_data``)."""
    from core.plugins import flatten, get_pm

    caller = get_pm().hook_for(jurisdiction, "qingqian_demo_data")
    lines = [line for line in flatten(caller(jurisdiction=jurisdiction, users=users)) if line]
    db.session.commit()
    return lines


def commands() -> list[click.Command]:
    return [demo_command]
