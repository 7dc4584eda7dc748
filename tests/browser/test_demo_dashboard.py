"""The demo in a real Chromium: its dashboard, on the demo's own plan for the current year, shows milestones
that were met (已完成, not red) next to ones that were missed (逾期未完成) and ones still ahead."""

from __future__ import annotations

import re

import pytest

from core.clock import frozen
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)

__all__ = ["live_server"]

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    with frozen(app, "2026-06-15T02:00:00"):
        result = app.test_cli_runner().invoke(args=["demo", "--debts", "60", "--seed", "3", "--skip-migrate"])
        assert result.exit_code == 0, (result.output, result.exception)
        yield


def test_the_demo_dashboard_shows_met_and_missed_milestones(demo, live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            page.goto(live_server + "/login")
            page.fill("input[name=username]", "wts_office")
            page.fill("input[name=password]", "wts-office-2023")
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"^(?!.*/login)"))
            expect(page.locator("h1")).to_have_text("工作台")
            expect(page.locator(".page-head")).to_contain_text("2026年工作方案")

            rows = page.locator("table.deadlines tr.milestone")
            expect(rows).to_have_count(4)
            met = page.locator('tr.milestone[data-key="ledger_complete"]')
            expect(met).to_have_attribute("data-state", "done")
            expect(met).to_contain_text("已完成")
            expect(met).to_contain_text("2026年5月16日")
            color = met.locator("td").last.evaluate("td => getComputedStyle(td).color")
            assert color == "rgb(46, 125, 50)"  # --good, not the red of a missed deadline
            missed = page.locator('tr.milestone[data-key="agreements_signed"]')
            expect(missed).to_have_attribute("data-state", "late")
            expect(missed).to_contain_text("逾期未完成（已过 10 天）")
            expect(page.locator('tr.milestone[data-key="all_cleared"]')).to_contain_text("剩余 60 天")
            expect(page.locator("table.deadlines")).not_to_contain_text("已过期")
            expect(page.locator(".plan-year")).to_have_count(0)  # the demo has this year's plan
            page.screenshot(path=str(SHOTS / "qingqian_demo_milestones.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
