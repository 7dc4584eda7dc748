"""The wages pages through the app: imports previewed then confirmed from the form, manual linking of an
unmatched case, the project page with its advance and a payment that bypasses the wage account."""

from __future__ import annotations

import io
import re

from tests.wages.conftest import CASE_SHEET, PROJECT_SHEET, upload, xlsx


def page(client, world, url: str, user: str = "office_a") -> str:
    r = client.get(url, headers=world.headers(user))
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def post(client, world, url: str, data: dict, user: str = "office_a", **kw):
    return client.post(url, data=data, headers=world.headers(user), follow_redirects=True, **kw)


def test_project_import_from_the_page_previews_then_commits(client, ledger):
    r = post(
        client,
        ledger,
        "/wages/import/projects",
        {"action": "preview", "file": (xlsx(PROJECT_SHEET), "项目.xlsx")},
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert (
        'data-key="read">6<' in html
        and 'data-key="accepted">2<' in html
        and 'data-key="duplicates">1<' in html
    )
    assert "245000.00 元 = 可导入 205000.00 元 + 不导入 40000.00 元" in html
    assert "不存在镇" in html
    assert page(client, ledger, "/wages").count("data-project=") == 0
    grid = re.search(r'name="grid" value="([^"]*)"', html).group(1)
    import html as html_lib

    r = post(client, ledger, "/wages/import/projects", {"action": "commit", "grid": html_lib.unescape(grid)})
    body = r.get_data(as_text=True)
    assert "已导入工程项目 2 条" in body
    assert body.count("data-project=") == 2 and "****6789" in body and "20.00%" in body
    assert "<td>甲一镇人民政府</td>" in body


def test_unmatched_case_linked_by_hand_and_paid_wages_first(client, ledger):
    upload(client, ledger, "projects", PROJECT_SHEET, dry_run=False)
    upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    h = ledger.headers("office_a")
    cases = {c["case_no"]: c for c in client.get("/api/v1/wages/cases", headers=h).json}
    html = page(client, ledger, "/wages")
    assert html.index("RS-003") < html.index("RS-001")  # cases waiting for a link come first
    assert "涉薪" in html
    rs3 = cases["RS-003"]["id"]
    case_html = page(client, ledger, f"/wages/cases/{rs3}")
    assert 'id="wages-link-form"' in case_html
    centre = ledger.debts["centre"]
    r = post(client, ledger, f"/wages/cases/{rs3}/link", {"debt_id": str(centre)})
    assert "已关联欠款，欠款已标记涉薪（工资部分 25,000.00 元）" in r.get_data(as_text=True)
    project = next(
        p["id"]
        for p in client.get("/api/v1/wages/projects", headers=h).json
        if p["name"] == "游客中心改造工程"
    )
    project_html = page(client, ledger, f"/wages/projects/{project}")
    assert 'data-key="advance">25,000.00<' in project_html
    # Wages first: 30,000 with only 5,000 for wages is refused, with the reason on the page.
    form = {
        "debt_id": str(centre),
        "kind": "works",
        "paid_on": "2023-07-01",
        "amount": "30000",
        "wage_amount": "5000",
    }
    r = post(client, ledger, f"/wages/projects/{project}/payments", form)
    assert "至少应有25000.00元用于支付农民工工资" in r.get_data(as_text=True)
    r = post(client, ledger, f"/wages/projects/{project}/payments", {**form, "wage_amount": "25000"})
    body = r.get_data(as_text=True)
    # 25% of 30,000 = 7,500 should have reached the wage account; nothing did.
    assert "已登记付款" in body and 'data-bypassed="1"' in body and "少 7,500.00 元" in body
    assert client.get(f"/api/v1/wages/cases/{rs3}", headers=h).json["status"] == "cleared"


def test_bad_upload_on_the_page_says_why(client, ledger):
    r = post(
        client,
        ledger,
        "/wages/import/cases",
        {"action": "preview", "file": (io.BytesIO(b"garbage"), "x.xlsx")},
        content_type="multipart/form-data",
    )
    assert "无法读取该文件" in r.get_data(as_text=True)
    assert client.get("/wages/import/cases", headers=ledger.headers("clerk_a1")).status_code == 403
