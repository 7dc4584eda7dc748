"""The ledger path in a real Chromium: a clerk uploads a spreadsheet, reads the preview counts, commits, waits
for the import to finish, submits the unit's ledger for the open round; the unit head signs off; the board
shows the unit as submitted and signed.

Needs Debian's chromium at /usr/bin/chromium (skips locally without it, fails in CI), like test_shell.py.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from core import clock
from core.extensions import db
from core.rules.credit_code import make
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from tests.browser.test_shell import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    _require_chromium,
    live_server,
    nid,
    watched_page,
)

__all__ = ["live_server"]

pytestmark = pytest.mark.browser


@pytest.fixture
def ledger_world(world):
    """Jurisdiction a with the ledger plugin on and an open round (deadline a month ahead)."""
    import datetime as dt

    with system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        a.plan = {**a.plan, "plugins": [*(p for p in a.plan["plugins"] if p != "ledger"), "ledger"]}
        db.session.commit()
    return world, (clock.today() + dt.timedelta(days=30)).isoformat()


def ledger_file(path) -> str:
    """A small ledger as clerks send it: title row, 单位：元, the template header, two debts, a 合计 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["甲一镇拖欠中小企业账款台账"])
    ws.append(["填报单位：甲一镇人民政府", None, None, None, None, None, None, "单位：元"])
    ws.append(
        [
            "欠款单位",
            "债权企业名称",
            "统一社会信用代码",
            "企业规模",
            "项目名称",
            "合同编号",
            "款项类别",
            "欠款金额（元）",
        ]
    )
    ws.append(
        [
            "甲一镇人民政府",
            "忻州市清凉建筑工程有限公司",
            make("91140922MA0K00001"),
            "小型",
            "镇区道路硬化工程",
            "HT-2023-011",
            "工程",
            120000,
        ]
    )
    ws.append(
        [
            "甲一镇人民政府",
            "五台县佛光商贸有限公司",
            make("91140922MA0K00002"),
            "微型",
            "办公用品采购",
            "HT-2023-012",
            "货物",
            8500.5,
        ]
    )
    ws.append(["合计", None, None, None, None, None, None, 128500.5])
    target = path / "甲一镇台账.xlsx"
    wb.save(target)
    return str(target)


def login(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "secret-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def test_upload_preview_commit_submit_signoff(client, ledger_world, live_server, tmp_path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    world, deadline = ledger_world
    r = client.post(
        "/api/v1/ledger/rounds",
        json={"name": "2023年清欠台账摸排", "deadline": deadline},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 201, r.json
    round_id = r.json["id"]
    upload = ledger_file(tmp_path)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            clerk = watched_page(browser, errors)
            login(clerk, live_server, "clerk_a1")

            # Upload → preview with counts.
            clerk.goto(live_server + "/ledger/imports")
            clerk.set_input_files("#import-file", upload)
            clerk.click("#import-submit")
            status = clerk.locator("#import-status")
            expect(status).to_have_attribute("data-status", "previewed", timeout=30_000)
            expect(clerk.locator("[data-count=accepted]")).to_have_text("2")
            expect(clerk.locator("[data-count=rejected]")).to_have_text("0")
            expect(clerk.locator("[data-count=new]")).to_have_text("2")
            clerk.screenshot(path=str(SHOTS / "qingqian_ledger_preview.png"), full_page=True)

            # Commit and wait for the background job to finish.
            clerk.click("#import-commit")
            expect(clerk.locator("#import-status")).to_have_attribute(
                "data-status", "committed", timeout=30_000
            )

            # The unit's ledger, generated in the background, downloaded from the exports page.
            clerk.goto(live_server + "/ledger/summary")
            clerk.click("#export-ledger")
            expect(clerk.locator(".flash-success")).to_contain_text("已开始在后台生成导出文件")
            exported = clerk.locator("table.exports-table tbody tr").first
            expect(exported).to_have_attribute("data-status", "ready", timeout=30_000)
            expect(exported.locator(".export-rows")).to_have_text("2")
            with clerk.expect_download() as download:
                exported.locator("a", has_text="下载").click()
            assert download.value.suggested_filename.startswith("拖欠中小企业账款台账")
            sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
            assert [r[1] for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)] == [
                "甲一镇人民政府",
                "甲一镇人民政府",
            ]

            # Submit the unit's ledger for the open round.
            clerk.goto(live_server + "/ledger/rounds")
            clerk.click("table.rounds-table >> text=2023年清欠台账摸排")
            row = clerk.locator('#board tr[data-unit="a.town1"]')
            expect(row).to_have_attribute("data-state", "missing")
            row.locator("summary", has_text="报送").click()
            row.locator("form.submit-form button[type=submit]").click()
            expect(clerk.locator(".flash-success")).to_contain_text("已报送台账（2 笔）")
            expect(clerk.locator(".submission-status")).to_have_attribute("data-status", "submitted")
            expect(clerk.locator("table.snapshot-table tbody tr")).to_have_count(2)
            # In the reader's table unit (万元), with the 合计 the head signs.
            expect(clerk.locator("table.snapshot-table")).to_contain_text("12.00")
            expect(clerk.locator('[data-testid="snapshot-total"]')).to_contain_text("合计（2 笔）")

            # The head signs off.
            head = watched_page(browser, errors)
            login(head, live_server, "head_a1")
            head.goto(live_server + f"/ledger/rounds/{round_id}")
            head.locator('#board tr[data-unit="a.town1"] a', has_text="签认").click()
            head.fill("textarea[name=comment]", "经核实，台账真实完整")
            head.click("#signoff-submit")
            expect(head.locator(".flash-success")).to_contain_text("已签认")
            row = head.locator('#board tr[data-unit="a.town1"]')
            expect(row).to_have_attribute("data-state", "signed")
            expect(row).to_contain_text("head_a1")
            expect(head.locator('[data-key="submitted"]')).to_have_text("1")
            head.screenshot(path=str(SHOTS / "qingqian_ledger_board.png"), full_page=True)
            assert not errors, errors
        finally:
            browser.close()

    board = client.get(f"/api/v1/ledger/rounds/{round_id}/board", headers=world.headers("office_a")).json
    town1 = next(u for u in board["units"] if u["unit_id"] == nid(world, "a.town1"))
    assert town1["state"] == "signed" and town1["submission"]["row_count"] == 2
    assert Decimal(town1["submission"]["total_outstanding"]) == Decimal("128500.50")
    assert board["counts"]["submitted"] == 1 and board["counts"]["signed"] == 1


def test_a_running_export_shows_its_progress_and_downloads_itself_when_ready(
    app, client, ledger_world, live_server
):
    """The exports page follows a job still running when it loads, then fetches the file on its own."""
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    from core.jobs import create_job, runner
    from plugins.ledger.rounds.models import ExportStatus, LedgerExport
    from tests.ledger.test_rounds_support import add_debt

    world, _ = ledger_world
    add_debt(client, world, "office_a", "a.town1", 1, amount_owed="250000.00")
    with system_scope():
        # Queued, not started: the page loads while the export is still being written.
        user = world.users["office_a"]
        node = db.session.get(TenantNode, world.nodes["a"].id)
        job = create_job("ledger_export", params={}, user=user, unit=node)
        export = LedgerExport(
            jurisdiction_id=node.id,
            unit_id=node.id,
            requested_by_id=user.id,
            params={"by": "ledger", "unit": None, "round": None, "as_of": "2023-08-25"},
            status=ExportStatus.RUNNING,
            job_id=job.id,
        )
        db.session.add(export)
        db.session.flush()
        job.params = {"export_id": export.id}
        job.progress_done, job.progress_total = 1, 4
        db.session.commit()
        export_id, job_id = export.id, job.id

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            login(page, live_server, "office_a")
            page.goto(live_server + f"/ledger/exports?new={export_id}")
            row = page.locator(f'tr[data-export="{export_id}"]')
            expect(row.locator(".progress-text")).to_have_text("已写入 1 / 4 笔")
            expect(row.locator(".bar-fill")).to_have_attribute("style", "width: 25%;")
            with page.expect_download() as download:
                runner.execute(app, job_id)
            expect(row).to_have_attribute("data-status", "ready")
            expect(row.locator(".export-status")).to_have_text("可下载")
            expect(row.locator(".export-rows")).to_have_text("1")
            sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
            assert sheet["A1"].value == "甲风景区拖欠中小企业账款台账（截至2023年8月25日）"
            assert errors == []
        finally:
            browser.close()


def test_an_unknown_debtor_unit_is_mapped_from_the_preview(ledger_world, live_server, tmp_path):
    """Issue 23: a debtor name not in the tree is named as such; the clerk maps it to a unit on the page,
    the preview is made again and every row can be committed."""
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    world, _deadline = ledger_world
    target = ledger_file(tmp_path)
    wb = openpyxl.load_workbook(target)
    wb.active.cell(row=5, column=1, value="甲一镇财政局")  # HT-2023-012: what the clerk calls 甲一镇财政所
    wb.save(target)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            clerk = watched_page(browser, errors)
            login(clerk, live_server, "clerk_a1")
            clerk.goto(live_server + "/ledger/imports")
            clerk.set_input_files("#import-file", target)
            clerk.click("#import-submit")
            expect(clerk.locator("#import-status")).to_have_attribute(
                "data-status", "previewed", timeout=30_000
            )
            expect(clerk.locator("[data-count=rejected]")).to_have_text("1")
            unknown = clerk.locator('tr[data-unknown-unit="甲一镇财政局"]')
            expect(unknown).to_contain_text("1")
            unknown.locator("select[name=unit_id]").select_option(label="　甲一镇财政所")
            unknown.locator("[data-testid=map-unit]").click()
            expect(clerk.locator("#import-status")).to_have_attribute(
                "data-status", "previewed", timeout=30_000
            )
            expect(clerk.locator("[data-count=rejected]")).to_have_text("0")
            expect(clerk.locator("[data-count=new]")).to_have_text("2")
            expect(clerk.locator("[data-testid=unknown-units]")).to_have_count(0)
            clerk.click("#import-commit")
            expect(clerk.locator("#import-status")).to_have_attribute(
                "data-status", "committed", timeout=30_000
            )
            assert not errors, errors
        finally:
            browser.close()
    with system_scope():
        from core.models.debt import Debt

        units = {d.contract_no: d.unit.code for d in db.session.scalars(db.select(Debt))}
    assert units == {"HT-2023-011": "a.town1", "HT-2023-012": "a.town1.office"}
