"""``qingqian tenant ...``: load tenant folders and edit the tree by hand."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

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


def commands() -> list[click.Command]:
    return [tenant]
