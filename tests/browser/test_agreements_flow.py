"""In a real Chromium: record a repayment agreement with installments, pay one, and watch progress move."""

from __future__ import annotations

import re

import pytest

from core import clock
from tests.agreements.conftest import make_debt, set_agreements
from tests.browser.test_shell import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)

pytestmark = pytest.mark.browser


def test_agreement_installment_payment_moves_progress(client, world, live_server):  # noqa: F811
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    set_agreements(world)
    debt = make_debt(client, world, amount_owed="80000.00", project_name="游客步道修缮工程")
    as_of = clock.today().isoformat()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            page.goto(live_server + "/login")
            page.fill("input[name=username]", "clerk_a1")
            page.fill("input[name=password]", "secret-pass-1")
            page.click("button[type=submit]")

            page.goto(live_server + f"/agreements/progress?as_of={as_of}")
            expect(page.locator("#cleared-ratio")).to_have_text("0.00%")
            expect(page.locator("#chart-burndown svg")).to_have_count(1)

            page.click("nav.sidenav >> text=还款协议")
            page.click("#new-agreement")
            page.select_option("select[name=debt_id]", value=str(debt["id"]))
            page.fill("input[name=agreed_amount]", "80000")
            page.fill("input[name=signed_on]", "2023-08-28")
            page.fill("input[aria-label='第1期日期']", "2023-09-15")
            page.fill("input[aria-label='第1期金额']", "30000")
            page.fill("input[aria-label='第2期日期']", "2023-10-20")
            page.fill("input[aria-label='第2期金额']", "50000")
            page.click("#agreement-form button[type=submit]")
            expect(page).to_have_url(re.compile(r"/agreements/agreements/\d+$"))
            expect(page.locator("#agreement-status")).to_have_text("履行中")
            first = page.locator("#installments tr[data-seq='1']")
            first.locator("input[name=paid_on]").fill("2023-09-12")
            first.locator("button[type=submit]").click()
            expect(page.locator(".flash-success")).to_contain_text("第1期付款已登记")
            expect(first.locator(".installment-status")).to_have_text("已付清")
            page.screenshot(path=str(SHOTS / "qingqian_agreement.png"), full_page=True)

            page.click("nav.sidenav >> text=化解进度")
            page.goto(live_server + f"/agreements/progress?as_of={as_of}")
            expect(page.locator("#cleared-ratio")).to_have_text("37.50%")  # 30 000 / 80 000
            expect(page.locator("#cleared-amount")).to_have_text("3.00")
            page.screenshot(path=str(SHOTS / "qingqian_agreements_progress.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
