"""The disclosure path in a real Chromium: the office publishes last year's figures from its page, then
anyone opens the public page on a phone and reads them (pattern of test_ledger_flow.py)."""

from __future__ import annotations

import pytest

from core import clock
from tests.browser.test_ledger_flow import login
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)
from tests.conftest import debt_payload

__all__ = ["live_server"]

pytestmark = pytest.mark.browser


def test_office_publishes_and_the_public_reads_it_on_a_phone(client, world, live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    year = clock.today().year - 1
    body = debt_payload(unit_id=world.nodes["a.town1"].id, amount_owed="123456.78")
    body["delivery_date"] = f"{year}-03-01"
    assert client.post("/api/v1/debts", json=body, headers=world.headers("office_a")).status_code == 201

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            office = watched_page(browser, errors)
            login(office, live_server, "office_a")
            office.goto(live_server + "/disclosure")
            expect(office.locator("#disclosure-status")).to_have_attribute("data-published", "0")
            expect(office.locator("[data-key=count]")).to_have_text("1")
            office.locator("#disclosure-publish button[type=submit]").click()
            expect(office.locator(".flash-success")).to_contain_text(f"已公开{year}年度数据（第 1 版）")
            expect(office.locator("#disclosure-status")).to_have_attribute("data-published", "1")
            expect(office.locator("#disclosure-docx")).to_be_visible()

            phone = watched_page(browser, errors, **pw.devices["iPhone 12"])
            phone.goto(live_server + "/public/a/disclosure")
            section = phone.locator(f'.disclosure-year[data-year="{year}"]')
            expect(section.locator("[data-key=count]")).to_have_text("1")
            expect(section.locator("[data-key=amount]")).to_have_text("123,456.78")
            expect(section).to_contain_text("甲一镇人民政府")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= phone.viewport_size["width"], "the public page scrolls sideways on a phone"
            phone.screenshot(path=str(SHOTS / "qingqian_disclosure_public.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
