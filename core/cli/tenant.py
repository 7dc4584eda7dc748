"""``qingqian tenant ...``: load tenant folders and edit the tree by hand."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core import clock
from core.extensions import db
from core.rules.validation import ValidationFailed
from core.tenancy import service
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.loader import TenantLoadError, load_tenant
from core.tenancy.models import NODE_KIND_LABELS, NodeKind, TenantNode
from core.tenancy.scope import system_scope

tenant = AppGroup("tenant", help="辖区与单位（租户树）管理。")


def resolve_tenant_folder(path: str) -> Path:
    """A path as given, or else a folder name under TENANTS_DIR (so ``tenant load wutaishan`` works)."""
    candidate = Path(path)
    if candidate.is_dir():
        return candidate
    under = Path(current_app.config["TENANTS_DIR"]) / path
    if under.is_dir():
        return under
    raise click.ClickException(f"找不到租户目录：{path}（也不在 {current_app.config['TENANTS_DIR']} 下）")


def _node(code: str) -> TenantNode:
    node = service.find_by_code(code)
    if node is None:
        raise click.ClickException(f"找不到编码为 {code} 的单位")
    return node


def _fail(exc: ValidationFailed) -> click.ClickException:
    return click.ClickException("；".join(issue.message for issue in exc.issues))


@tenant.command("load")
@click.argument("path")
def load_command(path: str) -> None:
    """加载（或更新）一个租户目录：plan.yaml 与 org.yaml。"""
    folder = resolve_tenant_folder(path)
    with system_scope():
        try:
            report = load_tenant(folder)
        except TenantLoadError as exc:
            raise click.ClickException("加载失败：\n" + "\n".join(exc.errors)) from exc
    click.echo(report.summary())


@tenant.command("list")
@click.option("--code", "root_code", default=None, help="只显示该单位及其下级")
def list_command(root_code: str | None) -> None:
    """按树形列出辖区与单位。"""
    with system_scope():
        query = db.select(TenantNode).order_by(TenantNode.depth, TenantNode.sort_order, TenantNode.code)
        if root_code:
            query = query.where(TenantNode.path.startswith(_node(root_code).path))
        nodes = list(db.session.scalars(query, execution_options={SKIP_FILTER: True}))
        if not nodes:
            click.echo("（没有任何单位，先运行 qingqian tenant load 或 qingqian demo）")
            return
        children: dict[int | None, list[TenantNode]] = {}
        ids = {n.id for n in nodes}
        for node in nodes:
            key = node.parent_id if node.parent_id in ids else None
            children.setdefault(key, []).append(node)

        def show(node: TenantNode, indent: int) -> None:
            flags = [] if node.active else ["已停用"]
            if node.halted:
                flags.append("停产")
            if node.plan_name:
                flags.append(f"方案：{node.plan_name}")
            extra = f"  [{'，'.join(flags)}]" if flags else ""
            click.echo(f"{'  ' * indent}{node.name}  ({node.code}, {node.kind_label}){extra}")
            for child in children.get(node.id, []):
                show(child, indent + 1)

        for top in children.get(None, []):
            show(top, 0)


@tenant.command("create")
@click.argument("code")
@click.argument("name")
@click.option(
    "--kind",
    required=True,
    type=click.Choice([k.value for k in NodeKind]),
    help="单位类型：" + "、".join(f"{k.value}={v}" for k, v in NODE_KIND_LABELS.items()),
)
@click.option("--parent", "parent_code", default=None, help="上级单位编码（辖区不填）")
def create_command(code: str, name: str, kind: str, parent_code: str | None) -> None:
    """新建一个单位。"""
    with system_scope():
        parent = _node(parent_code) if parent_code else None
        try:
            node = service.create_node(code=code, name=name, kind=kind, parent=parent)
        except ValidationFailed as exc:
            db.session.rollback()
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"已新建 {node.name}（{node.code}，{node.kind_label}）")


@tenant.command("rename")
@click.argument("code")
@click.argument("name")
def rename_command(code: str, name: str) -> None:
    """修改单位名称（编码不变）。"""
    with system_scope():
        node = _node(code)
        old = node.name
        try:
            service.rename_node(node, name)
        except ValidationFailed as exc:
            db.session.rollback()
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"已改名：{old} → {node.name}")


@tenant.command("move")
@click.argument("code")
@click.option("--parent", "parent_code", required=True, help="新的上级单位编码")
def move_command(code: str, parent_code: str) -> None:
    """调整单位的隶属关系（连同其全部下级）。"""
    with system_scope():
        node, parent = _node(code), _node(parent_code)
        try:
            service.move_node(node, parent)
        except ValidationFailed as exc:
            db.session.rollback()
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"已将 {node.name} 调整到 {parent.name} 之下")


@tenant.command("deactivate")
@click.argument("code")
@click.option("--reason", default=None, help="停用原因（写入历史记录）")
def deactivate_command(code: str, reason: str | None) -> None:
    """停用单位及其全部下级；数据保留，不再接受新填报。"""
    with system_scope():
        node = _node(code)
        if not node.active:
            click.echo(f"{node.name} 已是停用状态")
            return
        service.set_active(node, False, reason=reason)
        db.session.commit()
        click.echo(f"已停用 {node.name}（{node.code}）及其下级单位，原有数据全部保留")


@tenant.command("host")
@click.argument("code")
@click.argument("name")
@click.option("--inherits", default=None, help="继承的上级方案：tenants/ 下的方案目录名，或已托管辖区的编码")
@click.option("--timezone", default=None, help="时区，如 Asia/Shanghai")
@click.option("--plugin", "plugins", multiple=True, help="启用的插件（可重复）；不填则沿用上级方案")
@click.option("--plan-name", default=None, help="方案名称")
@click.option("--reason", default="新建托管辖区", help="写入方案第 1 版的说明")
def host_command(code, name, inherits, timezone, plugins, plan_name, reason) -> None:
    """新建托管辖区 CODE：方案存于数据库、带版本（之后用 qingqian plan set/edit 修改）。"""
    from core.tenancy import hosted

    document = {
        k: v
        for k, v in (("inherits", inherits), ("name", plan_name), ("timezone", timezone))
        if v is not None
    }
    if plugins:
        document["plugins"] = list(plugins)
    with system_scope():
        try:
            node = hosted.create_jurisdiction(code, name, document, None, reason)
        except hosted.HostedPlanError as exc:
            db.session.rollback()
            lines = [f"  {key}：{m}" for key, messages in exc.errors.items() for m in messages]
            raise click.ClickException("方案未通过校验，没有新建辖区：\n" + "\n".join(lines)) from None
        except ValidationFailed as exc:
            db.session.rollback()
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(
            f"已新建托管辖区 {node.name}（{node.code}），方案第 1 版：{node.plan_name or '（未命名）'}"
        )


@tenant.command("org-import")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="全部无误时导入；不加则只预览")
def org_import_command(code: str, file: Path, apply_: bool) -> None:
    """从 Excel（列为 单位名称 / 上级单位 / 单位类型）导入辖区 CODE 的单位树；默认只预览。"""
    from core.tenancy import org_import

    with system_scope():
        node = service.find_jurisdiction(code)
        if node is None:
            raise click.ClickException(f"找不到编码为 {code} 的辖区")
        try:
            with file.open("rb") as stream:
                rows = org_import.plan_rows(node, org_import.read_sheet(stream))
        except org_import.OrgSheetError as exc:
            raise click.ClickException(str(exc)) from None
        actions = {"create": "新建", "exists": "已存在"}
        for row in rows:
            what = "；".join(row.errors) if row.errors else actions[row.action]
            click.echo(
                f"第{row.row}行  {row.name}  ← {row.parent or node.name}  {row.kind_text or ''}  {what}"
            )
        if any(r.errors for r in rows):
            raise click.ClickException("单位表有错误，没有导入任何单位")
        if not apply_:
            click.echo("预览完毕，未导入（加 --apply 导入）")
            return
        created = org_import.apply_rows(node, rows, None)
        db.session.commit()
        click.echo(f"已导入 {created} 个单位")


@tenant.command("invite-admin")
@click.argument("code")
@click.argument("username")
@click.option("--display-name", required=True, help="姓名或单位")
@click.option(
    "--base-url",
    envvar="QINGQIAN_BASE_URL",
    default="http://localhost:5000",
    show_default=True,
    help="平台的网址（链接的前缀；亦可设 QINGQIAN_BASE_URL）",
)
def invite_admin_command(code: str, username: str, display_name: str, base_url: str) -> None:
    """新建辖区 CODE 的清欠办管理员，输出一次性设置密码的链接（只显示这一次）。"""
    from core.auth import password_links

    with system_scope():
        node = service.find_jurisdiction(code)
        if node is None:
            raise click.ClickException(f"找不到编码为 {code} 的辖区")
        try:
            user, token, expires = password_links.create_admin(node, username, display_name)
        except password_links.UsernameTaken:
            db.session.rollback()
            raise click.ClickException(f"用户名 {username} 已被使用") from None
        db.session.commit()
    at = clock.to_local(expires, node)  # stored UTC, read in the jurisdiction's time
    click.echo(f"已新建 {user.username}（{node.name} 清欠办管理员）。一次性设置密码的链接（只显示这一次）：")
    click.echo(f"{base_url.rstrip('/')}/password/set/{token}")
    click.echo(f"有效期至 {at.year}年{at.month}月{at.day}日 {at:%H:%M}")


@tenant.command("export")
@click.argument("code")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="默认 CODE-日期.zip"
)
def export_command(code: str, output: Path | None) -> None:
    """导出辖区 CODE 的全部数据（单位树、方案版本、欠款、付款、历史记录、各插件的数据表、用户但不含密码）。"""
    from core import clock
    from core.plugins import get_pm
    from core.tenancy import transfer

    with system_scope():
        node = service.find_jurisdiction(code)
        if node is None:
            raise click.ClickException(f"找不到编码为 {code} 的辖区")
        data = transfer.export_jurisdiction(node, get_pm().names())
    output = output or Path(f"{code}-{clock.today().isoformat()}.zip")
    output.write_bytes(data)
    click.echo(f"已导出 {node.name}（{code}）：{output}（{len(data)} 字节）")


@tenant.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """从 tenant export 的 zip 文件导入一个辖区（新建全部记录；编码或用户名冲突时整体拒绝）。"""
    from core.tenancy import transfer

    with system_scope():
        try:
            report = transfer.import_jurisdiction(file.read_bytes())
        except transfer.TransferError as exc:
            db.session.rollback()
            raise click.ClickException("导入失败，没有写入任何数据：\n" + "\n".join(exc.problems)) from None
        db.session.commit()
        node = report["jurisdiction"]
        rows = sum(report["tables"].values())
        click.echo(
            f"已导入 {node.name}（{node.code}）：{len(report['tables'])} 张表 {rows} 行；"
            f"新建用户 {report['users_created']} 个（没有密码，须先设置：qingqian user set-password），"
            f"并入已有用户 {report['users_matched']} 个"
        )


def commands() -> list[click.Command]:
    return [tenant]
