"""Plugin lists read money like core's (issue 14, point 1), in a real Chromium on the demo: prevention,
wages and finance lists show the reader's unit in their headers, a 万元/元 switch and a 合计 row. Switched to
元, each 合计 equals the rows of every page of the list added up to the fen; in 万元 it is that exact total
rounded once, half up."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from core.units import in_unit
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_demo_dashboard import demo
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
)
from tests.browser.test_todo_roles import _login
from tests.conftest import needs_plugins

__all__ = ["demo", "live_server"]

pytestmark = [pytest.mark.browser, needs_plugins("prevention", "wages", "finance", "ledger")]

# (page, table, header of the money column, 合计 row, which numeric cell of the 合计 row holds that money)
LISTS = [
    ("/prevention/new-arrears", "#new-arrears", "未付金额", "new-arrears-total", 0),
    ("/prevention/projects", "#projects", "总投资", "projects-total", 0),
    ("/prevention/deposits", "#deposits", "金额", "deposits-total", 0),
    ("/prevention/budget", "#unbudgeted", "未付金额", "unbudgeted-total", 0),
    ("/wages", "#wage-cases", "欠薪金额", "wage-cases-total", 1),
    ("/wages", "#wage-debts", "未付余额", "wage-debts-total", 0),
    ("/wages/festival", "#wages-festival-units", "尚欠农民工工资", "wages-festival-total", 1),
    ("/finance", "table.confirmations-table", "申请金额", "confirmations-total", 0),
]


def _amount(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ""))


def _column(page, table: str, header: str) -> tuple[str, list[Decimal]]:
    """The money column's header text and its cells (rows without an amount are left out)."""
    headers = page.locator(f"{table} thead th").all_inner_texts()
    index = next(i for i, h in enumerate(headers) if h.startswith(header))
    cells = page.locator(f"{table} tbody tr").evaluate_all(
        f"rows => rows.map(r => r.cells.length > {index} ? r.cells[{index}].innerText : '')"
    )
    return headers[index], [_amount(c) for c in cells if re.fullmatch(r"-?[\d,]+\.\d\d", c.strip())]


@pytest.mark.usefixtures("demo")
def test_plugin_lists_switch_units_and_total_to_the_fen(live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        errors: list[str] = []
        try:
            page = _login(browser, live_server, "wts_office", errors)
            totalled = []
            exact: dict[tuple[str, str], Decimal] = {}
            # The office reads in 元 first: rows are exact, so the 合计 must equal their sum to the fen.
            page.goto(live_server + LISTS[0][0])
            page.click("[data-testid=unit-yuan]")
            for path, table, header, total, cell in LISTS:
                page.goto(live_server + path)
                expect(page.locator(".unit-switch").first).to_be_visible()
                title, amounts = _column(page, table, header)
                assert title.endswith("（元）"), (path, title)
                if not amounts:
                    continue
                shown = _amount(page.locator(f"[data-testid={total}] td.num").nth(cell).inner_text())
                while page.locator("a[rel=next]").count():  # the 合计 covers the pages not shown too
                    page.click("a[rel=next]")
                    amounts += _column(page, table, header)[1]
                assert shown == sum(amounts, Decimal("0.00")), (path, table, shown, amounts)
                exact[(path, table)] = shown
                totalled.append(path)
            # The demo has money in most of these lists: a page that lost its rows would hide a regression.
            assert len(totalled) >= 6, totalled

            # Back to 万元: every header says so and each 合计 is the exact total rounded once.
            page.click("[data-testid=unit-wan]")
            for path, table, header, total, cell in LISTS:
                page.goto(live_server + path)
                title, _ = _column(page, table, header)
                assert title.endswith("（万元）"), (path, title)
                if (path, table) in exact:
                    shown = _amount(page.locator(f"[data-testid={total}] td.num").nth(cell).inner_text())
                    assert shown == in_unit(exact[(path, table)], "wan"), (path, table, shown)
            # Deadlines shout on these lists too: every request still awaiting an answer and every deposit
            # not yet returned carries a coloured 剩余N天/逾期N天 badge.
            page.goto(live_server + "/finance")
            pending = page.locator("table.confirmations-table .badge-pending").count()
            assert pending >= 1  # the demo has a request waiting and one never answered
            page.screenshot(path=str(SHOTS / "qingqian_finance_requests.png"), full_page=True)
            expect(page.locator("table.confirmations-table .deadline")).to_have_count(pending)
            page.goto(live_server + "/prevention/deposits")
            open_deposits = page.locator('#deposits tr[data-state]:not([data-state="returned"])')
            assert open_deposits.count() >= 1
            expect(open_deposits.locator(".deadline")).to_have_count(open_deposits.count())
            expect(
                page.locator(
                    '#deposits tr[data-state="overdue"] .deadline-late, '
                    '#deposits tr[data-state="converted"] .deadline-late'
                )
            ).not_to_have_count(0)
            page.screenshot(path=str(SHOTS / "qingqian_prevention_deposits_wan.png"), full_page=True)
            # The reporting round's deadline shouts on the dashboard widget and the round's board.
            page.goto(live_server + "/")
            widget = page.locator(".ledger-round-widget")
            expect(widget.locator(".deadline")).to_have_count(1)
            widget.locator("a").first.click()
            expect(page.locator(".page-head .deadline")).to_have_count(1)
            expect(page.locator(".page-head .deadline")).to_have_text(
                re.compile(r"^(剩余\d+天|今天到期|逾期\d+天)$")
            )
            page.goto(live_server + "/wages")
            page.screenshot(path=str(SHOTS / "qingqian_wages_wan.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()


@pytest.mark.usefixtures("demo")
def test_plugin_list_pages_have_no_serious_axe_violations(live_server):
    """The same axe-core check as core's main pages (issue 14, point 9), on the plugin lists the office
    works from, filled with the demo's rows (an empty table hides most table-header problems)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        errors: list[str] = []
        try:
            page = _login(browser, live_server, "wts_office", errors)
            found = {}
            for path in sorted({path for path, *_ in LISTS} | {"/wages/priority"}):
                response = page.goto(live_server + path)
                assert response.status < 400, (path, response.status)
                found[path] = serious_violations(page)
            assert {p: v for p, v in found.items() if v} == {}
            assert errors == []
        finally:
            browser.close()
