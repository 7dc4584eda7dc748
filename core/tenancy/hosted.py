"""Hosted jurisdictions: plans kept in the database, edited through the API, versioned.

A jurisdiction defined in code has its folder under ``tenants/`` (``qingqian tenant load``). A hosted one
has none: its own plan document (what a ``plan.yaml`` would hold, ``inherits:`` included) is stored as
``PlanVersion`` rows, the latest in force. The document resolves exactly as a file would — the same schema
checks, inheritance from a plan folder (``xinzhou``) or from another hosted jurisdiction, later years —
because it is resolved by ``core.tenancy.plans.load_plan`` over a temporary folder that holds the hosted
documents next to links to every folder of ``TENANTS_DIR``.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from flask import current_app

from core.extensions import db
from core.services import history
from core.tenancy import service
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import NodeKind, PlanVersion, TenantNode
from core.tenancy.plans import PlanError, load_plan, parse_plan_text, plan_leaves

MAX_CHAIN = 10


class HostedPlanError(ValueError):
    """A document the schema refuses: ``errors`` maps a plan key (or ``document``) to Chinese reasons."""

    def __init__(self, errors: dict[str, list[str]], warnings: list[str] | None = None) -> None:
        super().__init__("；".join(f"{k}：{'；'.join(v)}" for k, v in errors.items()))
        self.errors = errors
        self.warnings = warnings or []


def parse_document(text: str | None, document: dict | None) -> dict:
    """The plan document from YAML text or a JSON object (exactly one of them)."""
    if document is not None:
        return document
    try:
        data = parse_plan_text(text or "") or {}
    except yaml.YAMLError as exc:
        raise HostedPlanError({"yaml": [f"YAML 格式错误：{exc}"]}) from None
    if not isinstance(data, dict):
        raise HostedPlanError({"yaml": ["方案顶层必须是映射（键: 值）"]})
    return data


def document_yaml(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=False)


def latest_version(jurisdiction: TenantNode) -> PlanVersion | None:
    return db.session.scalar(
        db.select(PlanVersion)
        .where(PlanVersion.jurisdiction_id == jurisdiction.id)
        .order_by(PlanVersion.number.desc())
        .limit(1),
        execution_options={SKIP_FILTER: True},
    )


def versions(jurisdiction: TenantNode) -> list[PlanVersion]:
    return list(
        db.session.scalars(
            db.select(PlanVersion)
            .where(PlanVersion.jurisdiction_id == jurisdiction.id)
            .order_by(PlanVersion.number.desc())
        )
    )


def _hosted_document(code: str) -> dict | None:
    node = service.find_jurisdiction(code)
    if node is None:
        return None
    version = latest_version(node)
    return dict(version.document) if version else None


def resolve(code: str, document: dict) -> tuple[dict, list[str]]:
    """The resolved plan of hosted jurisdiction ``code`` with ``document`` as its own plan, and warnings.

    Raises ``HostedPlanError`` naming each refused key (and the nearest valid one)."""
    tenants_dir = Path(current_app.config["TENANTS_DIR"]).resolve()
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="qingqian-plan-") as tmp:
        root = Path(tmp)
        if tenants_dir.is_dir():
            for entry in tenants_dir.iterdir():
                if entry.is_dir():
                    os.symlink(entry, root / entry.name)
        chain, parent = [(code, document)], document.get("inherits")
        while parent and len(chain) < MAX_CHAIN:
            if (tenants_dir / str(parent) / "plan.yaml").exists():
                break
            hosted = _hosted_document(str(parent))
            if hosted is None:
                raise HostedPlanError(
                    {"inherits": [f"找不到上级方案 {parent}：既不是方案目录，也不是已托管的辖区"]}
                )
            chain.append((str(parent), hosted))
            parent = hosted.get("inherits")
        for name, doc in chain:
            folder = root / name
            if folder.is_symlink():
                folder.unlink()
            folder.mkdir(exist_ok=True)
            (folder / "plan.yaml").write_text(document_yaml(doc), encoding="utf-8")
        try:
            plan = load_plan(root / code, warnings=warnings)
        except PlanError as exc:
            errors: dict[str, list[str]] = {}
            for finding in exc.findings:
                errors.setdefault(finding.path, []).append(str(finding))
            if not errors:
                errors["document"] = [str(exc).split(": ", 1)[-1]]
            raise HostedPlanError(errors, warnings) from None
    prefix = str(root)
    return plan, [w.replace(prefix + os.sep, "") for w in warnings]


def changes(old: dict | None, new: dict) -> list[dict[str, Any]]:
    """Value by value, what saving ``new`` changes in the resolved plan."""
    before, after = dict(plan_leaves(old or {})), dict(plan_leaves(new))
    return [
        {"key": key, "before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def preview(jurisdiction: TenantNode, document: dict) -> dict[str, Any]:
    """What saving ``document`` would do: the resolved plan's changes and the YAML diff; nothing written."""
    plan, warnings = resolve(jurisdiction.code, document)
    current = latest_version(jurisdiction)
    old_text = document_yaml(current.document) if current else ""
    diff = "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            document_yaml(document).splitlines(keepends=True),
            f"第{current.number}版" if current else "（无）",
            "新方案",
        )
    )
    return {
        "warnings": warnings,
        "diff": diff,
        "changes": changes(jurisdiction.plan, plan),
        "base_version": current.number if current else 0,
    }


def save(jurisdiction: TenantNode, document: dict, actor, reason: str) -> PlanVersion:
    """Resolve ``document``, put the plan in force and record a new version (who, when, why)."""
    plan, _ = resolve(jurisdiction.code, document)
    current = latest_version(jurisdiction)
    old_plan, old_name = jurisdiction.plan or {}, jurisdiction.plan_name
    jurisdiction.plan = plan
    jurisdiction.plan_name = plan.get("name")
    jurisdiction.version += 1
    version = PlanVersion(
        jurisdiction_id=jurisdiction.id,
        number=(current.number if current else 0) + 1,
        document=document,
        reason=reason,
        created_by_id=getattr(actor, "id", None),
        created_by_name=getattr(actor, "label", None) or getattr(actor, "username", None) or "系统",
    )
    db.session.add(version)
    db.session.flush()
    changed = sorted(k for k in set(old_plan) | set(plan) if old_plan.get(k) != plan.get(k))
    history.record(
        jurisdiction,
        "plan_updated",
        before={"plan_name": old_name, **{k: old_plan.get(k) for k in changed}},
        after={
            "plan_name": plan.get("name"),
            "plan_version": version.number,
            **{k: plan.get(k) for k in changed},
        },
        actor=actor,
        entity_type="tenant",
        unit_id=jurisdiction.id,
        note=reason,
    )
    return version


def create_jurisdiction(
    code: str, name: str, document: dict, actor, reason: str = "新建托管辖区"
) -> TenantNode:
    """A new hosted jurisdiction with ``document`` as its first plan version. Runs in system scope."""
    resolve(code, document)  # refuse a bad plan before anything is written
    node = service.create_node(code=code, name=name, kind=NodeKind.JURISDICTION, parent=None, actor=actor)
    db.session.flush()
    save(node, document, actor, reason)
    return node
