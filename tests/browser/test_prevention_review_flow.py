"""Contract review in a real Chromium: a clerk submits a contract with a 垫资 clause and a 45-day term,
sees both flagged with their articles, fixes the terms, and sees the review turn clean."""

from __future__ import annotations

import pytest

from tests.browser.test_ledger_flow import login
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


def test_clerk_reviews_fixes_and_the_review_turns_clean(client, world, live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            login(page, live_server, "clerk_a1")
            page.goto(live_server + "/prevention/reviews")
            form = page.locator("#review-new")
            form.locator("input[name=title]").fill("甲一镇绿化养护合同")
            form.locator("input[name=counterparty]").fill("甲市园林有限公司")
            form.locator("select[name=category]").select_option("services")
            form.locator("input[name=payment_term_days]").fill("45")
            form.locator("input[name=advance_funding]").check()
            form.locator("button[type=submit]").click()

            verdict = page.locator("#review-verdict")
            expect(verdict).to_have_attribute("data-status", "problems")
            findings = page.locator("#findings")
            expect(findings.locator('[data-code="advance_funding"]')).to_contain_text("第八条")
            expect(findings.locator('[data-code="term_over_default"]')).to_contain_text("第九条")

            edit = page.locator("#review-edit")
            edit.locator("input[name=payment_term_days]").fill("30")
            edit.locator("input[name=advance_funding]").uncheck()
            edit.locator("button[type=submit]").click()
            expect(page.locator(".flash-success")).to_contain_text("未发现问题")
            expect(verdict).to_have_attribute("data-status", "clean")
            expect(page.locator("#no-findings")).to_be_visible()
            expect(page.locator("#review-sign")).to_be_visible()
            page.screenshot(path=str(SHOTS / "qingqian_prevention_review.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
