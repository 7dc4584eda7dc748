"""``qingqian check``: warnings about plans and holiday calendars; exits non-zero only on errors."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core import clock
from core.services.checks import check_tenants


@click.command("check")
@with_appcontext
def check_command() -> None:
    """检查工作方案和节假日日历：缺少本年度方案、缺少节假日日历的年份（警告），文件错误（错误，退出码 1）。"""
    findings = check_tenants(Path(current_app.config["TENANTS_DIR"]), clock.today())
    for finding in findings:
        label = "错误" if finding.level == "error" else "警告"
        click.echo(f"{label}：{finding.message}", err=finding.level == "error")
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    if not findings:
        click.echo("检查通过：工作方案和节假日日历均无问题")
    else:
        click.echo(f"共 {errors} 个错误、{warnings} 个警告")
    if errors:
        raise SystemExit(1)


def commands() -> list[click.Command]:
    return [check_command]
