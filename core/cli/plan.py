"""``qingqian plan ...``: the resolved plan of a jurisdiction, the reference of every plan key, and the
hosted plan's versions, replaced from a file or edited in $EDITOR (the same checks as the API and pages)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from core import clock
from core.extensions import db
from core.tenancy import hosted, service
from core.tenancy.plan_report import plan_report, value_text
from core.tenancy.plan_schema import current_schema, reference_markdown
from core.tenancy.scope import system_scope

plan = AppGroup("plan", help="工作方案：查看辖区生效的方案、列出方案的全部键。")


@plan.command("show")
@click.argument("code")
@click.option("--on", "on", default=None, help="查看该日期（YYYY-MM-DD）生效的年度方案，默认今天")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def show_command(code: str, on: str | None, as_json: bool) -> None:
    """显示辖区 CODE 生效的方案：每个值及其来源（本辖区方案 / 继承自上级方案 / 默认值）。"""
    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError as exc:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD：{on}", param_hint="--on") from exc
    with system_scope():
        node = service.find_by_code(code)
        if node is None:
            raise click.ClickException(f"找不到编码为 {code} 的辖区或单位")
        report = plan_report(node, day)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(f"方案：{report['name'] or '（未命名）'}（{report['year'] or '未注明年度'}）")
    if report["lineage"]:
        click.echo("继承链：默认值 → " + " → ".join(report["lineage"]))
    width = max((len(e["key"]) for e in report["entries"]), default=0)
    for entry in report["entries"]:
        click.echo(f"  {entry['key']:<{width}}  {value_text(entry['value'])}  [{entry['source_label']}]")


@plan.command("keys")
@click.option("--markdown", is_flag=True, help="输出 docs/plan-keys.md 的内容")
def keys_command(markdown: bool) -> None:
    """列出方案可用的全部键（平台与已安装插件声明的）。"""
    schema = current_schema()
    if markdown:
        click.echo(reference_markdown(schema), nl=False)
        return
    for item in sorted(schema.keys.values(), key=lambda k: k.path):
        if item.kind != "system":
            click.echo(f"{item.path}\t{item.label}\t{item.plugin}")


def _jurisdiction(code: str):
    node = service.find_jurisdiction(code)
    if node is None:
        raise click.ClickException(f"找不到编码为 {code} 的辖区")
    return node


def _refused(exc: hosted.HostedPlanError) -> click.ClickException:
    lines = [f"  {key}：{message}" for key, messages in exc.errors.items() for message in messages]
    return click.ClickException("方案未通过校验，没有保存：\n" + "\n".join(lines))


def _replace(code: str, text: str, reason: str | None, dry_run: bool, base_version: int | None) -> None:
    """Validate ``text`` as ``code``'s own plan, show what changes, and save it as a new version."""
    with system_scope():
        node = _jurisdiction(code)
        try:
            document = hosted.parse_document(text, None)
            preview = hosted.preview(node, document)
        except hosted.HostedPlanError as exc:
            raise _refused(exc) from None
        for warning in preview["warnings"]:
            click.echo(f"提示：{warning}")
        if not preview["diff"]:
            click.echo("（方案文本无变化）")
        else:
            click.echo(preview["diff"], nl=False)
        for change in preview["changes"]:
            before, after = value_text(change["before"]), value_text(change["after"])
            click.echo(f"  {change['key']}：{before or '（无）'} → {after or '（无）'}")
        if dry_run:
            click.echo(f"预览完毕，未保存（当前为第 {preview['base_version']} 版）")
            return
        if not reason or len(reason.strip()) < 2:
            raise click.ClickException("请用 --reason 写明修改原因（至少 2 个字）")
        if base_version is not None and base_version != preview["base_version"]:
            raise click.ClickException(
                f"方案已被他人修改（当前为第 {preview['base_version']} 版，不是 {base_version}），请重新预览"
            )
        try:
            version = hosted.save(node, document, None, reason.strip())
        except hosted.HostedPlanError as exc:
            db.session.rollback()
            raise _refused(exc) from None
        db.session.commit()
        click.echo(f"已保存为第 {version.number} 版：{node.name}（{node.code}）")


@plan.command("set")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", default=None, help="修改原因（写入方案版本与历史记录；预览时可不填）")
@click.option("--dry-run", is_flag=True, help="只校验并显示差异，不保存")
@click.option("--base-version", type=int, default=None, help="据以修改的版本号；不是当前版本时拒绝保存")
def set_command(code: str, file: Path, reason: str | None, dry_run: bool, base_version: int | None) -> None:
    """用文件 FILE（与 plan.yaml 同样写法）替换托管辖区 CODE 自己的方案，保存为新版本。

    未知的键、插件、无效的日期或取值一律拒绝，并给出最接近的有效键。
    """
    _replace(code, file.read_text(encoding="utf-8"), reason, dry_run, base_version)


@plan.command("edit")
@click.argument("code")
@click.option("--reason", default=None, help="修改原因（写入方案版本与历史记录）")
def edit_command(code: str, reason: str | None) -> None:
    """在编辑器（$EDITOR）中修改托管辖区 CODE 的方案；保存并退出后校验、显示差异并保存为新版本。"""
    with system_scope():
        node = _jurisdiction(code)
        current = hosted.latest_version(node)
        number = current.number if current else 0
        text = hosted.document_yaml(dict(current.document)) if current else ""
    edited = click.edit(text, extension=".yaml")
    if edited is None or edited == text:
        click.echo("方案没有修改，未保存")
        return
    if reason is None:
        reason = click.prompt("修改原因")
    _replace(code, edited, reason, False, number)


@plan.command("versions")
@click.argument("code")
@click.option("--show", "number", type=int, default=None, help="输出该版本的方案文本")
def versions_command(code: str, number: int | None) -> None:
    """列出托管辖区 CODE 方案的各个版本：版本号、时间、修改人、原因。"""
    with system_scope():
        node = _jurisdiction(code)
        rows = hosted.versions(node)
        if number is not None:
            chosen = next((v for v in rows if v.number == number), None)
            if chosen is None:
                raise click.ClickException(f"没有第 {number} 版")
            click.echo(hosted.document_yaml(dict(chosen.document)), nl=False)
            return
        if not rows:
            click.echo("（没有托管的版本：方案来自 tenants/ 目录）")
        for v in rows:
            at = clock.to_local(v.created_at, node)  # stored UTC, read in the jurisdiction's time
            when = f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"
            click.echo(f"第 {v.number} 版  {when}  {v.created_by_name}  {v.reason}")


def commands() -> list[click.Command]:
    return [plan]
