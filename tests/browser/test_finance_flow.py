"""The confirmation path in a real Chromium: an SME files on a phone (a mistake and a file of the wrong kind
first, kept and explained), with its contract attached; the debtor unit's clerk sees and downloads the
attachment on the request's page and confirms; the SME reads the answer on the phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_accessibility import serious_violations
from tests.browser.test_ledger_flow import login
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)
from tests.finance.conftest import CREDITOR_CODE, DEBTOR_CODE

__all__ = ["live_server"]

pytestmark = pytest.mark.browser


def test_sme_requests_on_a_phone_and_reads_the_confirmation(world, live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            phone = watched_page(browser, errors, **pw.devices["iPhone 12"])
            phone.goto(live_server + "/public/a/finance/confirm")
            assert serious_violations(phone) == []
            phone.fill("#f-creditor_name", "五台山宏达建材有限公司")
            phone.fill("#f-creditor_code", CREDITOR_CODE)
            phone.fill("#f-contact_name", "王经理")
            phone.fill("#f-contact_phone", "13800005678")
            phone.select_option("#f-debtor_unit", "a.town1")
            phone.fill("#f-contract_no", "HT-2026-018")
            phone.fill("#f-amount", "约12万")
            phone.set_input_files(
                "#f-attachments",
                files=[{"name": "合同.docx", "mimeType": "application/msword", "buffer": b"PK\x03\x04word"}],
            )
            phone.locator("#confirmation-form button[type=submit]").click()
            expect(phone.locator(".field-error").first).to_contain_text("须为确切金额")
            expect(phone.locator(".field-error").last).to_contain_text("不是 PDF、JPEG 或 PNG 文件")
            expect(phone.locator("#f-contract_no")).to_have_value("HT-2026-018")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= phone.viewport_size["width"], "the request form scrolls sideways on a phone"
            phone.fill("#f-amount", "12万")
            phone.set_input_files(
                "#f-attachments",
                files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
            )
            phone.locator("#confirmation-form button[type=submit]").click()
            expect(phone.locator("#request-result")).to_contain_text("已收到附件1个")
            code = phone.locator(".tracking-code").inner_text().strip()
            assert re.fullmatch(r"[A-Z0-9]{12}", code)

            clerk = watched_page(browser, errors)
            login(clerk, live_server, "clerk_a1")
            clerk.goto(live_server + "/finance")
            expect(clerk.locator('td[data-attachments="1"]')).to_have_count(1)
            clerk.get_by_role("link", name=code).click()
            expect(clerk.locator("#attachments tbody tr")).to_have_count(1)
            assert serious_violations(clerk) == []
            with clerk.expect_download() as download:
                clerk.get_by_role("link", name="合同.pdf").click()
            assert download.value.suggested_filename == "合同.pdf"
            assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
            clerk.select_option("select[name=outcome]", "confirmed")
            clerk.fill("input[name=payment_due_date]", "2026-06-30")
            clerk.fill("input[name=debtor_code]", DEBTOR_CODE)
            clerk.locator(".answer-form button[type=submit]").click()
            expect(clerk.locator(".flash-success")).to_contain_text("已答复：已确认")

            phone.goto(live_server + "/public/a/finance/status")
            phone.fill("#f-tracking_code", code)
            phone.fill("#f-phone_last4", "5678")
            phone.locator("#status-form button[type=submit]").click()
            result = phone.locator("#status-result")
            expect(result).to_contain_text("已确认")
            expect(result).to_contain_text("确认金额：120000.00 元")
            phone.screenshot(path=str(SHOTS / "qingqian_finance_public.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
