"""Ledger fidelity in a real Chromium: a clerk uploads a county CSV in 万元 without any unit marker, chooses
万元 on the upload form, and reads the reconciliation (rows and money, in 元 and 万元) to the generator's
own totals; a column the importer did not recognise is mapped from the preview and the file re-parsed.
"""

from __future__ import annotations

import pytest

from tests.browser.test_ledger_flow import ledger_world, login
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)
from tests.ledger.fixtures import write_csv
from tests.ledger.messy import official_ledger

__all__ = ["ledger_world", "live_server"]

pytestmark = pytest.mark.browser


def test_county_csv_in_wan_reconciles_and_a_column_is_mapped(ledger_world, live_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    ledger = official_ledger(80, debtors=["甲一镇人民政府", "甲一镇财政所"], seed=31)
    county = ledger.write_csv(tmp_path / "县台账.csv")
    odd = write_csv(
        tmp_path / "odd.csv",
        [
            ["欠款单位", "债权企业名称", "款项类别", "欠款金额", "结算到期日"],
            ["甲一镇人民政府", "甲公司", "货物", "100.00", "2023-04-30"],
        ],
    )
    exp = ledger.expected
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            clerk = watched_page(browser, errors)
            login(clerk, live_server, "clerk_a1")

            clerk.goto(live_server + "/ledger/imports")
            clerk.set_input_files("#import-file", str(county))
            clerk.select_option("#import-amount-unit", "wan")
            clerk.click("#import-submit")
            expect(clerk.locator("#import-status")).to_have_attribute(
                "data-status", "previewed", timeout=30_000
            )
            expect(clerk.locator("#import-unit")).to_have_attribute("data-unit", "wan")
            expect(clerk.locator("#import-unit")).to_contain_text("上传时选择")
            expect(clerk.locator("[data-amount=data]")).to_have_text(f"{exp.amounts['data']:,.2f}")
            expect(clerk.locator("[data-amount=accepted]")).to_have_text(f"{exp.amounts['accepted']:,.2f}")
            expect(clerk.locator("[data-amount=rejected]")).to_have_text(f"{exp.amounts['rejected']:,.2f}")
            expect(clerk.locator("[data-amount=duplicate]")).to_have_text(f"{exp.amounts['duplicate']:,.2f}")
            expect(clerk.locator("#import-money")).to_contain_text(f"{exp.amounts['data'] / 10000:.6f} 万元")
            expect(clerk.locator("[data-count=duplicate]")).to_have_text(str(exp.rows["duplicate"]))
            clerk.screenshot(path=str(SHOTS / "qingqian_ledger_reconciliation.png"), full_page=True)

            clerk.goto(live_server + "/ledger/imports")
            clerk.set_input_files("#import-file", str(odd))
            clerk.click("#import-submit")
            expect(clerk.locator("#import-status")).to_have_attribute(
                "data-status", "previewed", timeout=30_000
            )
            expect(clerk.locator("[data-testid=unmapped-columns]")).to_contain_text("未识别的列（已忽略）")
            clerk.select_option("select[aria-label='“结算到期日”对应的字段']", "agreed_payment_date")
            clerk.click("#import-remap")
            expect(clerk.locator("#import-status")).to_have_attribute(
                "data-status", "previewed", timeout=30_000
            )
            expect(clerk.locator("[data-testid=unmapped-columns]")).to_have_count(0)
            expect(clerk.locator("#column-map")).to_contain_text("约定付款日期")
            assert not errors, errors
        finally:
            browser.close()
