"""还款纳入预算 in a real Chromium: a clerk's to-do item leads to the budget page, where an agreement's
installments due this year are listed once per agreement and a budget arrangement clears them; the finance
bureau's read-only account lands on the same lists, with no forms and no tabs it may not open."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from core.tenancy.scope import system_scope
from core.testing.harness import add_user
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
from tests.conftest import needs_plugins
from tests.prevention.test_budget_installments import add_debt, agree, march_2026

__all__ = ["live_server", "march_2026"]

pytestmark = [pytest.mark.browser, needs_plugins("prevention", "agreements")]


def test_clerk_budgets_an_agreement_and_the_finance_bureau_reads_the_list(
    client, world, live_server, march_2026
):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    agreed = add_debt(client, world, "HT-AG-1", "2025-05-01")
    other = add_debt(client, world, "HT-AG-2", "2025-05-01")
    agree(client, world, agreed, "2026-01-10", [("2026-04-30", "40000"), ("2026-10-31", "60000")])
    agree(client, world, other, "2026-01-10", [("2026-05-31", "100000")])
    with system_scope():
        add_user(world, "finance_a", "measures_reader", world.node("a"))
        db.session.commit()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            login(page, live_server, "clerk_a1")
            todo = page.locator('[data-testid="todo"] li', has_text="还款纳入预算")
            expect(todo).to_contain_text("2026年到期的3期还款协议分期尚未安排预算")
            todo.get_by_role("link").click()
            expect(page).to_have_url(re.compile(r"/prevention/budget$"))

            rows = page.locator("#unbudgeted-installments tbody tr[data-installment]")
            expect(rows).to_have_count(3)
            assert serious_violations(page) == []
            first = page.locator(f'#unbudgeted-installments tr[data-debt="{agreed}"]')
            expect(first.nth(1)).to_contain_text("同一协议，已在上方登记")
            form = first.nth(0).locator("form")
            expect(form.locator("input[name=amount]")).to_have_value("100000.00")
            form.locator("input[name=budget_line]").fill("2296002 债务还本支出")
            form.locator("button[type=submit]").click()
            expect(page.locator(".flash-success")).to_contain_text("预算安排已登记")
            expect(rows).to_have_count(1)
            expect(page.locator("#arranged")).to_contain_text("2296002 债务还本支出")
            page.screenshot(path=str(SHOTS / "qingqian_prevention_budget.png"), full_page=True)

            bureau = watched_page(browser, errors)
            login(bureau, live_server, "finance_a")
            bureau.locator("#sidenav").get_by_role("link", name="还款纳入预算").click()
            expect(bureau).to_have_url(re.compile(r"/prevention/budget$"))
            expect(bureau.locator("#unbudgeted-installments tbody tr[data-installment]")).to_have_count(1)
            expect(bureau.locator("#unbudgeted-installments form")).to_have_count(0)
            expect(bureau.locator('nav.tabs[aria-label="源头治理"]')).to_have_count(0)
            assert not errors, errors
        finally:
            browser.close()
