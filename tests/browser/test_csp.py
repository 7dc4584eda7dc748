"""The Content-Security-Policy in a real Chromium: our pages (ECharts dashboard, API docs, public forms)
run under it without a single violation, and an injected inline script is refused and reported."""

from __future__ import annotations

import pytest

from tests.browser.test_ledger_flow import login
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _require_chromium,
    ledger,
    live_server,
    watched_page,
)

__all__ = ["ledger", "live_server"]

pytestmark = pytest.mark.browser


def test_pages_run_under_the_policy_and_inline_script_is_refused(client, world, ledger, live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            login(page, live_server, "office_a")
            page.goto(live_server + "/")
            expect(page.locator("#chart-unit svg")).to_have_count(1)  # ECharts ran, from our origin
            page.goto(live_server + "/api/docs")
            expect(page.locator(".swagger-ui .info")).to_be_visible()  # Swagger UI started from a file
            page.goto(live_server + "/public/a/complaints/new")
            page.fill("#f-debtor", "甲")  # the moved form script still answers input
            assert errors == []

            # What an injected script would be: refused by the browser, and the watcher sees it.
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }"
            )
            page.wait_for_timeout(200)
            assert page.evaluate("() => window.__injected") is None
            assert any("Content Security Policy" in e for e in errors), errors
        finally:
            browser.close()
