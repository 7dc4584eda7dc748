"""Each role's to-do list on the demo, in a real Chromium: the expected items are there and each link leads
to the page where the thing is done (issue 14, point 3). The head sends the township's ledger back (退回),
which puts 报送台账 on the clerk's list; the clerk's link opens the round with the submit form."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_demo_dashboard import demo
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)

__all__ = ["demo", "live_server"]

pytestmark = pytest.mark.browser

PASSWORDS = {
    "wts_office": "wts-office-2023",
    "wts_clerk": "wts-clerk-2023",
    "wts_head": "wts-head-2023",
    "wts_soe": "wts-soe-2023",
    "wts_leader": "wts-leader-2023",
}


def _login(browser, base: str, user: str, errors: list[str]):
    page = watched_page(browser, errors)
    page.goto(base + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))
    return page


def _item(page, text: str):
    """The to-do item whose label contains ``text``."""
    return page.locator('[data-testid="todo"] li.todo-item').filter(has_text=text)


def _follow(page, text: str) -> None:
    item = _item(page, text)
    shown = page.locator("[data-testid=todo]").all_inner_texts()
    assert item.count() >= 1, f"no to-do item with {text!r}: {shown}"
    item.first.locator("a.btn").click()
    page.wait_for_load_state()


@pytest.mark.usefixtures("demo")
def test_each_roles_to_do_list_holds_its_items_and_links_to_the_action(live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        errors: list[str] = []
        try:
            # Office: units late with the ledger, complaints near their deadline.
            page = _login(browser, live_server, "wts_office", errors)
            expect(_item(page, "个单位尚未报送台账")).to_have_count(1)
            expect(_item(page, "待转办：")).not_to_have_count(0)
            expect(_item(page, "个单位尚未报送台账").locator(".deadline")).to_have_count(1)
            page.screenshot(path=str(SHOTS / "qingqian_todo_office.png"), full_page=True)
            _follow(page, "个单位尚未报送台账")
            expect(page).to_have_url(re.compile(r"/ledger/rounds/\d+$"))
            expect(page.locator('#board tr[data-state="missing"]')).not_to_have_count(0)
            page.goto(live_server + "/")
            _follow(page, "待转办：")
            expect(page).to_have_url(re.compile(r"/complaints/\d+$"))
            page.close()

            # Head: the township's submission to sign or send back; sends it back with a reason.
            page = _login(browser, live_server, "wts_head", errors)
            expect(_item(page, "待签认：台怀镇人民政府")).to_have_count(1)
            page.screenshot(path=str(SHOTS / "qingqian_todo_head.png"), full_page=True)
            _follow(page, "待签认：台怀镇人民政府")
            expect(page).to_have_url(re.compile(r"/ledger/submissions/\d+$"))
            expect(page.locator("#signoff-submit")).to_be_visible()
            page.locator("#send-back textarea[name=reason]").fill("项目名称缺漏，请补全后重报")
            page.click("#send-back-submit")
            page.wait_for_load_state()
            back = page.locator('#board tr[data-unit="wutaishan.taihuai"]')
            expect(back).to_have_attribute("data-state", "missing")
            expect(back).to_contain_text("曾退回 1 次")
            page.goto(live_server + "/")
            expect(_item(page, "待签认：台怀镇人民政府")).to_have_count(0)
            page.close()

            # Clerk: the ledger to submit again; the link opens the round where the submit form is.
            page = _login(browser, live_server, "wts_clerk", errors)
            expect(_item(page, "报送台账：台怀镇人民政府")).to_have_count(1)
            page.screenshot(path=str(SHOTS / "qingqian_todo_clerk.png"), full_page=True)
            _follow(page, "报送台账：台怀镇人民政府")
            expect(page).to_have_url(re.compile(r"/ledger/rounds/\d+$"))
            row = page.locator('#board tr[data-unit="wutaishan.taihuai"]')
            expect(row).to_have_attribute("data-state", "missing")
            expect(row.locator("details.submit-box summary")).to_have_text("报送")
            page.close()

            # SOE group: subsidiaries with overdue debts; the link lists exactly those.
            page = _login(browser, live_server, "wts_soe", errors)
            expect(_item(page, "子企业有逾期未付欠款")).to_have_count(1)
            page.screenshot(path=str(SHOTS / "qingqian_todo_soe.png"), full_page=True)
            _follow(page, "子企业有逾期未付欠款")
            expect(page).to_have_url(re.compile(r"/debts\?.*overdue=true"))
            expect(page.locator('[data-testid="filter-total"]')).to_contain_text("共")
            expect(page.locator("table.debts-table tbody td.late")).not_to_have_count(0)
            page.close()

            # Leader: the numbers (both 清偿率 scopes named) and the ranking.
            page = _login(browser, live_server, "wts_leader", errors)
            numbers = _item(page, "清偿率（已确认欠款）")
            expect(numbers).to_have_count(1)
            expect(numbers).to_contain_text("清偿率（全部欠款）")
            expect(_item(page, "排名靠后")).to_have_count(1)
            expect(_item(page, "排名靠后")).not_to_contain_text("本级")
            page.screenshot(path=str(SHOTS / "qingqian_todo_leader.png"), full_page=True)
            _follow(page, "排名靠后")
            expect(page.locator("#by-unit")).to_be_in_viewport()
            page.goto(live_server + "/")
            _follow(page, "清偿率（已确认欠款）")
            expect(page).to_have_url(re.compile(r"/debts\?.*overdue=true"))
            page.close()
            assert errors == []
        finally:
            browser.close()
