"""The web shell in a real Chromium: log in, read the dashboard, filter the ledger, open a debt's history.

Needs Debian's chromium at /usr/bin/chromium. Locally the test skips without it; in CI (CI=true) it fails,
so a broken image cannot pass silently.
"""

from __future__ import annotations

import os
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from core.tenancy.scope import system_scope
from tests.conftest import IN_CI, debt_payload

CHROMIUM = os.environ.get("QINGQIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("QINGQIAN_SCREENSHOT_DIR", "/tmp"))

pytestmark = pytest.mark.browser


def nid(world, code: str) -> int:
    """A node's id; read under the system scope because the fixture's objects expire at commit and
    PostgreSQL's row-level security would hide the refresh outside any tenant."""
    with system_scope():
        return world.nodes[code].id


DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


def watched_page(browser, errors: list[str], **context):
    """A page in a fresh browser context (``DESKTOP`` unless told otherwise) whose script errors and
    Content-Security-Policy violations land in ``errors``, so a test can assert the pages it used ran clean
    (an inline script the policy blocks only shows as a console error)."""
    page = browser.new_context(**(context or DESKTOP)).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: _csp_violation(msg, errors))
    return page


def _csp_violation(message, errors: list[str]) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        errors.append(message.text)


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def live_server(app):
    """The real app on a free localhost port, in a thread, against the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def ledger(client, world):
    rows = [
        ("a.town1", "游客中心外立面改造工程", "works", "180000.00"),
        ("a.town1", "景区标识牌采购", "goods", "36500.50"),
        ("a.town2", "镇区保洁外包服务", "services", "52000.00"),
        ("a.soe.sub", "酒店布草采购", "goods", "12800.00"),
    ]
    out = []
    for unit, project, category, amount in rows:
        body = debt_payload(
            unit_id=nid(world, unit), project_name=project, category=category, amount_owed=amount
        )
        user = {"a.town1": "clerk_a1", "a.town2": "clerk_a2", "a.soe.sub": "soe_a"}[unit]
        r = client.post("/api/v1/debts", json=body, headers=world.headers(user))
        assert r.status_code == 201, r.json
        out.append(r.json)
    r = client.post(
        f"/api/v1/debts/{out[0]['id']}/payments",
        json={"paid_on": "2023-03-02", "amount": "80000"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201, r.json
    return out


def test_login_dashboard_filter_and_history(client, world, ledger, live_server):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    api = client.get("/api/v1/dashboard", headers=world.headers("office_a")).json
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)

            page.goto(live_server + "/debts")
            expect(page).to_have_url(re.compile(r"/login\?next="))
            page.fill("input[name=username]", "office_a")
            page.fill("input[name=password]", "wrong")
            page.click("button[type=submit]")
            expect(page.locator(".flash-error")).to_have_text("用户名或密码错误")
            page.fill("input[name=username]", "office_a")
            page.fill("input[name=password]", "secret-pass-1")
            page.click("button[type=submit]")
            expect(page).to_have_url(re.compile(r"/debts$"))

            page.click("nav.sidenav >> text=工作台")
            expect(page.locator("h1")).to_have_text("工作台")
            for key in ("owed", "cleared", "outstanding", "overdue_amount", "clearance_rate"):
                cell = page.locator(f'[data-key="{key}"]')
                assert cell.get_attribute("data-value") == api["totals"][key], key
            # Cards read in the reader's unit, 万元 by default (281 300.50 元), rounded once, half up.
            shown = page.locator('[data-key="owed"]').inner_text().replace(",", "")
            assert Decimal(api["totals"]["owed"]) == Decimal("281300.50") and Decimal(shown) == Decimal(
                "28.13"
            )
            assert page.locator('[data-key="cleared"]').inner_text() == "8.00"
            expect(page.locator("#chart-unit svg")).to_have_count(1)
            expect(page.locator(".topbar")).to_contain_text("甲风景区")
            page.screenshot(path=str(SHOTS / "qingqian_dashboard.png"), full_page=True)

            page.click("nav.sidenav >> text=欠款台账")
            rows = page.locator("table.debts-table tbody tr")
            expect(rows).to_have_count(4)
            page.select_option("select[name=category]", label="货物")
            page.click("form.filters button[type=submit]")
            expect(rows).to_have_count(2)
            expect(page.locator("table.debts-table")).to_contain_text("景区标识牌采购")
            expect(page.locator("table.debts-table")).to_contain_text("酒店布草采购")
            page.select_option("select[name=category]", value="")
            page.fill("input[name=q]", "游客中心")
            page.click("form.filters button[type=submit]")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("18.00")
            expect(rows.first).to_contain_text("部分偿还")
            # Money reads down a column: amounts are right-aligned (the table's own rule must not win).
            page.wait_for_load_state("load")  # the stylesheet, not only the rows, on a busy machine
            align = rows.first.locator("td.num").first.evaluate("el => getComputedStyle(el).textAlign")
            assert align == "right"
            page.screenshot(path=str(SHOTS / "qingqian_debts.png"), full_page=True)

            rows.first.locator("a", has_text="游客中心外立面改造工程").click()
            expect(page.locator("h1")).to_contain_text("游客中心外立面改造工程")
            history = page.locator("#history .timeline > li")
            expect(history.first).to_contain_text("新建欠款")
            expect(history.first).to_contain_text("clerk_a1")
            expect(history.filter(has_text="登记付款")).not_to_have_count(0)
            expect(page.locator("#history")).to_contain_text("部分偿还")
            page.screenshot(path=str(SHOTS / "qingqian_debt_detail.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.context.add_cookies(page.context.cookies())
            phone.goto(live_server + "/")
            expect(phone.locator("[data-nav-toggle]")).to_be_visible()
            assert phone.evaluate("document.documentElement.scrollWidth") <= 400
            phone.screenshot(path=str(SHOTS / "qingqian_phone.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()
