"""In a real Chromium: an amount the form cannot read is explained in plain Chinese; a blank amount is filed;
the office takes the suggestion (待补充材料) in one click; the complainant answers on the tracking page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.extensions import db
from core.tenancy.scope import system_scope
from tests.browser.test_complaints_flow import PHONE, login
from tests.browser.test_shell import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    _require_chromium,
    live_server,
    watched_page,
)
from tests.complaints.conftest import CREDITOR_CODE, cworld  # noqa: F401

pytestmark = pytest.mark.browser


def test_blank_amount_is_asked_for_through_the_tracking_page(cworld, live_server):  # noqa: F811
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            phone = watched_page(browser, errors, viewport=PHONE, locale="zh-CN", is_mobile=True)
            phone.goto(live_server + "/public/a/complaints/new")
            expect(phone.locator("#amount-hint")).to_contain_text("约43.9万元")
            phone.fill("#f-creditor_name", "五台山宏达建材有限公司")
            phone.fill("#f-creditor_code", CREDITOR_CODE)
            phone.fill("#f-contact_name", "王经理")
            phone.fill("#f-contact_phone", "13800005678")
            phone.fill("#f-debtor", "甲一镇政府")
            phone.select_option("#f-category", "goods")
            phone.fill("#f-amount", "好几万")
            phone.fill("#f-description", "2023年5月交货并验收，至今未付款。")
            phone.check("input[name=migrant_wages][value=是]")
            phone.click("#complaint-form button[type=submit]")
            amount_error = phone.locator('.field-error[data-for="amount"]')
            expect(amount_error).to_contain_text("看不懂“好几万”这个金额")
            expect(amount_error).to_contain_text("不知道可以留空")
            phone.fill("#f-amount", "")
            phone.click("#complaint-form button[type=submit]")
            code_box = phone.locator("#tracking-code")
            expect(code_box).to_be_visible()
            code = code_box.inner_text()

            office = watched_page(browser, errors, viewport={"width": 1280, "height": 900}, locale="zh-CN")
            login(office, live_server, "office_a")
            office.goto(live_server + "/complaints")
            office.click(f"text={code}")
            panel = office.locator(".triage-suggestion")
            expect(panel).to_contain_text("系统建议：信息不全，需投诉人补充")
            expect(panel).to_contain_text("没有填写欠款金额")
            panel.locator("button", has_text="采纳建议").click()
            expect(office.locator("h1")).to_contain_text("待补充材料")

            phone.goto(live_server + "/public/a/complaints/status")
            phone.fill("#s-code", code)
            phone.fill("#s-phone", "5678")
            phone.click("#status-form button[type=submit]")
            expect(phone.locator("#r-status")).to_have_text("待补充材料")
            expect(phone.locator("#r-info-request")).to_contain_text("没有填写欠款金额")
            phone.fill("#i-amount", "约8.5万")
            phone.fill("#i-reply", "对过账了，大约八万五")
            phone.click("#info-form button[type=submit]")
            expect(phone.locator("#info-done")).to_be_visible()
            expect(phone.locator("#r-status")).to_have_text("已收到，待核查")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert not errors, errors
        finally:
            browser.close()
    with system_scope():
        from plugins.complaints.models import Complaint

        case = db.session.scalar(db.select(Complaint))
        assert case.status == "received" and case.amount == Decimal("85000.00") and case.amount_approximate
        assert case.migrant_wages is True and case.migrant_wage_amount is None
