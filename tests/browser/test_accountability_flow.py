"""A bulletin in a real Chromium: the office drafts it from live data, edits the narrative and issues it;
the clerk of a unit it was sent to finds it unread and marks it 已阅; the office sees who is left."""

from __future__ import annotations

import pytest

from tests.accountability.conftest import clock, ledger
from tests.browser.test_ledger_flow import login
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)

__all__ = ["clock", "ledger", "live_server"]

pytestmark = pytest.mark.browser


def test_draft_issue_and_a_units_acknowledgement(client, ledger, live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            office = watched_page(browser, errors)
            login(office, live_server, "office_a")
            office.goto(live_server + "/accountability/bulletins")
            office.locator("#bulletin-new button[type=submit]").click()
            expect(office.locator("#bulletin-doc-no")).to_have_text("（草稿，印发时编号）")
            ranking = office.locator('[data-section="clearance"] tbody tr')
            expect(ranking).to_have_count(3)
            expect(ranking.nth(2)).to_contain_text("甲一镇人民政府")
            expect(ranking.nth(2)).to_contain_text("-26.67")
            office.fill("#bulletin-edit textarea[name=intro]", "九月份清欠进展通报如下。")
            office.locator("#bulletin-edit button[type=submit]").first.click()
            expect(office.locator(".flash-success")).to_contain_text("草稿已保存")
            expect(office.locator(".bulletin-body")).to_contain_text("九月份清欠进展通报如下。")
            office.locator("#bulletin-issue button[type=submit]").click()
            expect(office.locator("#bulletin-doc-no")).to_have_text("甲清欠办通报〔2023〕1号")
            expect(office.locator("#bulletin-recipients [data-key=unread]")).to_have_text("3")
            expect(office.locator("#bulletin-edit")).to_have_count(0)

            clerk = watched_page(browser, errors)
            login(clerk, live_server, "clerk_a1")
            clerk.goto(live_server + "/accountability/bulletins")
            row = clerk.locator("#bulletin-list tbody tr.unread")
            expect(row).to_have_count(1)
            expect(row).to_contain_text("未阅")
            row.locator("a").click()
            clerk.locator("#bulletin-ack button[type=submit]").click()
            expect(clerk.locator(".flash-success")).to_contain_text("已阅")
            expect(clerk.locator("#bulletin-ack")).to_have_count(0)
            clerk.screenshot(path=str(SHOTS / "qingqian_bulletin_unit.png"), full_page=True)

            office.reload()
            expect(office.locator("#bulletin-recipients [data-key=unread]")).to_have_text("2")
            expect(office.locator("#bulletin-recipients")).not_to_contain_text("甲一镇人民政府 未阅")
            assert not errors, errors
        finally:
            browser.close()


def test_candidate_to_supervision_to_evidence_to_closed(client, ledger, live_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    from tests.accountability.conftest import nid

    t1 = nid(ledger, "a.town1")
    payment = client.get(
        f"/api/v1/debts/{ledger.debts['t1']}/payments", headers=ledger.headers("office_a")
    ).json[0]["id"]
    receipt = tmp_path / "付款回单.png"
    receipt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            office = watched_page(browser, errors)
            login(office, live_server, "office_a")
            office.goto(live_server + "/accountability/supervisions")
            proposal = office.locator(f'form.candidate[data-key="clearance:{t1}"]')
            expect(proposal).to_contain_text("清偿率33.33%")
            proposal.locator("button[type=submit]").click()
            expect(office.locator(".flash-success")).to_contain_text("已挂牌督办")
            expect(office.locator("#supervision-status")).to_contain_text("督办中")
            url = office.url

            clerk = watched_page(browser, errors)
            login(clerk, live_server, "clerk_a1")
            clerk.goto(url)
            clerk.fill("#supervision-progress textarea[name=note]", "已支付首期款项，附回单")
            clerk.set_input_files("#supervision-progress input[name=file]", str(receipt))
            clerk.locator("#supervision-progress button[type=submit]").click()
            expect(clerk.locator(".flash-success")).to_contain_text("进展已报告")
            expect(clerk.locator("#supervision-timeline")).to_contain_text("附件：付款回单.png")
            expect(clerk.locator("#supervision-close")).to_have_count(0)

            office.reload()
            office.select_option("#supervision-close select[name=evidence_kind]", "payment")
            office.fill("#supervision-close input[name=evidence_id]", str(payment))
            office.fill("#supervision-close input[name=note]", "首期款已支付")
            office.locator("#supervision-close button[type=submit]").click()
            expect(office.locator(".flash-success")).to_contain_text("已办结销号")
            expect(office.locator("#supervision-status")).to_contain_text("已办结")
            expect(office.locator("#supervision-timeline li")).to_have_count(3)
            office.screenshot(path=str(SHOTS / "qingqian_supervision_closed.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
