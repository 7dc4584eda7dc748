"""The wage linkage in a real Chromium: the office imports the 人社 bureau's case list (preview, then
confirm), the matched debt shows 涉薪, and on the project page a payment that does not pay the wages first
is refused while one that does is recorded and clears the case."""

from __future__ import annotations

import pytest

from tests.browser.test_ledger_flow import login
from tests.browser.test_shell import CHROMIUM, CHROMIUM_ARGS, _require_chromium, live_server, watched_page
from tests.wages.conftest import CASE_SHEET, PROJECT_SHEET, ledger, upload, xlsx

__all__ = ["ledger", "live_server"]

pytestmark = pytest.mark.browser


def test_case_import_to_a_linked_debt_paid_wages_first(client, ledger, live_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    assert upload(client, ledger, "projects", PROJECT_SHEET, dry_run=False).status_code == 201
    sheet = tmp_path / "人社欠薪案件.xlsx"
    sheet.write_bytes(xlsx(CASE_SHEET).getvalue())
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            office = watched_page(browser, errors)
            login(office, live_server, "office_a")
            office.goto(live_server + "/wages")
            office.click("#wages-import-cases")
            office.set_input_files("#wages-import-form input[type=file]", str(sheet))
            office.click("#wages-import-form button[type=submit]")
            summary = office.locator("#wages-import-summary")
            expect(summary.locator("[data-key=read]")).to_have_text("5")
            expect(summary.locator("[data-key=accepted]")).to_have_text("3")
            expect(summary).to_contain_text("147000.00 元 = 可导入 111000.00 元 + 不导入 36000.00 元")
            office.click("#wages-import-commit button[type=submit]")
            expect(office.locator(".flash-success")).to_contain_text("已导入人社欠薪案件 3 条")
            row = office.locator("#wage-cases tr", has_text="RS-001")
            expect(row).to_have_attribute("data-status", "linked")
            expect(row).to_contain_text("涉薪")
            expect(office.locator("#wage-cases tr", has_text="RS-003")).to_have_attribute(
                "data-status", "unmatched"
            )

            # In the unit's clearance order the linked wage debt comes first.
            office.click("#wages-priority")
            office.select_option("#wages-priority-unit select", label="甲一镇人民政府")
            office.click("#wages-priority-unit button[type=submit]")
            first = office.locator("#wages-priority tbody tr").first
            expect(first).to_have_attribute("data-debt", str(ledger.debts["road"]))
            expect(first).to_contain_text("人社欠薪案件")

            office.goto(live_server + "/wages")
            office.click("#wage-projects a:has-text('景区道路维修工程')")
            expect(office.locator("#wages-advance [data-key=advance]")).to_have_text("36,000.00")
            form = office.locator("#wages-pay-form")
            form.locator("input[name=paid_on]").fill("2023-07-01")
            form.locator("input[name=amount]").fill("40000")
            form.locator("input[name=wage_amount]").fill("10000")
            form.locator("input[name=to_wage_account]").fill("8000")
            form.locator("button[type=submit]").click()
            expect(office.locator(".flash-error")).to_contain_text("至少应有36000.00元用于支付农民工工资")
            form.locator("input[name=paid_on]").fill("2023-07-01")
            form.locator("input[name=amount]").fill("40000")
            form.locator("input[name=wage_amount]").fill("36000")
            form.locator("input[name=to_wage_account]").fill("8000")
            form.locator("button[type=submit]").click()
            expect(office.locator(".flash-success")).to_contain_text("已登记付款")
            expect(office.locator("#wages-project-payments tr[data-bypassed='0']")).to_have_count(1)
            expect(office.locator("#wages-advance [data-key=advance]")).to_have_text("0.00")

            office.goto(live_server + "/wages")
            expect(office.locator("#wage-cases tr", has_text="RS-001")).to_have_attribute(
                "data-status", "cleared"
            )
            assert not errors, errors
        finally:
            browser.close()
