"""Plans by year: a year's plan inherits the previous one with its deadlines moved forward, overrides what
it names, and the plan in force on a date sets every deadline (classification, rounds, reminders,
disclosure). One test per rule."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from core.clock import frozen
from core.extensions import db
from core.tenancy.loader import load_tenant
from core.tenancy.models import TenantNode
from core.tenancy.plans import PlanError, load_plan, plan_for, plan_on
from core.tenancy.scope import system_scope
from core.tenancy.service import find_by_code
from tests.agreements.conftest import make_debt
from tests.conftest import needs_plugins

TENANTS = Path(__file__).resolve().parent.parent / "tenants"
D = dt.date.fromisoformat

PLAN_2026 = """\
name: 五台山风景名胜区防范和化解拖欠中小企业账款2026年工作方案
document_no: 台清欠办函【2026】2号
deadlines:
  ledger_complete: 2026-09-15
  disclosure: ~
"""


@pytest.fixture
def tenants(tmp_path) -> Path:
    for name in ("xinzhou", "wutaishan", "yunling"):
        shutil.copytree(TENANTS / name, tmp_path / name)
    return tmp_path


def test_a_year_file_inherits_the_previous_year_with_its_dates_moved_forward(tenants):
    (tenants / "wutaishan" / "plan-2026.yaml").write_text(PLAN_2026, encoding="utf-8")
    plan = load_plan(tenants / "wutaishan")
    # The 2023 plan stays as it was, as history.
    assert plan["year"] == 2023 and plan["deadlines"]["agreements_signed"] == "2023-08-31"
    year = plan["years"]["2026"]
    assert year["year"] == 2026 and year["inherited_from"] == 2023
    assert year["document_no"] == "台清欠办函【2026】2号"
    assert year["deadlines"] == {
        "ledger_complete": "2026-09-15",  # overridden
        "agreements_signed": "2026-08-31",  # carried forward three years
        "all_cleared": "2026-10-31",
    }  # disclosure removed with ~
    assert year["targets"]["cleared_ratio_by"] == "2026-10-31" and year["targets"]["cleared_ratio"] == "1.00"
    assert year["rules"] == plan["rules"] and year["plugins"] == plan["plugins"]


def test_an_unnamed_year_takes_the_previous_name_with_its_year_and_drops_its_document_number(tenants):
    (tenants / "wutaishan" / "plan-2027.yaml").write_text("deadlines: {all_cleared: 2027-11-30}\n")
    year = load_plan(tenants / "wutaishan")["years"]["2027"]
    assert year["name"] == "五台山风景名胜区防范和化解拖欠中小企业账款2027年工作方案"
    assert "document_no" not in year and "issued_on" not in year
    assert year["deadlines"]["all_cleared"] == "2027-11-30"
    assert year["deadlines"]["disclosure"] == "2028-03-31"


def test_years_chain_each_on_the_one_before(tenants):
    folder = tenants / "wutaishan"
    (folder / "plan-2026.yaml").write_text(PLAN_2026, encoding="utf-8")
    (folder / "plan-2027.yaml").write_text("rules: {payment_term_days: 20}\n")
    years = load_plan(folder)["years"]
    assert years["2027"]["deadlines"]["ledger_complete"] == "2027-09-15"  # 2026's override, moved on
    assert "disclosure" not in years["2027"]["deadlines"]
    assert years["2027"]["rules"]["payment_term_days"] == 20
    assert years["2026"]["rules"]["payment_term_days"] == 30


def test_a_years_mapping_in_plan_yaml_works_like_a_year_file(tenants):
    path = tenants / "yunling" / "plan.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\nyears:\n  2026:\n    deadlines: {ledger_complete: 2026-05-31}\n",
        encoding="utf-8",
    )
    plan = load_plan(tenants / "yunling")
    assert plan["year"] == 2024  # no `year:`: the year of its earliest deadline
    assert plan["years"]["2026"]["deadlines"]["ledger_complete"] == "2026-05-31"
    assert plan["years"]["2026"]["deadlines"]["all_cleared"] == "2026-12-31"


def test_a_parent_plans_year_reaches_the_child(tenants):
    (tenants / "xinzhou" / "plan-2026.yaml").write_text("deadlines: {all_cleared: 2026-12-31}\n")
    year = load_plan(tenants / "wutaishan")["years"]["2026"]
    assert year["deadlines"]["all_cleared"] == "2026-12-31"  # the city's 2026 requirement
    assert year["deadlines"]["agreements_signed"] == "2026-08-31"  # the scenic area's own, carried forward


def test_a_bad_year_plan_names_its_file(tenants):
    (tenants / "wutaishan" / "plan-2026.yaml").write_text("deadlines: {ledger_complete: 下个月}\n")
    with pytest.raises(PlanError) as exc:
        load_plan(tenants / "wutaishan")
    assert exc.value.path.endswith("plan-2026.yaml") and "ledger_complete" in str(exc.value)


def test_the_plan_in_force_is_the_latest_year_not_after_the_date(tenants):
    (tenants / "wutaishan" / "plan-2026.yaml").write_text(PLAN_2026, encoding="utf-8")
    plan = load_plan(tenants / "wutaishan")
    assert plan_on(plan, D("2022-06-01"))["year"] == 2023  # before the first year: the first plan
    assert plan_on(plan, D("2023-08-01"))["year"] == 2023
    assert plan_on(plan, D("2025-12-31"))["year"] == 2023  # no 2024/2025 plan: 2023's stays in force
    assert plan_on(plan, D("2026-01-01"))["year"] == 2026
    assert plan_on(plan, D("2030-01-01"))["year"] == 2026


def test_plan_for_follows_the_clock_and_takes_a_date(app, tenants):
    (tenants / "wutaishan" / "plan-2026.yaml").write_text(PLAN_2026, encoding="utf-8")
    with system_scope():
        load_tenant(tenants / "wutaishan")
        node = find_by_code("wutaishan.taihuai")  # a unit: the plan is its jurisdiction's
        # 2025-12-31 17:00 UTC is 2026-01-01 01:00 in Beijing: the business date decides the year.
        with frozen(app, "2025-12-31T17:00:00"):
            assert plan_for(node)["year"] == 2026
        with frozen(app, "2025-12-31T15:00:00"):
            assert plan_for(node)["year"] == 2023
        assert plan_for(node, on=D("2023-09-01"))["deadlines"]["all_cleared"] == "2023-10-31"


# --- The deadlines the product computes come from the year's plan ----------------------------------


def _years_plan(world, plugins: list[str]) -> None:
    """Jurisdiction a: Wutaishan's 2023 plan and a 2026 one (agreements 2026-09-30, ledger 2026-09-15)."""
    plan = load_plan(
        TENANTS / "wutaishan", extra_years={2026: {"deadlines": {"agreements_signed": "2026-09-30"}}}
    )
    plan["years"]["2026"]["deadlines"]["ledger_complete"] = "2026-09-15"
    plan["plugins"] = plugins
    for year in plan["years"].values():
        year["plugins"] = plugins
    with system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        a.plan = plan
        db.session.commit()


@needs_plugins("agreements")
def test_classification_takes_the_agreement_deadline_of_the_year_it_is_confirmed(app, client, world):
    _years_plan(world, ["agreements"])
    url = "/api/v1/agreements/debts/{}/classification"
    body = {"debt_class": "difficulty", "reason": "镇财政收入下降，资金暂时不足"}
    with frozen(app, "2026-09-01T02:00:00"):
        debt = make_debt(client, world)
        r = client.put(url.format(debt["id"]), json=body, headers=world.headers("clerk_a1"))
        assert r.status_code == 200, r.json
        assert r.json["agreement_by"] == "2026-09-30" and r.json["pay_by"] == "2026-10-31"
        # Confirmed back in 2023: the 2023 plan's deadline still governs it.
        r = client.put(
            url.format(debt["id"]),
            json={**body, "confirmed_on": "2023-08-20"},
            headers=world.headers("clerk_a1"),
        )
        assert r.json["agreement_by"] == "2023-08-31"


@needs_plugins("ledger")
def test_a_round_defaults_to_this_years_ledger_deadline_and_never_to_a_past_one(app, client, world):
    _years_plan(world, ["ledger"])
    headers = world.headers("office_a")
    with frozen(app, "2026-08-01T02:00:00"):
        r = client.post("/api/v1/ledger/rounds", json={"name": "2026年台账"}, headers=headers)
        assert r.status_code == 201, r.json
        assert r.json["deadline"] == "2026-09-15"
    with frozen(app, "2026-10-01T02:00:00"):
        # The year's deadline has passed: nothing is pre-filled, and the error says why.
        r = client.post("/api/v1/ledger/rounds", json={"name": "补报"}, headers=headers)
        assert r.status_code == 409 and "已过" in r.json["errors"]["deadline"][0]  # a rule of today's date


def test_deadline_reminders_follow_the_years_plan(app, client, world):
    from tests.ledger.test_rounds_support import run_job

    _years_plan(world, ["ledger"])
    result = run_job("deadline_reminders", world, today="2026-09-08")
    assert result["deadlines"] == ["ledger_complete"]  # 7 days before 2026-09-15
    assert run_job("deadline_reminders", world, today="2023-08-18")["deadlines"] == ["ledger_complete"]


def test_disclosure_deadline_comes_from_the_reported_years_plan(app, world):
    from plugins.disclosure.annual import service

    _years_plan(world, ["disclosure"])
    with system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        assert service.deadline(service.year_plan(a, 2023), 2023) == D("2024-03-31")
        assert service.deadline(service.year_plan(a, 2026), 2026) == D("2027-03-31")
        a.plan = {
            **a.plan,
            "years": {"2026": {**a.plan["years"]["2026"], "deadlines": {"disclosure": "2027-03-15"}}},
        }
        assert service.deadline(service.year_plan(a, 2026), 2026) == D("2027-03-15")
