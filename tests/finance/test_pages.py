"""The pages: the public request form and status lookup (no login), the staff list and answer form."""

from __future__ import annotations

import re

from flask import g

from tests.finance.conftest import CREDITOR_CODE, DEBTOR_CODE, file_request, item_id

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client, path: str) -> str:
    g.pop("csrf_token", None)
    match = TOKEN_RE.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str) -> None:
    r = client.post(
        "/login",
        data={"username": username, "password": "secret-pass-1", "csrf_token": token(client, "/login")},
    )
    assert r.status_code == 302


def test_public_form_keeps_what_was_typed_and_says_what_is_wrong(client, world):
    page = "/public/a/finance/confirm"
    html = client.get(page).get_data(as_text=True)
    assert '<option value="a.town1">甲一镇人民政府</option>' in html and 'value="a"' not in html
    form = {
        "csrf_token": token(client, page),
        "creditor_name": "五台山宏达建材有限公司",
        "creditor_code": CREDITOR_CODE,
        "contact_name": "王经理",
        "contact_phone": "13800005678",
        "debtor_unit": "a.town1",
        "contract_no": "HT-2026-018",
        "amount": "约12万",
    }
    r = client.post(page, data=form)
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "须为确切金额" in text and 'value="HT-2026-018"' in text and 'value="a.town1" selected' in text
    form["amount"] = "12万"
    ok = client.post(page, data=form)
    code = re.search(r'<p class="tracking-code">([A-Z0-9]{12})</p>', ok.get_data(as_text=True))
    assert ok.status_code == 200 and code

    status_page = "/public/a/finance/status"
    found = client.post(
        status_page,
        data={
            "csrf_token": token(client, status_page),
            "tracking_code": code.group(1),
            "phone_last4": "5678",
        },
    )
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and "待欠款单位确认" in text and "120000.00" in text
    wrong = client.post(
        status_page,
        data={
            "csrf_token": token(client, status_page),
            "tracking_code": code.group(1),
            "phone_last4": "1111",
        },
    )
    assert wrong.status_code == 404 and "未找到" in wrong.get_data(as_text=True)


def test_public_form_without_csrf_token_is_refused(client, world):
    r = client.post("/public/a/finance/confirm", data={"creditor_name": "x"})
    assert r.status_code == 400


def test_the_debtor_answers_on_the_page_and_a_banned_excuse_is_refused(client, world):
    cid = item_id(client, world, file_request(client))
    login(client, "clerk_a1")
    listing = client.get("/finance").get_data(as_text=True)
    assert "五台山宏达建材有限公司" in listing and "待欠款单位确认" in listing
    page = f"/finance/confirmations/{cid}"
    assert "答复确权申请" in client.get(page).get_data(as_text=True)
    refused = client.post(
        f"{page}/answer",
        data={
            "csrf_token": token(client, page),
            "outcome": "disputed",
            "reason_code": "other",
            "reason": "领导变更，暂缓",
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "第十四条" in text and "领导变更，暂缓" in text
    done = client.post(
        f"{page}/answer",
        data={
            "csrf_token": token(client, page),
            "outcome": "confirmed",
            "payment_due_date": "2026-06-30",
            "debtor_code": DEBTOR_CODE,
        },
    )
    assert done.status_code == 302
    text = client.get(page).get_data(as_text=True)
    assert "已确认" in text and "2026年6月30日" in text and "答复确权申请" not in text


def test_pages_of_other_units_answer_404(client, world):
    cid = item_id(client, world, file_request(client))
    login(client, "clerk_a2")
    assert client.get(f"/finance/confirmations/{cid}").status_code == 404
    assert "五台山宏达建材有限公司" not in client.get("/finance").get_data(as_text=True)


def test_the_sme_consents_on_the_status_page_and_the_office_refers_on_the_request_page(client, world):
    code = file_request(client)
    cid = item_id(client, world, code)
    r = client.post(
        f"/api/v1/finance/confirmations/{cid}/answer",
        json={"outcome": "confirmed", "payment_due_date": "2026-06-30", "debtor_code": DEBTOR_CODE},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 200
    status_page = "/public/a/finance/status"
    given = client.post(
        status_page,
        data={
            "csrf_token": token(client, status_page),
            "action": "consent",
            "tracking_code": code,
            "phone_last4": "5678",
            "given": "1",
        },
    )
    assert given.status_code == 200 and "您已同意" in given.get_data(as_text=True)

    login(client, "office_a")
    page = f"/finance/confirmations/{cid}"
    assert 'data-consent="given"' in client.get(page).get_data(as_text=True)
    action = f"{page}/referrals"
    referred = client.post(
        action, data={"csrf_token": token(client, page), "action": "refer", "partner": "zhongzheng"}
    )
    assert referred.status_code == 302
    text = client.get(page).get_data(as_text=True)
    assert "应收账款融资服务平台" in text and "已推介，待反馈" in text
    rid = re.search(r'name="referral_id" value="(\d+)"', text).group(1)
    bad = client.post(
        action,
        data={
            "csrf_token": token(client, page),
            "action": "outcome",
            "referral_id": rid,
            "outcome": "financed",
            "product": "factoring",
            "financed_amount": "125000.00",
        },
    )
    assert bad.status_code == 422 and "年化利率" in bad.get_data(as_text=True)
    done = client.post(
        action,
        data={
            "csrf_token": token(client, page),
            "action": "outcome",
            "referral_id": rid,
            "outcome": "financed",
            "product": "factoring",
            "financed_amount": "120000.00",
            "annual_rate": "4.2",
            "financed_on": r.json["answered_on"],
        },
    )
    assert done.status_code == 302
    text = client.get(page).get_data(as_text=True)
    assert "已融资" in text and "保理" in text and "120,000.00" in text


def test_a_unit_clerk_sees_no_referral_section(client, world):
    cid = item_id(client, world, file_request(client))
    login(client, "clerk_a1")
    assert "推介融资" not in client.get(f"/finance/confirmations/{cid}").get_data(as_text=True)
    assert (
        client.post(
            f"/finance/confirmations/{cid}/referrals",
            data={"csrf_token": token(client, "/finance"), "action": "refer"},
        ).status_code
        == 403
    )
