"""Loading tenant folders: the real plan and org files, inheritance, idempotence, re-loads and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.extensions import db
from core.models.event import Event
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.loader import TenantLoadError, load_tenant
from core.tenancy.models import TenantNode
from core.tenancy.plans import load_plan
from core.tenancy.scope import system_scope
from core.tenancy.service import find_by_code

TENANTS = Path(__file__).resolve().parent.parent / "tenants"


@pytest.fixture(autouse=True)
def _system_scope():
    """Assertions read across tenants; on PostgreSQL row-level security would hide the rows otherwise."""
    with system_scope():
        yield


def count(model) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(model), execution_options={SKIP_FILTER: True}
    )


def load(folder: Path):
    with system_scope():
        return load_tenant(folder)


@pytest.fixture
def tenants_copy(tmp_path) -> Path:
    for name in ("xinzhou", "wutaishan", "yunling"):
        shutil.copytree(TENANTS / name, tmp_path / name)
    return tmp_path


SANITATION = "{code: wutaishan.construction.sanitation, name: 五台山景区环境卫生服务中心, kind: institution}"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_plan_inheritance_resolves():
    plan = load_plan(TENANTS / "wutaishan")
    assert plan["lineage"] == ["xinzhou", "wutaishan"]
    assert plan["year"] == 2023  # only in the city plan
    assert plan["document_no"] == "台清欠办函【2023】4号"
    assert plan["plugins"] == [
        "ledger",
        "agreements",
        "complaints",
        "disclosure",
        "accountability",
        "wages",
        "finance",
        "prevention",
    ]
    assert plan["deadlines"] == {
        "ledger_complete": "2023-08-25",
        "agreements_signed": "2023-08-31",
        "all_cleared": "2023-10-31",
        "disclosure": "2024-03-31",
    }
    assert plan["rules"]["late_interest_daily_rate"] == "0.0005"
    assert plan["rules"]["payment_term_days"] == 30 and plan["rules"]["max_agreed_term_days"] == 60
    assert plan["rules"]["credit_code_strict"] is False
    assert plan["rules"]["rule_sets"][0]["id"] == "regulation-2020"  # national defaults still underneath
    assert plan["reminders"] == {"days_before": [7, 3, 1]}
    assert "拖欠金额" in plan["column_synonyms"]["amount_owed"]
    assert plan["scope"]["exclude_halted"] is True

    other = load_plan(TENANTS / "yunling")
    assert other["lineage"] == ["yunling"]
    assert other["plugins"] == ["ledger", "complaints"]
    assert other["rules"]["credit_code_strict"] is True
    assert other["rules"]["late_interest_daily_rate"] == "0.0004"
    assert other["deadlines"]["all_cleared"].startswith("2024")


def test_child_overrides_parent(tenants_copy):
    edit(tenants_copy / "xinzhou" / "plan.yaml", "payment_term_days: 30", "payment_term_days: 20")
    assert load_plan(tenants_copy / "wutaishan")["rules"]["payment_term_days"] == 30  # overridden
    edit(tenants_copy / "wutaishan" / "plan.yaml", "  payment_term_days: 30\n", "")
    assert load_plan(tenants_copy / "wutaishan")["rules"]["payment_term_days"] == 20  # inherited


def test_load_builds_tree_and_stores_plan(app):
    report = load(TENANTS / "wutaishan")
    assert report.created[0] == "wutaishan"
    assert len(report.created) == 22 and report.changed == 0
    root = find_by_code("wutaishan")
    assert root.is_jurisdiction and root.name == "五台山风景名胜区"
    assert root.plan_name == "五台山风景名胜区防范和化解拖欠中小企业账款2023年工作方案"
    assert root.plan["deadlines"]["ledger_complete"] == "2023-08-25"
    assert find_by_code("wutaishan.taihuai").name == "台怀镇人民政府"
    sub = find_by_code("wutaishan.tourism-group.hotel")
    assert sub.kind == "subsidiary" and sub.parent_id == find_by_code("wutaishan.tourism-group").id
    assert sub.jurisdiction_id == root.id and sub.path.startswith(root.path)
    assert find_by_code("wutaishan.tourism-group.show").halted is True
    created_events = db.session.scalar(
        db.select(db.func.count(Event.id)).where(Event.entity_type == "tenant", Event.action == "created"),
        execution_options={SKIP_FILTER: True},
    )
    assert created_events == 22


def test_second_load_changes_nothing(app):
    load(TENANTS / "wutaishan")
    load(TENANTS / "yunling")
    nodes, events = count(TenantNode), count(Event)
    versions = dict(db.session.execute(db.select(TenantNode.code, TenantNode.version)).all())
    for name in ("wutaishan", "yunling"):
        report = load(TENANTS / name)
        assert report.is_noop and report.created == [] and report.changed == 0
        assert report.absent == []
        assert "没有任何变化" in report.summary()
    assert count(TenantNode) == nodes and count(Event) == events
    assert dict(db.session.execute(db.select(TenantNode.code, TenantNode.version)).all()) == versions


def test_reload_renames_moves_and_never_deletes(app, tenants_copy):
    org = tenants_copy / "wutaishan" / "org.yaml"
    load(tenants_copy / "wutaishan")
    edit(org, "name: 台怀镇人民政府", "name: 台怀镇人民政府（新）")
    # The sanitation centre moves from the construction bureau to directly under the scenic area.
    edit(
        org,
        f"      children:\n        - {SANITATION}\n",
        "",
    )
    edit(
        org,
        "    # 事业中心\n",
        f"    - {SANITATION}\n",
    )
    edit(
        org, "    - {code: wutaishan.fire-forest, name: 五台山景区森林防火服务中心, kind: institution}\n", ""
    )
    edit(org, "kind: subsidiary, halted: true}", "kind: subsidiary}")
    edit(
        org,
        "    - {code: wutaishan.audit,",
        "    - {code: wutaishan.stats, name: 五台山风景名胜区统计局, kind: department}\n"
        "    - {code: wutaishan.audit,",
    )

    report = load(tenants_copy / "wutaishan")
    assert report.created == ["wutaishan.stats"]
    assert report.renamed == [("wutaishan.taihuai", "台怀镇人民政府", "台怀镇人民政府（新）")]
    assert report.moved == [("wutaishan.construction.sanitation", "wutaishan.construction", "wutaishan")]
    assert report.halted_changed == [("wutaishan.tourism-group.show", False)]
    assert report.absent == ["wutaishan.fire-forest"]
    assert "未删除" in report.summary()

    root = find_by_code("wutaishan")
    sanitation = find_by_code("wutaishan.construction.sanitation")
    assert sanitation.parent_id == root.id and sanitation.path == f"{root.path}{sanitation.id}/"
    assert find_by_code("wutaishan.fire-forest").active is True  # reported, not deleted
    actions = set(
        db.session.scalars(
            db.select(Event.action).where(Event.entity_type == "tenant"),
            execution_options={SKIP_FILTER: True},
        )
    )
    assert {"created", "renamed", "moved", "resumed"} <= actions

    again = load(tenants_copy / "wutaishan")
    assert again.created == [] and again.changed == 0 and again.absent == ["wutaishan.fire-forest"]


def test_plan_change_is_recorded(app, tenants_copy):
    load(tenants_copy / "wutaishan")
    edit(
        tenants_copy / "wutaishan" / "plan.yaml", "  all_cleared: 2023-10-31\n", "  all_cleared: 2023-11-30\n"
    )
    report = load(tenants_copy / "wutaishan")
    assert report.plan_updated and report.changed == 1
    assert find_by_code("wutaishan").plan["deadlines"]["all_cleared"] == "2023-11-30"
    event = db.session.scalar(
        db.select(Event).where(Event.action == "plan_updated"), execution_options={SKIP_FILTER: True}
    )
    assert event.before["deadlines"]["all_cleared"] == "2023-10-31"


def test_bad_plan_gives_clear_error_and_writes_nothing(app, tenants_copy):
    edit(
        tenants_copy / "wutaishan" / "plan.yaml",
        'late_interest_daily_rate: "0.0005"',
        'late_interest_daily_rate: "0.05"',
    )
    with pytest.raises(TenantLoadError) as info:
        load(tenants_copy / "wutaishan")
    message = str(info.value)
    assert "plan.yaml" in message and "日利率" in message
    assert count(TenantNode) == 0


def test_missing_parent_plan_is_reported(app, tenants_copy):
    shutil.rmtree(tenants_copy / "xinzhou")
    with pytest.raises(TenantLoadError) as info:
        load(tenants_copy / "wutaishan")
    assert "xinzhou" in str(info.value) and "plan.yaml" in str(info.value)


def test_bad_org_names_file_and_node(app, tenants_copy):
    org = tenants_copy / "wutaishan" / "org.yaml"
    edit(org, "name: 金岗库乡人民政府, kind: township", "name: 金岗库乡人民政府, kind: village")
    edit(org, "{code: wutaishan.heritage,", "{code: heritage,")
    with pytest.raises(TenantLoadError) as info:
        load(tenants_copy / "wutaishan")
    errors = info.value.errors
    assert len(errors) == 2
    assert all(str(org) in e for e in errors)
    assert "wutaishan.jingangku" in errors[0] and "未知的单位类型 village" in errors[0]
    assert "heritage" in errors[1] and "必须以辖区编码 wutaishan." in errors[1]
    assert count(TenantNode) == 0


def test_kind_rules_and_duplicates(app, tenants_copy):
    org = tenants_copy / "yunling" / "org.yaml"
    edit(
        org,
        "name: 云岭新区物业服务有限公司, kind: subsidiary",
        "name: 云岭新区物业服务有限公司, kind: township",
    )
    edit(org, "{code: yunling.finance,", "{code: yunling.economy,")
    with pytest.raises(TenantLoadError) as info:
        load(tenants_copy / "yunling")
    text = str(info.value)
    assert "国有企业下不能设立乡（镇）" in text and "yunling.dev-group.property" in text
    assert "编码 yunling.economy 在文件中重复" in text


def test_plan_only_folder_cannot_be_loaded(app):
    with pytest.raises(TenantLoadError) as info:
        load(TENANTS / "xinzhou")
    assert "org.yaml" in str(info.value)
