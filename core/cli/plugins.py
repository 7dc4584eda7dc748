"""`qingqian plugins ...`: which plugins are installed and where each one is switched on."""

from __future__ import annotations

import json
import unicodedata

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

ON = "启用"
OFF = "—"
ALWAYS = "内置"


def display_width(text: str) -> int:
    """Columns a terminal uses: CJK characters take two, so plain ljust would misalign Chinese headers."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def jurisdictions() -> list:
    """Every jurisdiction, read with the system scope; none when the schema is not there yet."""
    from sqlalchemy.exc import SQLAlchemyError

    from core.extensions import db
    from core.tenancy.models import TenantNode
    from core.tenancy.scope import system_scope

    with system_scope():
        try:
            return list(
                db.session.scalars(
                    db.select(TenantNode)
                    .where(TenantNode.parent_id.is_(None))
                    .order_by(TenantNode.sort_order, TenantNode.id)
                )
            )
        except SQLAlchemyError:
            # `plugins list` must still answer on a fresh install, before `qingqian db upgrade`.
            db.session.rollback()
            return []


def plugin_rows() -> tuple[list, list[dict]]:
    from core.plugins import is_core, plugin_enabled

    pm = current_app.extensions["qingqian.plugins"]
    tenants = jurisdictions()
    rows = []
    for info in pm.infos():
        row = info.as_dict()
        row["core"] = is_core(info.name)
        row["enabled"] = {t.code: plugin_enabled(info.name, t) for t in tenants}
        rows.append(row)
    return tenants, rows


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@with_appcontext
def list_command(as_json: bool) -> None:
    """列出已安装的插件及其在各辖区的启用情况。"""
    tenants, rows = plugin_rows()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    headers = ["名称", "显示名称", "版本", "发行包"] + [f"{t.code}（{t.name}）" for t in tenants]
    table = []
    for row in rows:
        cells = [row["name"], row["label"] or "", row["version"] or "—", row["distribution"] or "—"]
        for t in tenants:
            cells.append(ALWAYS if row["core"] else (ON if row["enabled"][t.code] else OFF))
        table.append(cells)
    click.echo(render_table(headers, table))
    if not tenants:
        click.echo("（尚无辖区，或数据库尚未初始化：未显示各辖区启用情况）")


def commands() -> list:
    group = AppGroup("plugins", help="插件管理。")
    group.add_command(list_command)
    return [group]
