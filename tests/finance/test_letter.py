"""The confirmation letter: amounts in capitals, and the round trip public request → confirmation →
letter (.docx, read back with python-docx) → public verification, which reveals no personal data."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from docx import Document

from plugins.finance.confirmations.letter import capital
from tests.finance.conftest import DEBTOR_CODE, file_request, item_id


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("125000.00", "壹拾贰万伍仟元整"),
        ("100000.50", "壹拾万元伍角"),
        ("1005.07", "壹仟零伍元零柒分"),
        ("1000500", "壹佰万零伍佰元整"),
        ("100000001", "壹亿零壹元整"),
        ("20010.30", "贰万零壹拾元叁角"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("3800000.00", "叁佰捌拾万元整"),
    ],
)
def test_amounts_in_capitals(amount, written):
    assert capital(Decimal(amount)) == written


def verify(client, code: str, jurisdiction: str = "a"):
    return client.post(
        "/api/v1/public/finance/verify", json={"jurisdiction": jurisdiction, "verification_code": code}
    )


def test_request_to_letter_to_public_verification(client, world, on_day):
    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client))
    pending_letter = client.get(
        f"/api/v1/finance/confirmations/{cid}/letter.docx", headers=world.headers("clerk_a1")
    )
    assert pending_letter.status_code == 409  # no letter before a confirmation
    on_day("2026-03-20")
    r = client.post(
        f"/api/v1/finance/confirmations/{cid}/answer",
        json={"outcome": "confirmed", "payment_due_date": "2026-06-30", "debtor_code": DEBTOR_CODE},
        headers=world.headers("clerk_a1"),
    )
    code = r.json["verification_code"]
    assert re.fullmatch(r"[A-Z0-9]{12}", code)

    letter = client.get(f"/api/v1/finance/confirmations/{cid}/letter.docx", headers=world.headers("clerk_a1"))
    assert letter.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.data)).paragraphs)
    assert "应收账款确认函" in text and f"QR2026-{cid:06d}" in text
    assert "125,000.00 元（大写：壹拾贰万伍仟元整）" in text and "2026年6月30日" in text
    assert f"核验码：{code}" in text and "/public/a/finance/verify" in text and DEBTOR_CODE in text
    assert "第十六条" in text

    ok = verify(client, code.lower())
    assert ok.status_code == 200
    assert ok.json == {
        "genuine": True,
        "confirmation_no": f"QR2026-{cid:06d}",
        "confirmed_amount": "125000.00",
        "payment_due_date": "2026-06-30",
        "confirmed_on": "2026-03-20",
        "debtor_name": "甲一镇人民政府",
    }
    assert verify(client, "ABCDEFGHJKMN").json == {"genuine": False}
    assert verify(client, code, jurisdiction="b").status_code == 404  # b has not enabled the plugin

    page = client.get("/public/a/finance/verify?code=" + code).get_data(as_text=True)
    assert "真实有效" in page and "125000.00" in page and "王经理" not in page and "5678" not in page
    assert "未查到" in client.get("/public/a/finance/verify?code=ABCDEFGHJKMN").get_data(as_text=True)


def test_other_units_cannot_download_the_letter(client, world):
    cid = item_id(client, world, file_request(client))
    for outsider in ("clerk_a2", "clerk_b1"):
        r = client.get(f"/api/v1/finance/confirmations/{cid}/letter.docx", headers=world.headers(outsider))
        assert r.status_code == 404


def test_the_sme_downloads_its_letter_with_code_and_phone_digits(client, world):
    code = file_request(client)
    cid = item_id(client, world, code)
    url = "/api/v1/public/finance/confirmations/letter.docx"
    body = {"jurisdiction": "a", "tracking_code": code, "phone_last4": "5678"}
    assert client.post(url, json=body).status_code == 409  # not confirmed yet
    client.post(
        f"/api/v1/finance/confirmations/{cid}/answer",
        json={"outcome": "confirmed", "payment_due_date": "2026-06-30", "debtor_code": DEBTOR_CODE},
        headers=world.headers("clerk_a1"),
    )
    r = client.post(url, data=body)
    assert r.status_code == 200
    assert "应收账款确认函" in Document(io.BytesIO(r.data)).paragraphs[0].text
    assert client.post(url, json={**body, "phone_last4": "0000"}).status_code == 404
