"""A county onboarded through the pages only, in a real Chromium: the platform admin opens it, a typo in
its plan is refused naming the nearest valid key, a valid edit is previewed with its diff and saved as a
version, the org tree comes from an Excel sheet, and the first office admin sets a password through the
one-time link and reads the plan with each value's source (issue 15, point 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.auth.models import User
from core.extensions import db
from core.tenancy import transfer
from core.tenancy.models import PlanVersion, TenantNode
from core.tenancy.scope import system_scope
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_shell import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    SHOTS,
    _require_chromium,
    live_server,
    watched_page,
)
from tests.test_onboarding import org_sheet

pytestmark = pytest.mark.browser

ROWS = [
    ("某县城关镇人民政府", "", "乡（镇）"),
    ("某县财政局", None, "部门"),
    ("某县国有资本投资集团", "", "国有企业"),
    ("某县城投公司", "某县国有资本投资集团", "子公司"),
    ("某县城投物业公司", "某县城投公司", "子公司"),
]


def login(page, base: str, username: str, password: str = "secret-pass-1") -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_county_is_onboarded_from_the_browser(world, live_server):  # noqa: F811
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            page = watched_page(browser, errors)
            login(page, live_server, "admin")
            page.click("nav.sidenav >> text=辖区开通")
            expect(page.locator("h1")).to_have_text("辖区开通")
            assert serious_violations(page) == []
            page.fill("#f-code", "county")
            page.fill("#f-name", "忻州市某县")
            page.fill("#f-plan_name", "某县2023年清欠方案")
            page.select_option("#f-inherits", "xinzhou")
            page.select_option("#f-timezone", "Asia/Shanghai")
            page.click("#create-form button[type=submit]")
            expect(page.locator(".flash-success")).to_contain_text("已开通辖区：忻州市某县")
            expect(page.locator("h1")).to_have_text("忻州市某县")
            inherited = page.locator('#plan-values tr[data-key="deadlines.all_cleared"]')
            expect(inherited).to_contain_text("继承自 xinzhou")
            expect(page.locator('#plan-values tr[data-key="name"]')).to_contain_text("本辖区方案")

            # A typo in the YAML editor: refused, naming the key and the nearest valid one; nothing saved.
            text = page.locator("#f-yaml").input_value()
            assert "inherits: xinzhou" in text
            page.fill("#f-yaml", text + "rules:\n  credit_code_strickt: true\n")
            page.click("#plan-yaml button[type=submit]")
            refused = page.locator('#plan-errors li[data-key="rules.credit_code_strickt"]')
            expect(refused).to_contain_text("rules.credit_code_strict")
            expect(page.locator("#plan-save")).to_have_count(0)

            # The valid edit: preview (changes and the diff), then save with a reason.
            page.fill("#f-yaml", text + "rules:\n  credit_code_strict: true\n")
            page.click("#plan-yaml button[type=submit]")
            expect(page.locator('#plan-changes tr[data-key="rules.credit_code_strict"]')).to_contain_text(
                "是"
            )
            expect(page.locator("#plan-diff .diff-add")).to_contain_text(["+  credit_code_strict: true"])
            page.screenshot(path=str(SHOTS / "qingqian_onboarding_preview.png"), full_page=True)
            assert serious_violations(page) == []
            page.fill("#f-reason", "县里要求严格校验信用代码")
            page.click("#plan-save button[type=submit]")
            expect(page.locator(".flash-success")).to_have_text("方案已保存为第 2 版")
            expect(page.locator("#plan-versions tbody tr")).to_have_count(2)
            expect(page.locator("#plan-versions tbody tr").first).to_contain_text("县里要求严格校验信用代码")
            expect(page.locator('#plan-values tr[data-key="rules.credit_code_strict"]')).to_contain_text(
                "本辖区方案"
            )

            # The org tree: a preview row by row, then the import.
            page.set_input_files(
                "#f-org-file",
                files=[
                    {
                        "name": "单位.xlsx",
                        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "buffer": org_sheet(ROWS).getvalue(),
                    }
                ],
            )
            page.click("#org-upload button[type=submit]")
            expect(page.locator('#org-preview tr[data-action="create"]')).to_have_count(5)
            page.click("#org-apply button[type=submit]")
            expect(page.locator(".flash-success")).to_have_text("已导入 5 个单位")

            # The first office admin and the one-time link.
            page.fill("#f-username", "county_office")
            page.fill("#f-display_name", "某县清欠办")
            page.click("#admin-form button[type=submit]")
            link = page.locator("#password-link").input_value()
            assert re.search(r"/password/set/[A-Za-z0-9_-]{20,}$", link), link
            page.screenshot(path=str(SHOTS / "qingqian_onboarding.png"), full_page=True)

            newcomer = watched_page(browser, errors)
            newcomer.goto(link)
            newcomer.fill("input[name=password]", "county-pass-2024")
            newcomer.fill("input[name=confirm]", "county-pass-2024")
            newcomer.click("button[type=submit]")
            expect(newcomer.locator("main")).to_contain_text("密码已设置")
            newcomer.goto(link)
            expect(newcomer.locator(".flash-error")).to_contain_text("链接无效、已使用或已过期")
            login(newcomer, live_server, "county_office", "county-pass-2024")
            newcomer.goto(live_server + "/plan")
            expect(newcomer.locator('#plan-values tr[data-key="deadlines.all_cleared"]')).to_contain_text(
                "继承自 xinzhou"
            )
            newcomer.goto(live_server + "/tenants")
            expect(newcomer.locator(".tree")).to_contain_text("某县城投物业公司")
            # The office takes everything of its jurisdiction with it (issue 15, point 4).
            with newcomer.expect_download() as download:
                newcomer.click("#jurisdiction-export")
            manifest, users, tables = transfer.read_archive(Path(download.value.path()).read_bytes())
            assert download.value.suggested_filename.startswith("county-")
            assert manifest["jurisdiction"]["code"] == "county"
            assert manifest["tables"]["tenant_nodes"]["rows"] == 6
            assert manifest["tables"]["plan_versions"]["rows"] == 2
            assert "county_office" in {u["username"] for u in users}
            # The office admin may not open the platform's onboarding pages.
            assert newcomer.goto(live_server + "/onboarding").status == 403
            assert not errors, errors
        finally:
            browser.close()

    with system_scope():
        county = db.session.scalar(db.select(TenantNode).where(TenantNode.code == "county"))
        assert county.plan["rules"]["credit_code_strict"] is True
        numbers = db.session.scalars(
            db.select(PlanVersion.number).where(PlanVersion.jurisdiction_id == county.id)
        )
        assert sorted(numbers) == [1, 2]
        assert db.session.scalar(db.select(User).where(User.username == "county_office")).password_hash
