"""Server-rendered pages: new agreement, paying an installment, the progress board, nav and widget."""

from __future__ import annotations

import re

from tests.agreements.conftest import make_debt, nid
from tests.test_web import csrf_token, login


def test_record_agreement_pay_installment_and_see_progress(client, aw):
    debt = make_debt(client, aw, amount_owed="60000.00")
    login(client, "clerk_a1")
    assert "还款协议" in client.get("/").get_data(as_text=True)  # nav item
    page = client.get("/agreements/new")
    assert page.status_code == 200 and f'value="{debt["id"]}"' in page.get_data(as_text=True)
    token = csrf_token(client, "/agreements/new")
    form = {
        "csrf_token": token,
        "debt_id": str(debt["id"]),
        "agreed_amount": "60000",
        "signed_on": "2023-08-28",
        "planned_method": "transfer",
        "due_on": ["2023-09-15", "2023-10-15", "", ""],
        "amount": ["20000", "30000", "", ""],
    }
    r = client.post("/agreements/new", data=form)
    assert r.status_code == 422 and "与协议金额60000.00元不一致" in r.get_data(as_text=True)
    form["amount"] = ["20000", "40000", "", ""]
    r = client.post("/agreements/new", data=form)
    assert r.status_code == 302
    detail = r.headers["Location"]
    html = client.get(detail).get_data(as_text=True)
    assert "第1期" in html and "待付" in html
    action = re.search(r'action="(/agreements/installments/\d+/pay)"', html).group(1)
    r = client.post(
        action,
        data={
            "csrf_token": csrf_token(client, detail),
            "paid_on": "2023-09-10",
            "amount": "20000",
            "method": "transfer",
        },
    )
    assert r.status_code == 302
    html = client.get(detail).get_data(as_text=True)
    assert "已付清" in html and "20,000.00" in html
    progress = client.get("/agreements/progress?as_of=2023-09-20").get_data(as_text=True)
    assert 'id="cleared-ratio">33.33%' in progress and "echarts.min.js" in progress
    assert "burndown.js" in progress
    assert client.get("/agreements/progress/static/burndown.js").status_code == 200
    dash = client.get("/").get_data(as_text=True)
    assert "化解进度" in dash and 'data-key="agreements_ratio"' in dash


def test_pages_are_scoped_and_off_when_disabled(client, aw):
    from tests.agreements.conftest import set_agreements

    debt = make_debt(client, aw)
    r = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": debt["id"],
            "agreed_amount": "100000.00",
            "installments": [{"due_on": "2023-10-01", "amount": "100000.00"}],
        },
        headers=aw.headers("clerk_a1"),
    )
    aid = r.json["id"]
    login(client, "clerk_a2")
    assert client.get(f"/agreements/agreements/{aid}").status_code == 404
    assert client.get(f"/agreements/progress?unit={nid(aw, 'a.town1')}").status_code == 404
    set_agreements(aw, enabled=False)
    assert client.get("/agreements/").status_code == 404
    assert "化解进度" not in client.get("/").get_data(as_text=True)


def test_classification_page(client, aw):
    debt = make_debt(client, aw, undisputed_amount="70000.00", disputed_amount="30000.00")
    login(client, "clerk_a1")
    url = f"/agreements/debts/{debt['id']}/classification"
    assert "未分类" in client.get(url).get_data(as_text=True)
    token = csrf_token(client, url)
    r = client.post(url, data={"csrf_token": token, "debt_class": "difficulty", "reason": "等待审计"})
    assert r.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "第十四条" in html and "未分类" in html
    client.post(url, data={"csrf_token": token, "debt_class": "disputed", "confirmed_on": "2023-08-20"})
    client.post(
        url, data={"csrf_token": token, "action": "step", "kind": "mediation", "started_on": "2023-08-25"}
    )
    html = client.get(url).get_data(as_text=True)
    assert "2023年9月19日 前清偿" in html and "调解" in html and "2023年8月25日" in html


def test_reverse_from_the_agreement_page(client, aw):
    debt = make_debt(client, aw)
    a = client.post(
        "/api/v1/agreements/agreements",
        json={
            "debt_id": debt["id"],
            "agreed_amount": "100000.00",
            "signed_on": "2023-08-28",
            "installments": [{"due_on": "2023-10-01", "amount": "100000.00"}],
        },
        headers=aw.headers("clerk_a1"),
    ).json
    inst = a["installments"][0]["id"]
    p = client.post(
        f"/api/v1/agreements/installments/{inst}/payments",
        json={"paid_on": "2023-09-01", "amount": "1000.00"},
        headers=aw.headers("clerk_a1"),
    ).json
    login(client, "clerk_a1")
    detail = f"/agreements/agreements/{a['id']}"
    token = csrf_token(client, detail)
    r = client.post(f"/agreements/payments/{p['id']}/reverse", data={"csrf_token": token, "reason": ""})
    assert "冲正必须填写原因" in client.get(r.headers["Location"]).get_data(as_text=True)
    client.post(f"/agreements/payments/{p['id']}/reverse", data={"csrf_token": token, "reason": "重复录入"})
    html = client.get(detail).get_data(as_text=True)
    assert "已冲正：重复录入" in html and "部分已付" not in html
