"""Plugins add filters and badges to the debt list page through public hooks (``qingqian_debt_list_filters``,
``qingqian_debt_badges``); the filter narrows the page and its Excel export alike, only where enabled."""

from __future__ import annotations

import io

import openpyxl
import pytest

from core import create_app, hookimpl
from core.extensions import db
from core.models.debt import Debt
from core.web.debt_list import DebtBadge, DebtListFilter
from tests.conftest import debt_payload


class Marker:
    """Marks debts whose project name holds 道路 and filters on it; also tries to take a core key."""

    PLUGIN_NAME = "sample"  # the name jurisdiction a's plan enables

    @hookimpl
    def qingqian_debt_list_filters(self, tenant):
        return [
            DebtListFilter(
                "sample_road",
                "道路类",
                {"yes": "仅道路项目", "no": "非道路项目"},
                apply=lambda stmt, v: stmt.where(
                    Debt.project_name.like("%道路%") if v == "yes" else ~Debt.project_name.like("%道路%")
                ),
            ),
            DebtListFilter("status", "抢占核心筛选", {"x": "x"}, apply=lambda stmt, v: stmt.where(False)),
        ]

    @hookimpl
    def qingqian_debt_badges(self, tenant, debts):
        return {
            d.id: [DebtBadge("道路", title="道路项目", level="danger")]
            for d in debts
            if "道路" in d.project_name
        }


@pytest.fixture
def plugin_client(_app, app):
    config = dict(_app.config)
    config["QINGQIAN_LOAD_ENTRY_POINTS"] = False
    other = create_app(config, plugins=[Marker()])
    with other.app_context():
        yield other.test_client()
        db.session.remove()


def _add(client, world, user, **kw):
    r = client.post("/api/v1/debts", json=debt_payload(**kw), headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_plugin_filter_and_badge_on_the_list_and_export(plugin_client, world):
    c = plugin_client
    road = _add(c, world, "clerk_a1", project_name="景区道路维修工程")
    school = _add(c, world, "clerk_a1", project_name="学校食堂改造", contract_no="HT-2022-002")
    h = world.headers("clerk_a1")
    page = c.get("/debts", headers=h).get_data(as_text=True)
    assert 'data-testid="debt-filter-sample_road"' in page and "仅道路项目" in page
    # The core key stays the core's: the plugin filter that tried to take it is not offered.
    assert "抢占核心筛选" not in page
    assert page.count('data-testid="debt-badge"') == 1 and 'title="道路项目">道路<' in page
    only = c.get("/debts?sample_road=yes", headers=h).get_data(as_text=True)
    assert f"#{road}<" in only and f"#{school}<" not in only and 'value="yes" selected' in only
    other = c.get("/debts?sample_road=no", headers=h).get_data(as_text=True)
    assert f"#{school}<" in other and f"#{road}<" not in other
    bad = c.get("/debts?sample_road=maybe", headers=h).get_data(as_text=True)
    assert "道路类：“maybe”不是可选的值" in bad and f"#{road}<" in bad and f"#{school}<" in bad
    # A debt's own page carries its badges too.
    assert 'title="道路项目">道路<' in c.get(f"/debts/{road}", headers=h).get_data(as_text=True)
    assert 'data-testid="debt-badge"' not in c.get(f"/debts/{school}", headers=h).get_data(as_text=True)
    r = c.get("/debts/export.xlsx?sample_road=yes", headers=h)
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    ids = [row[1] for row in sheet.iter_rows(values_only=True) if isinstance(row[1], int)]
    assert ids == [road]


def test_not_shown_where_the_plugin_is_not_enabled(plugin_client, world):
    c = plugin_client
    road = _add(c, world, "clerk_b1", project_name="景区道路维修工程")
    page = c.get("/debts?sample_road=no", headers=world.headers("clerk_b1")).get_data(as_text=True)
    assert "debt-filter-sample_road" not in page and 'data-testid="debt-badge"' not in page
    assert f"#{road}<" in page  # the unknown key is ignored, nothing filtered out
