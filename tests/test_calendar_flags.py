"""A deadline in a year without a holiday calendar is Monday–Friday and flagged, never silently: in the API,
as a banner for the office, and as a ``qingqian check`` warning."""

from __future__ import annotations

import pytest

from core.clock import frozen
from core.extensions import db
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from tests.complaints.conftest import cworld, filing
from tests.conftest import needs_plugins
from tests.test_web import login, text

__all__ = ["cworld"]

LATE_DECEMBER = "2099-12-20T02:00:00"  # ten working days later is in 2100, which has no calendar


@pytest.fixture
def calendars(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "TENANTS_DIR", str(tmp_path))
    (tmp_path / "_calendars").mkdir()
    return tmp_path / "_calendars"


def _complaint_detail(client, world) -> dict:
    r = client.application.test_client().post("/api/v1/public/complaints", json=filing())  # no session
    assert r.status_code == 201, r.json
    with system_scope():
        from plugins.complaints.models import Complaint

        complaint_id = db.session.scalar(db.select(Complaint.id).order_by(Complaint.id.desc()))
    r = client.get(f"/api/v1/complaints/{complaint_id}", headers=world.headers("office_a"))
    assert r.status_code == 200, r.json
    return r.json


@needs_plugins("complaints")
def test_complaint_transfer_due_in_a_calendarless_year_is_flagged(app, client, cworld, calendars):
    (calendars / "2099.yaml").write_text("holidays: [2099-12-25]\n", encoding="utf-8")
    with frozen(app, LATE_DECEMBER):
        body = _complaint_detail(client, cworld)
        assert body["transfer_due"] == "2100-01-04" and body["transfer_due_calendar_missing"] == [2100]
        login(client, "office_a")
        page = text(client.get(f"/complaints/{body['id']}"))
        assert "转办期限按周一至周五估算" in page and "2100年" in page
    with frozen(app, "2099-06-01T02:00:00"):
        assert _complaint_detail(client, cworld)["transfer_due_calendar_missing"] == []


def test_the_office_sees_a_banner_for_a_coming_year_without_a_calendar(app, client, world, calendars):
    with frozen(app, LATE_DECEMBER):
        login(client, "office_a")
        page = text(client.get("/"))
        assert "calendar-missing" in page and "2100年的法定节假日安排尚未收录" in page
        clerk = app.test_client()
        login(clerk, "clerk_a1")  # a unit's clerk cannot add calendars: no banner
        assert "calendar-missing" not in text(clerk.get("/"))
        soe = app.test_client()
        login(soe, "soe_a")  # nor can an SOE group's administrator
        assert "calendar-missing" not in text(soe.get("/"))
    with frozen(app, "2099-06-01T02:00:00"):
        (calendars / "2099.yaml").write_text("holidays: []\n", encoding="utf-8")
        assert "calendar-missing" not in text(client.get("/"))


def test_qingqian_check_warns_and_fails_only_on_errors(app, calendars):
    import shutil
    from pathlib import Path

    tenants = Path(__file__).resolve().parent.parent / "tenants"
    for name in ("xinzhou", "wutaishan"):
        shutil.copytree(tenants / name, calendars.parent / name)
    runner = app.test_cli_runner()
    with frozen(app, "2099-12-01T02:00:00"):
        result = runner.invoke(args=["check"])
        assert result.exit_code == 0, result.output
        assert "警告：wutaishan：没有 2099 年工作方案，目前沿用 2023 年方案的时间节点" in result.output
        assert "2100 年没有节假日日历" in result.output
        (calendars.parent / "wutaishan" / "plan-2099.yaml").write_text(
            "deadlines: {all_cleared: 2100-06-30}\n"
        )
        result = runner.invoke(args=["check"])
        assert "没有 2099 年工作方案" not in result.output
        assert "wutaishan：2100 年没有节假日日历（时间节点 2100年3月31日、2100年6月30日）" in result.output
        (calendars / "2100.yaml").write_text("holidays: [2101-01-01]\n", encoding="utf-8")
        result = runner.invoke(args=["check"])
        assert result.exit_code == 1 and "错误：" in result.output and "2100.yaml" in result.output


def test_plan_deadline_in_a_calendarless_year_reaches_the_banner(app, client, world, calendars):
    with system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        a.plan = {**a.plan, "year": 2099, "deadlines": {"all_cleared": "2101-03-31"}}
        db.session.commit()
    with frozen(app, "2099-03-01T02:00:00"):
        (calendars / "2099.yaml").write_text("holidays: []\n", encoding="utf-8")
        login(client, "office_a")
        assert "2101年的法定节假日安排尚未收录" in text(client.get("/"))
