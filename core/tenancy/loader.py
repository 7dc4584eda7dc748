"""Loading a tenant folder (``plan.yaml`` + ``org.yaml``) into the tenant tree.

The files are the source of truth for names, parents and the plan; the database keeps everything else.
Loading creates, renames and moves nodes and refreshes the plan, all through ``core.tenancy.service`` so
the history shows who changed what. It never deletes: a node missing from the file may own debts, so it
is only reported. Loading the same files twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.extensions import db
from core.rules.validation import ValidationFailed
from core.services import history
from core.tenancy import service
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import NODE_KIND_LABELS, NodeKind, TenantNode
from core.tenancy.plans import PlanError, load_plan

ORG_FILE = "org.yaml"


class TenantLoadError(ValueError):
    """The tenant files are unusable. ``errors`` holds one Chinese message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class OrgNode:
    code: str
    name: str
    kind: str
    parent_code: str | None
    halted: bool
    sort_order: int


@dataclass
class LoadReport:
    jurisdiction_code: str
    jurisdiction_name: str
    plan_name: str | None = None
    created: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # code, old name, new name
    moved: list[tuple[str, str | None, str]] = field(default_factory=list)  # code, old parent, new parent
    halted_changed: list[tuple[str, bool]] = field(default_factory=list)
    plan_updated: bool = False
    plan_created: bool = False
    warnings: list[str] = field(default_factory=list)  # plan keys of plugins this installation lacks
    absent: list[str] = field(default_factory=list)  # active nodes in the database, not in the file
    inactive_listed: list[str] = field(default_factory=list)  # deactivated nodes the file still lists

    @property
    def changed(self) -> int:
        """Changes to existing nodes (creations are counted separately)."""
        return (
            len(self.renamed) + len(self.moved) + len(self.halted_changed) + (1 if self.plan_updated else 0)
        )

    @property
    def is_noop(self) -> bool:
        return not self.created and not self.changed

    def summary(self) -> str:
        lines = [
            f"辖区：{self.jurisdiction_name}（{self.jurisdiction_code}）",
            f"方案：{self.plan_name or '（无）'}{self._plan_state()}",
            f"新建单位 {len(self.created)} 个，变更 {self.changed} 处"
            f"（改名 {len(self.renamed)}，调整隶属 {len(self.moved)}，停产标记 {len(self.halted_changed)}）",
        ]
        lines += [f"  + 新建 {code}" for code in self.created]
        lines += [f"  ~ 改名 {code}：{old} → {new}" for code, old, new in self.renamed]
        lines += [f"  ~ 调整隶属 {code}：{old or '-'} → {new}" for code, old, new in self.moved]
        lines += [
            f"  ~ {'标记停产' if halted else '取消停产'} {code}" for code, halted in self.halted_changed
        ]
        if self.absent:
            lines.append(
                f"数据库中有、文件中未列出的单位 {len(self.absent)} 个"
                "（未删除，如需停用请用 tenant deactivate）："
            )
            lines += [f"  ? {code}" for code in self.absent]
        if self.inactive_listed:
            lines.append("文件中列出但已停用的单位（保持停用）：" + "、".join(self.inactive_listed))
        lines += [f"警告：{w}" for w in self.warnings]
        if self.is_noop:
            lines.append("没有任何变化。")
        return "\n".join(lines)

    def _plan_state(self) -> str:
        if self.plan_created:
            return "（新建）"
        return "（已更新）" if self.plan_updated else "（无变化）"


# --- Reading and checking the files -----------------------------------------------------------------


def read_org(folder: Path) -> list[OrgNode]:
    """Parse and check ``org.yaml``; nodes come back parents first. Raises ``TenantLoadError``."""
    path = folder / ORG_FILE
    if not path.exists():
        raise TenantLoadError(
            [f"{path}：找不到组织树文件 {ORG_FILE}（只含 plan.yaml 的目录是上级方案，不能作为辖区加载）"]
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TenantLoadError([f"{path}：YAML 格式错误：{exc}"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("jurisdiction"), dict):
        raise TenantLoadError([f"{path}：顶层必须有 jurisdiction: 映射（辖区及其 children）"])

    errors: list[str] = []
    nodes: list[OrgNode] = []
    seen: set[str] = set()
    root = data["jurisdiction"]
    root_code = str(root.get("code") or "")

    def label(raw: dict, where: str) -> str:
        return f"{path}：节点 {raw.get('code') or where}（{raw.get('name') or '未命名'}）"

    def visit(raw: Any, parent: OrgNode | None, where: str, order: int) -> None:
        if not isinstance(raw, dict):
            errors.append(f"{path}：{where} 必须是映射（code、name、kind、children）")
            return
        unknown = set(raw) - {"code", "name", "kind", "children", "halted"}
        if unknown:
            errors.append(f"{label(raw, where)}：未知字段 {', '.join(sorted(map(str, unknown)))}")
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        kind = str(raw.get("kind") or (NodeKind.JURISDICTION if parent is None else "")).strip()
        ok = True
        if not service.CODE_PATTERN.match(code):
            errors.append(
                f"{label(raw, where)}：编码缺失或格式不对"
                "（小写字母、数字、-、_，用点分层，如 wutaishan.finance）"
            )
            ok = False
        elif code in seen:
            errors.append(f"{label(raw, where)}：编码 {code} 在文件中重复")
            ok = False
        elif parent is not None and not code.startswith(root_code + "."):
            errors.append(f"{label(raw, where)}：编码必须以辖区编码 {root_code}. 开头，避免与其他辖区冲突")
            ok = False
        if not name:
            errors.append(f"{label(raw, where)}：名称不能为空")
            ok = False
        if kind not in {k.value for k in NodeKind}:
            errors.append(
                f"{label(raw, where)}：未知的单位类型 {kind or '（未填）'}，可用："
                + "、".join(
                    f"{k.value}（{v}）" for k, v in NODE_KIND_LABELS.items() if k != NodeKind.JURISDICTION
                )
            )
            ok = False
        elif parent is None and kind != NodeKind.JURISDICTION:
            errors.append(f"{label(raw, where)}：根节点必须是辖区（jurisdiction）")
            ok = False
        elif parent is not None and kind == NodeKind.JURISDICTION:
            errors.append(f"{label(raw, where)}：辖区只能是根节点")
            ok = False
        elif parent is not None and NodeKind(kind) not in service.ALLOWED_CHILDREN[NodeKind(parent.kind)]:
            errors.append(
                f"{label(raw, where)}：{NODE_KIND_LABELS[NodeKind(parent.kind)]}下不能设立"
                f"{NODE_KIND_LABELS[NodeKind(kind)]}"
            )
            ok = False
        halted = raw.get("halted", False)
        if not isinstance(halted, bool):
            errors.append(f"{label(raw, where)}：halted 只能是 true 或 false")
            ok = False
        children = raw.get("children") or []
        if not isinstance(children, list):
            errors.append(f"{label(raw, where)}：children 必须是列表")
            children = []
        if not ok:
            return
        seen.add(code)
        node = OrgNode(code, name, kind, parent.code if parent else None, halted, order)
        nodes.append(node)
        for index, child in enumerate(children):
            visit(child, node, f"{code} 的第 {index + 1} 个下级", index)

    visit(root, None, "jurisdiction", 0)
    if errors:
        raise TenantLoadError(errors)
    return nodes


def _plan(
    folder: Path, extra_years: dict[int, dict] | None = None, warnings: list[str] | None = None
) -> dict:
    try:
        return load_plan(folder, extra_years=extra_years, warnings=warnings)
    except PlanError as exc:
        if exc.findings:
            raise TenantLoadError([f"{exc.path}：{f}" for f in exc.findings]) from exc
        raise TenantLoadError([f"{exc.path}：{str(exc).split(': ', 1)[-1]}"]) from exc


# --- Applying them ----------------------------------------------------------------------------------


def load_tenant(
    folder: str | Path, actor=None, commit: bool = True, extra_years: dict[int, dict] | None = None
) -> LoadReport:
    """Bring the tree and plan of the tenant in ``folder`` up to date with its files.

    ``extra_years`` adds year plans that have no file (``qingqian demo`` writes the current year's).

    Must run in a system scope (the CLI and the demo wrap it in ``system_scope()``). On any error nothing
    is written and ``TenantLoadError`` carries every problem found.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise TenantLoadError([f"{folder}：目录不存在"])
    warnings: list[str] = []
    plan = _plan(folder, extra_years, warnings)
    org = read_org(folder)
    root = org[0]
    org_path = folder / ORG_FILE
    report = LoadReport(root.code, root.name, plan_name=plan.get("name"), warnings=warnings)
    try:
        _apply(org, plan, org_path, report, actor)
    except TenantLoadError:
        db.session.rollback()
        raise
    except ValidationFailed as exc:
        db.session.rollback()
        raise TenantLoadError([f"{org_path}：{exc}"]) from exc
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return report


def _apply(org: list[OrgNode], plan: dict, org_path: Path, report: LoadReport, actor) -> None:
    root = org[0]
    existing = {
        n.code: n
        for n in db.session.scalars(
            db.select(TenantNode).where(TenantNode.code.in_([o.code for o in org])),
            execution_options={SKIP_FILTER: True},
        )
    }
    jurisdiction = existing.get(root.code)
    if jurisdiction is not None and not jurisdiction.is_jurisdiction:
        raise TenantLoadError(
            [f"{org_path}：编码 {root.code} 已被一个{jurisdiction.kind_label}使用，不是辖区"]
        )
    errors = []
    for item in org[1:]:
        node = existing.get(item.code)
        if node is None:
            continue
        if jurisdiction is None or node.jurisdiction_id != jurisdiction.id:
            errors.append(f"{org_path}：节点 {item.code}（{item.name}）：该编码已属于其他辖区")
        elif node.kind != item.kind:
            errors.append(
                f"{org_path}：节点 {item.code}（{item.name}）：单位类型不能由 {node.kind} 改为 {item.kind}，"
                "请新建编码并停用旧单位"
            )
    if errors:
        raise TenantLoadError(errors)

    if jurisdiction is None:
        jurisdiction = service.create_node(
            code=root.code, name=root.name, kind=NodeKind.JURISDICTION, parent=None, actor=actor,
            plan_name=plan.get("name"), plan=plan,
        )  # fmt: skip
        report.created.append(root.code)
        report.plan_created = True
        existing[root.code] = jurisdiction
    else:
        if jurisdiction.name != root.name:
            report.renamed.append((root.code, jurisdiction.name, root.name))
            service.rename_node(jurisdiction, root.name, actor=actor)
        if jurisdiction.plan != plan or jurisdiction.plan_name != plan.get("name"):
            _update_plan(jurisdiction, plan, actor)
            report.plan_updated = True

    for item in org[1:]:
        parent = existing[item.parent_code]
        node = existing.get(item.code)
        if node is None:
            if not parent.active:
                report.inactive_listed.append(item.code)
                continue
            node = service.create_node(
                code=item.code, name=item.name, kind=item.kind, parent=parent, actor=actor,
                sort_order=item.sort_order, halted=item.halted,
            )  # fmt: skip
            report.created.append(item.code)
            existing[item.code] = node
            continue
        if not node.active:
            report.inactive_listed.append(item.code)
        if node.name != item.name:
            report.renamed.append((item.code, node.name, item.name))
            service.rename_node(node, item.name, actor=actor)
        if node.parent_id != parent.id:
            old_parent = db.session.get(TenantNode, node.parent_id, execution_options={SKIP_FILTER: True})
            report.moved.append((item.code, old_parent.code if old_parent else None, parent.code))
            service.move_node(node, parent, actor=actor)
        if bool(node.halted) != item.halted:
            _set_halted(node, item.halted, actor)
            report.halted_changed.append((item.code, item.halted))
        if node.sort_order != item.sort_order:
            # Display order only: not worth a history entry or a line in the report.
            node.sort_order = item.sort_order

    listed = {o.code for o in org}
    report.absent = sorted(
        db.session.scalars(
            db.select(TenantNode.code).where(
                TenantNode.jurisdiction_id == jurisdiction.id,
                TenantNode.active.is_(True),
                TenantNode.code.not_in(listed),
            ),
            execution_options={SKIP_FILTER: True},
        )
    )
    db.session.flush()


def _update_plan(jurisdiction: TenantNode, plan: dict, actor) -> None:
    old_name, old_plan = jurisdiction.plan_name, jurisdiction.plan or {}
    jurisdiction.plan = plan
    jurisdiction.plan_name = plan.get("name")
    jurisdiction.version += 1
    db.session.flush()
    changed = sorted(k for k in set(old_plan) | set(plan) if old_plan.get(k) != plan.get(k))
    history.record(
        jurisdiction,
        "plan_updated",
        before={"plan_name": old_name, **{k: old_plan.get(k) for k in changed}},
        after={"plan_name": plan.get("name"), **{k: plan.get(k) for k in changed}},
        actor=actor,
        entity_type="tenant",
        unit_id=jurisdiction.id,
    )


def _set_halted(node: TenantNode, halted: bool, actor) -> None:
    # Halted firms leave the campaign's scope, so the switch belongs in the history like any other change.
    node.halted = halted
    node.version += 1
    db.session.flush()
    history.record(
        node,
        "halted" if halted else "resumed",
        before={"halted": not halted},
        after={"halted": halted},
        actor=actor,
        entity_type="tenant",
        unit_id=node.id,
    )


def tenant_folders(tenants_dir: str | Path) -> list[Path]:
    """Folders that hold a loadable tenant (a plan and an org tree), sorted by name."""
    base = Path(tenants_dir)
    return sorted(p for p in base.iterdir() if (p / "plan.yaml").exists() and (p / ORG_FILE).exists())
