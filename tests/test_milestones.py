"""The dashboard's milestones: 已完成 when the work is done, 逾期未完成 only when not done and past due.

Whether the work is done is each plugin's answer (``qingqian_milestone_status``): the ledger's round, the
agreements on difficult debts, all debts cleared, the year's disclosure.
"""

from __future__ import annotations

import datetime as dt
import re

from core.clock import frozen
from core.extensions import db
from core.services.milestones import milestone_progress
from core.tenancy.models import TenantNode
from core.tenancy.plans import plan_for
from core.tenancy.scope import system_scope
from core.workdays import known_year
from tests.agreements.conftest import make_debt, nid
from tests.conftest import needs_plugins
from tests.test_web import login, text

NOW = "2026-10-10T02:00:00"  # 10 October 2026 in Beijing
DEADLINES = {
    "ledger_complete": "2026-08-25",
    "agreements_signed": "2026-08-31",
    "all_cleared": "2026-12-31",
    "disclosure": "2026-03-31",
    "site_visit": "2026-09-30",  # no plugin knows it
}


def _plan(world) -> None:
    with system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        a.plan = {
            **a.plan,
            "year": 2026,
            "plugins": ["ledger", "agreements", "disclosure"],
            "deadlines": DEADLINES,
            "deadline_labels": {"site_visit": "实地督导"},
        }
        db.session.commit()


def states(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-key="(\w+)" data-state="(\w+)"', page))


@needs_plugins("ledger", "agreements")
def test_met_and_missed_milestones_on_the_dashboard(app, client, world):
    _plan(world)
    h = world.headers("office_a")
    with frozen(app, NOW):
        # The year's round, reported by its only unit: the ledger milestone is met.
        r = client.post(
            "/api/v1/ledger/rounds",
            json={"name": "2026年台账", "as_of": "2026-08-01", "deadline": "2026-08-25",
                  "unit_ids": [nid(world, "a.town2")]},
            headers=h,
        )  # fmt: skip
        assert r.status_code == 201, r.json
        r = client.post(
            f"/api/v1/ledger/rounds/{r.json['id']}/submissions",
            json={"zero": True, "statement": "经全面排查，本镇无拖欠中小企业账款"},
            headers=world.headers("clerk_a2"),
        )
        assert r.status_code == 201, r.json
        # A difficult debt with no agreement: the agreements milestone is missed.
        debt = make_debt(client, world)
        r = client.put(
            f"/api/v1/agreements/debts/{debt['id']}/classification",
            json={"debt_class": "difficulty", "reason": "镇财政收入下降，资金暂时不足"},
            headers=world.headers("clerk_a1"),
        )
        assert r.status_code == 200, r.json
        api = client.get("/api/v1/dashboard", headers=h).json
        login(client, "office_a")
        page = text(client.get("/"))
    found = states(page)
    assert {m["key"]: m["state"] for m in api["milestones"]} == found  # the API says the same
    assert api["plan"] == {"name": "甲方案", "year": 2026}
    # Ninety days on from 10 October reach 2027: flagged unless the holidays package already has it.
    assert api["calendar_missing"] == ([] if known_year(2027) else [2027])
    assert found == {
        "disclosure": "late",  # 2025's figures were never published
        "ledger_complete": "done",
        "agreements_signed": "late",
        "site_visit": "past",
        "all_cleared": "open",
    }
    assert "已完成" in page and "逾期未完成" in page and "剩余 82 天" in page
    assert "已过期" not in page  # the old wording that painted met milestones red
    assert "0/1 笔已签协议" in page and "1/1个单位已报送" in page


@needs_plugins("disclosure", "agreements")
def test_a_published_disclosure_and_no_difficult_debts_are_met(app, client, world):
    from plugins.disclosure.annual.service import publish

    _plan(world)
    with frozen(app, NOW), system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        publish(a, 2025, actor=None, today=dt.date(2026, 3, 20))
        db.session.commit()
        rows = {m["key"]: m for m in milestone_progress(a, plan_for(a), dt.date(2026, 10, 10))}
    assert rows["disclosure"]["state"] == "done" and rows["disclosure"]["status"] == "已完成"
    assert rows["agreements_signed"]["state"] == "done"  # nothing difficult to agree on
    assert rows["ledger_complete"]["state"] == "late"  # no round this year
    assert "2026年尚未在该节点前发起填报轮次" in rows["ledger_complete"]["detail"]
