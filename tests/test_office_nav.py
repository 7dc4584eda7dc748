"""Navigation by permission and filter errors people can read (issue 14, points 6 and 7)."""

from __future__ import annotations

import re

import pytest

from core.web.views import active_nav_index
from tests.conftest import needs_plugins
from tests.test_web import login, text


def nav_labels(page: str) -> list[str]:
    nav = page.split('aria-label="主导航"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def active_labels(page: str) -> list[str]:
    nav = page.split('aria-label="主导航"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a [^>]*class="active"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize("username", ["clerk_a1", "head_a1", "leader_a", "auditor_a", "soe_a"])
def test_technical_pages_are_hidden_and_refused_for_working_roles(client, world, username):
    login(client, username)
    labels = nav_labels(text(client.get("/")))
    assert "后台作业" not in labels and "功能模块" not in labels and "插件" not in labels
    assert client.get("/jobs").status_code == 403
    assert client.get("/plugins").status_code == 403


def test_office_admin_sees_technical_pages_by_chinese_names(client, world):
    login(client, "office_a")
    labels = nav_labels(text(client.get("/")))
    assert "后台作业" in labels and "功能模块" in labels


@needs_plugins("ledger")
def test_plugins_page_names_plugins_in_chinese(client, world):
    login(client, "office_a")
    page = text(client.get("/plugins"))
    assert "<code>ledger</code>" not in page and "台账" in page


@pytest.mark.parametrize("username", ["clerk_a1", "head_a1", "leader_a", "auditor_a"])
def test_tenant_pages_refused_to_those_who_cannot_manage_units(client, world, username):
    login(client, username)
    assert "单位管理" not in nav_labels(text(client.get("/")))
    assert client.get("/tenants").status_code in (403, 404)


@pytest.mark.parametrize("username", ["leader_a", "auditor_a"])
def test_readers_do_not_get_the_import_page_in_the_menu(client, world, username):
    login(client, username)
    labels = nav_labels(text(client.get("/")))
    assert "台账导入" not in labels and "欠款台账" in labels


@needs_plugins("ledger")
def test_clerk_still_gets_the_import_page(client, world):
    login(client, "clerk_a1")
    assert "台账导入" in nav_labels(text(client.get("/")))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/debts",
        pytest.param("/complaints/board", marks=needs_plugins("complaints")),
        pytest.param("/complaints", marks=needs_plugins("complaints")),
        pytest.param("/ledger/rounds", marks=needs_plugins("ledger")),
    ],
)
def test_exactly_one_menu_item_is_active(client, world, path):
    login(client, "office_a")
    page = client.get(path)
    assert page.status_code == 200, path
    assert len(active_labels(text(page))) == 1, (path, active_labels(text(page)))


def test_longest_matching_link_wins():
    hrefs = ["/", "/complaints", "/complaints/board", "/debts"]
    assert active_nav_index(hrefs, "/complaints/board") == 2
    assert active_nav_index(hrefs, "/complaints/7") == 1
    assert active_nav_index(hrefs, "/") == 0
    assert active_nav_index(hrefs, "/elsewhere") is None


def test_bad_filter_names_the_field_and_the_choices_in_chinese(client, world):
    login(client, "office_a")
    page = text(client.get("/debts?status=bogus&category=nope"))
    assert "状态：“bogus”不是可选的值，可选：" in page
    assert "待核实" in page and "to_verify" not in page.split("筛选条件有误", 1)[1].split("</div>", 1)[0]
    assert "{0:" not in page
    assert "欠款类别：“nope”不是可选的值" in page or "类别：“nope”不是可选的值" in page
