"""The declared plan schema: typos and bad values refused by name, the key reference, the resolved plan
with each value's source (CLI, API, page), and plugin keys declared by the plugins themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.tenancy.loader import TenantLoadError, load_tenant
from core.tenancy.plan_schema import build_schema, check_plan_data, current_schema, key, reference_markdown
from core.tenancy.plans import load_plan
from core.tenancy.scope import system_scope
from tests.conftest import needs_plugins

ROOT = Path(__file__).resolve().parent.parent
TENANTS = ROOT / "tenants"
# Every built-in plugin declares its keys in plugins/<name>/plan_keys.py.
BUILT_INS = {path.parent.name for path in (ROOT / "plugins").glob("*/plan_keys.py")}


@pytest.fixture
def tenants_copy(tmp_path) -> Path:
    for name in ("xinzhou", "wutaishan", "yunling"):
        shutil.copytree(TENANTS / name, tmp_path / name)
    return tmp_path


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def refused(folder: Path) -> str:
    with pytest.raises(TenantLoadError) as info, system_scope():
        load_tenant(folder)
    return "\n".join(info.value.errors)


def test_typo_in_a_rule_is_refused_naming_the_nearest_key(app, tenants_copy):
    text = (tenants_copy / "yunling" / "plan.yaml").read_text(encoding="utf-8")
    (tenants_copy / "yunling" / "plan.yaml").write_text(
        text.replace("  credit_code_strict: true", "  credit_code_strickt: true"), encoding="utf-8"
    )
    message = refused(tenants_copy / "yunling")
    assert "rules.credit_code_strickt：未知的方案键，最接近的是 rules.credit_code_strict" in message


@needs_plugins("ledger")
def test_typo_in_a_deadline_and_a_plugin_name_are_refused(app, tenants_copy):
    plan = tenants_copy / "yunling" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("  ledger_complete: 2024-04-30", "  ledger_completed: 2024-04-30")
    text = text.replace("plugins: [ledger, complaints]", "plugins: [ledger, complaintz]")
    plan.write_text(text, encoding="utf-8")
    message = refused(tenants_copy / "yunling")
    assert "deadlines.ledger_completed：未知的方案键，最接近的是 deadlines.ledger_complete" in message
    if "complaints" in current_schema().plugins:
        assert "plugins：未知插件 complaintz，最接近的是 complaints" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  all_cleared: 2024-12-31",
            "  all_cleared: 2024-12-32",
            "deadlines.all_cleared：值 '2024-12-32' 无效",
        ),
        (
            "  payment_term_days: 30",
            "  payment_term_days: thirty",
            "rules.payment_term_days：值 'thirty' 无效",
        ),
        (
            '  cleared_ratio: "0.90"',
            '  cleared_ratio: "1.5"',
            "targets.cleared_ratio：值 '1.5' 无效，应为比例",
        ),
        (
            "office_unit: yunling.economy",
            "office_unit: yunling.economy\ntimezone: Asia/Shangai",
            "timezone：",
        ),
        ("  days_before: [5, 1]", "  days_before: [5, -1]", "reminders.days_before：必须是正整数列表"),
    ],
)
def test_bad_values_are_refused_by_key(app, tenants_copy, old, new, expected):
    plan = tenants_copy / "yunling" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new), encoding="utf-8")
    assert expected in refused(tenants_copy / "yunling")


def test_a_year_file_is_checked_too(app, tenants_copy):
    (tenants_copy / "yunling" / "plan-2025.yaml").write_text(
        "rules:\n  late_interest_daily_rat: '0.0003'\n", encoding="utf-8"
    )
    message = refused(tenants_copy / "yunling")
    assert (
        "plan-2025.yaml：rules.late_interest_daily_rat："
        "未知的方案键，最接近的是 rules.late_interest_daily_rate" in message
    )


def test_nothing_is_written_when_the_plan_is_refused(app, tenants_copy):
    from core.extensions import db
    from core.tenancy.isolation import SKIP_FILTER
    from core.tenancy.models import TenantNode

    plan = tenants_copy / "yunling" / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("payment_term_days:", "payment_term_dayz:"), "utf-8"
    )
    assert "rules.payment_term_dayz：未知的方案键，最接近的是 rules.payment_term_days" in refused(plan.parent)
    with system_scope():
        assert (
            db.session.scalar(
                db.select(db.func.count()).select_from(TenantNode), execution_options={SKIP_FILTER: True}
            )
            == 0
        )


def test_a_plugin_this_installation_lacks_is_a_warning_and_its_keys_too():
    schema = build_schema([], [])
    findings = check_plan_data({"plugins": ["wages"], "rules": {"wages_bonus": True}}, schema)
    assert [f.level for f in findings] == ["warning", "warning"]
    assert "插件 wages 未安装" in str(findings[0]) and "wages_bonus" in str(findings[1])
    # ... but a near miss of a declared key stays an error even then.
    findings = check_plan_data({"plugins": ["wages"], "rules": {"payment_term_day": 30}}, schema)
    assert [(f.level, f.path) for f in findings if f.level == "error"] == [
        ("error", "rules.payment_term_day")
    ]
    assert "最接近的是 rules.payment_term_days" in findings[-1].message


def test_the_real_plans_load_with_any_single_built_in_plugin():
    import importlib

    for keep in [[], *[[name] for name in sorted(BUILT_INS)]]:
        declared = [(n, importlib.import_module(f"plugins.{n}.plan_keys").PLAN_KEYS) for n in keep]
        schema = build_schema(declared, keep)
        for tenant in ("xinzhou", "wutaishan", "yunling"):
            load_plan(TENANTS / tenant, schema=schema)  # raises PlanError on any error


def test_plugin_keys_come_from_the_plugins_with_their_defaults():
    schema = current_schema()
    assert schema.conflicts == []
    if "complaints" in schema.plugins:
        item = schema.keys["rules.complaint_result_days"]
        assert (item.plugin, item.default) == ("complaints", 30)
        assert schema.defaults()["rules"]["complaint_result_days"] == 30
    core_only = build_schema([], [])
    assert "complaint_result_days" not in core_only.defaults()["rules"]
    assert "disclosure_deadline" not in core_only.defaults()["rules"]
    assert not {"ledger_complete", "agreements_signed", "disclosure"} & set(core_only.labels("deadlines"))


def test_a_key_declared_twice_with_another_type_is_a_conflict():
    schema = build_schema(
        [("one", [key("rules.shared", "int", "甲")]), ("two", [key("rules.shared", "bool", "乙")])],
        ["one", "two"],
    )
    assert schema.keys["rules.shared"].plugin == "one"
    assert schema.conflicts == ["rules.shared: one / two"]


def test_document_keys_are_not_inherited(tenants_copy):
    append(tenants_copy / "xinzhou" / "plan.yaml", "\ndocument_no: 忻清欠办〔2023〕1号\n")
    plan = load_plan(tenants_copy / "wutaishan")
    assert plan["document_no"] == "台清欠办函【2023】4号"
    (tenants_copy / "wutaishan" / "plan.yaml").write_text(
        (tenants_copy / "wutaishan" / "plan.yaml")
        .read_text(encoding="utf-8")
        .replace("document_no: 台清欠办函【2023】4号\n", ""),
        encoding="utf-8",
    )
    assert "document_no" not in load_plan(tenants_copy / "wutaishan")
    assert load_plan(tenants_copy / "wutaishan")["year"] == 2023  # an inheriting key still comes down


def test_reference_page_is_up_to_date():
    schema = current_schema()
    if not set(schema.plugins) >= BUILT_INS:
        pytest.skip("the reference lists the keys of every built-in plugin")
    generated = reference_markdown(build_schema(
        [(p, k) for p, k in _declared_by_built_ins()], sorted(BUILT_INS)
    ))  # fmt: skip
    page = (ROOT / "docs" / "plan-keys.md").read_text(encoding="utf-8")
    assert page == generated, (
        "docs/plan-keys.md 已过期：运行 qingqian plan keys --markdown > docs/plan-keys.md"
    )
    for item in schema.keys.values():
        if item.kind != "system":
            assert f"`{item.path}`" in page


def _declared_by_built_ins():
    import importlib

    return [(n, importlib.import_module(f"plugins.{n}.plan_keys").PLAN_KEYS) for n in sorted(BUILT_INS)]


def test_first_load_says_the_plan_was_created_not_unchanged(app):
    """Regression: the first load of a new tenant printed 方案：…（无变化）."""
    with system_scope():
        first = load_tenant(TENANTS / "yunling")
        second = load_tenant(TENANTS / "yunling")
    assert "（新建）" in first.summary() and "（无变化）" not in first.summary()
    assert "（无变化）" in second.summary()


def test_load_prints_warnings_for_plugins_not_installed(app, tmp_path):
    # A copy of a real tenant whose plan also lists a plugin no installation has.
    shutil.copytree(TENANTS / "xinzhou", tmp_path / "xinzhou")
    folder = shutil.copytree(TENANTS / "wutaishan", tmp_path / "wutaishan")
    plan = folder / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("plugins: [ledger,", "plugins: [bulletin_board, ledger,"),
        encoding="utf-8",
    )
    with system_scope():
        report = load_tenant(folder)
    assert "警告：" in report.summary() and "插件 bulletin_board 未安装" in report.summary()


# --- The resolved plan with its sources ---------------------------------------------------------------


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_plan_show_names_the_source_of_each_value(app):
    with system_scope():
        load_tenant(TENANTS / "wutaishan")
    out = run(app, "plan", "show", "wutaishan", "--on", "2023-09-01")
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "继承链：默认值 → xinzhou → wutaishan" in out
    assert lines["rules.disclosure_deadline"].endswith("[继承自 xinzhou]")
    assert lines["rules.payment_term_days"].endswith("[本辖区方案]")
    assert lines["rules.receivable_confirmation_days"].endswith("[默认值]")
    assert "document_no" in lines


def test_plan_show_unknown_code_fails(app):
    result = app.test_cli_runner().invoke(args=["plan", "show", "nowhere"])
    assert result.exit_code != 0 and "找不到编码为 nowhere" in result.output


def test_plan_api_and_page_show_sources(app, client):
    from core.auth.models import ApiToken, RoleAssignment, User
    from core.extensions import db

    with system_scope():
        load_tenant(TENANTS / "wutaishan")
        from core.tenancy.service import find_by_code

        node = find_by_code("wutaishan")
        user = User(username="office", display_name="清欠办")
        user.set_password("secret-pass-1")
        db.session.add(user)
        db.session.flush()
        db.session.add(
            RoleAssignment(user_id=user.id, node_id=node.id, jurisdiction_id=node.id, role="office_admin")
        )
        row, token = ApiToken.issue(user, "test")
        db.session.add(row)
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/plan?on=2023-09-01", headers=headers).get_json()
    by_key = {e["key"]: e for e in body["entries"]}
    assert body["lineage"] == ["xinzhou", "wutaishan"]
    assert by_key["rules.disclosure_deadline"]["source"] == "inherited"
    assert by_key["rules.disclosure_deadline"]["source_label"] == "继承自 xinzhou"
    assert by_key["rules.late_interest_daily_rate"] == {
        "key": "rules.late_interest_daily_rate",
        "label": "逾期利息日利率（条例第十七条）",
        "plugin": "core",
        "value": "0.0005",
        "source": "own",
        "source_label": "本辖区方案",
    }
    assert by_key["rules.rule_sets"]["source"] == "default"
    bad = client.get("/api/v1/plan?on=2023-13-01", headers=headers)
    assert bad.status_code == 422 and "on" in bad.get_json()["errors"]
    keys = client.get("/api/v1/plan/keys", headers=headers).get_json()
    assert {"path": "rules.credit_code_strict", "plugin": "core"}.items() <= next(
        k for k in keys if k["path"] == "rules.credit_code_strict"
    ).items()

    from tests.test_web import login

    login(client, "office", "secret-pass-1")
    page = client.get("/plan?on=2023-09-01")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-key="rules.disclosure_deadline" data-source="inherited"' in html and "继承自 xinzhou" in html


@needs_plugins("ledger")
def test_qingqian_check_reports_a_typo_as_an_error_and_a_missing_plugin_once(app, tmp_path):
    from core.services.checks import check_tenants

    for name in ("xinzhou", "wutaishan"):
        folder = shutil.copytree(TENANTS / name, tmp_path / name)
        # Both plans list a plugin no installation has.
        plan = folder / "plan.yaml"
        text = plan.read_text(encoding="utf-8")
        plan.write_text(text.replace("[ledger,", "[bulletin_board, ledger,"), encoding="utf-8")
    import datetime as dt

    findings = check_tenants(tmp_path, dt.date(2023, 9, 1))
    accountability = [f for f in findings if "插件 bulletin_board 未安装" in f.message]
    # Both files list it; xinzhou's warning is not repeated for the plan inheriting it.
    assert sorted((f.level, Path(f.message.split("：")[0]).parent.name) for f in accountability) == [
        ("warning", "wutaishan"),
        ("warning", "xinzhou"),
    ]
    plan = tmp_path / "wutaishan" / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("wages_first:", "wages_frist:"), encoding="utf-8"
    )
    errors = [f.message for f in check_tenants(tmp_path, dt.date(2023, 9, 1)) if f.level == "error"]
    assert any("rules.wages_frist：未知的方案键，最接近的是 rules.wages_first" in m for m in errors), errors
