"""A complaint filed on the public page from a phone, transferred by the office, answered by the unit, and
the result read back in the public status lookup — in a real Chromium (pattern of test_shell.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import clock
from core.extensions import db
from core.tenancy.scope import system_scope
from tests.browser.test_shell import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)
from tests.complaints.conftest import CREDITOR_CODE, cworld  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click("button[type=submit]")


def test_public_complaint_to_answer(cworld, live_server):  # noqa: F811
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            phone = watched_page(browser, errors, viewport=PHONE, locale="zh-CN", is_mobile=True)
            phone.goto(live_server + "/public/a/complaints/new")
            expect(phone.locator("h1")).to_have_text("中小企业账款拖欠投诉")
            phone.fill("#f-creditor_name", "五台山宏达建材有限公司")
            phone.fill("#f-creditor_code", CREDITOR_CODE)
            phone.fill("#f-contact_name", "王经理")
            phone.fill("#f-contact_phone", "13800005678")
            phone.type("#f-debtor", "甲一镇政府")
            suggestion = phone.locator("#debtor-suggestions button", has_text="甲一镇人民政府")
            expect(suggestion).to_be_visible()
            suggestion.click()
            expect(phone.locator("#f-debtor")).to_have_value("甲一镇人民政府")
            phone.fill("#f-contract_name", "游客中心建材采购合同")
            phone.select_option("#f-category", "goods")
            phone.fill("#f-amount", "85000.50")
            phone.fill("#f-description", "2023年5月交货并验收，至今未付款。")
            phone.set_input_files(
                "#f-attachments",
                files=[{"name": "合同.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
            )
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            phone.click("#complaint-form button[type=submit]")
            code_box = phone.locator("#tracking-code")
            expect(code_box).to_have_text(re.compile(r"^[2-9A-Z]{12}$"))
            code = code_box.inner_text()
            phone.screenshot(path=str(SHOTS / "qingqian_complaint_phone.png"), full_page=True)

            office = watched_page(browser, errors, viewport={"width": 1280, "height": 900}, locale="zh-CN")
            login(office, live_server, "office_a")
            office.goto(live_server + "/complaints")
            office.click(f"text={code}")
            expect(office.locator("h1")).to_contain_text(code)
            expect(office.locator("dl.details")).to_contain_text("13800005678")
            office.click(".triage-form button[type=submit]")
            expect(office.locator(".flash-success")).to_have_text("已受理")
            office.select_option(".transfer-form select[name=unit_id]", label="甲一镇人民政府")
            office.fill(".transfer-form textarea[name=note]", "请核实并限期反馈")
            office.click(".transfer-form button[type=submit]")
            expect(office.locator(".flash-success")).to_have_text("已转办至甲一镇人民政府")
            case_url = office.url

            unit = watched_page(browser, errors, viewport={"width": 1280, "height": 900}, locale="zh-CN")
            login(unit, live_server, "clerk_a1")
            unit.goto(case_url)
            due = (clock.today() + dt.timedelta(days=20)).isoformat()
            unit.select_option(".outcome-form select[name=outcome]", "undisputed")
            unit.fill(".outcome-form input[name=payment_deadline]", due)
            unit.fill(".outcome-form textarea[name=detail]", "已核实验收单据，安排资金支付")
            unit.click(".outcome-form button[type=submit]")
            expect(unit.locator(".flash-success")).to_have_text("核查结果已反馈")
            expect(unit.locator(".linked-debts")).to_contain_text("已确认")
            timeline = unit.locator(".complaint-timeline > li")
            expect(timeline).to_have_count(4)
            expect(timeline.nth(2)).to_contain_text("office_a")
            expect(timeline.nth(3)).to_contain_text("clerk_a1")
            unit.screenshot(path=str(SHOTS / "qingqian_complaint_case.png"), full_page=True)

            phone.goto(live_server + "/public/a/complaints/status")
            phone.fill("#s-code", code)
            phone.fill("#s-phone", "5678")
            phone.click("#status-form button[type=submit]")
            expect(phone.locator("#r-status")).to_have_text("已反馈，纳入台账跟踪")
            expect(phone.locator("#r-result")).to_contain_text("承诺于")
            expect(phone.locator("#status-result")).not_to_contain_text("王经理")
            phone.fill("#s-phone", "0000")
            phone.click("#status-form button[type=submit]")
            expect(phone.locator("#status-error")).to_be_visible()
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            phone.screenshot(path=str(SHOTS / "qingqian_complaint_status.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
    with system_scope():
        from plugins.complaints.models import Complaint

        assert db.session.scalar(db.select(Complaint.status)) == "tracking"
