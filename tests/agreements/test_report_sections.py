"""Sections other plugins add to the progress report (``qingqian_report_sections``)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import clock, hookimpl
from core.extensions import db
from core.tenancy.scope import system_scope
from core.web.nav import ReportSection
from tests.complaints.conftest import filing
from tests.conftest import registered

PAGE = "/agreements/progress"


def enable(world, *plugins: str) -> None:
    with system_scope():
        a = world.node("a")
        kept = [p for p in a.plan["plugins"] if p not in ("ledger", "complaints")]
        a.plan = {**a.plan, "plugins": [*kept, *plugins]}
        db.session.commit()


def page(client, world, user: str = "office_a") -> str:
    r = client.get(PAGE, headers=world.headers(user))
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_ledger_and_complaints_report_into_the_progress_page(client, aw):
    enable(aw, "ledger", "complaints")
    deadline = (clock.today() + dt.timedelta(days=10)).isoformat()
    r = client.post(
        "/api/v1/ledger/rounds",
        json={"name": "第一轮摸排", "deadline": deadline},
        headers=aw.headers("office_a"),
    )
    assert r.status_code == 201, r.json
    rnd = r.json
    sub = f"/api/v1/ledger/rounds/{rnd['id']}/submissions"
    assert client.post(sub, json={}, headers=aw.headers("clerk_a1")).status_code == 201
    assert client.post("/api/v1/public/complaints", json=filing()).status_code == 201

    html = page(client, aw)
    assert "台账报送情况" in html and "第一轮摸排" in html
    units = int(html.split('data-key="units">')[1].split("<")[0])
    assert units >= 2
    assert 'data-key="awaiting">1<' in html and f'data-key="missing">{units - 1}<' in html
    assert "线索投诉办理情况" in html and 'data-key="received">1<' in html
    # Ledger first (order 10), complaints second (20).
    assert html.index("台账报送情况") < html.index("线索投诉办理情况")


def test_no_sections_from_plugins_the_jurisdiction_has_not_enabled(client, aw):
    enable(aw)
    html = page(client, aw)
    assert "台账报送情况" not in html and "线索投诉办理情况" not in html


class SectionPlugin:
    PLUGIN_NAME = "sectiontest"

    @hookimpl
    def qingqian_report_sections(self, tenant, report):
        def broken(**context):
            raise RuntimeError("坏掉的章节")

        return [
            ReportSection("坏章节", broken, order=1),
            ReportSection(
                "仅清欠办可见", lambda **c: f"<p>截至{c['as_of']:%Y}年</p>", permission="ledger.rounds.manage"
            ),
        ]


@pytest.fixture
def sections(app, aw):
    with registered(app, SectionPlugin()):
        with system_scope():
            a = aw.node("a")
            a.plan = {**a.plan, "plugins": [*a.plan["plugins"], "sectiontest"]}
            db.session.commit()
        yield aw


def test_a_failing_section_is_left_out_and_permissions_apply(client, sections):
    enable(sections, "ledger")  # keeps sectiontest, enabled by the fixture
    office = page(client, sections)
    assert "坏章节" not in office and "仅清欠办可见" in office and f"截至{clock.today():%Y}年" in office
    assert "台账报送情况" in office  # the others still render
    assert "仅清欠办可见" not in page(client, sections, "clerk_a1")
