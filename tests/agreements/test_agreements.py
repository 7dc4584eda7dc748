"""Repayment agreements: installments, deadlines and reasons, flagged methods, signed scans."""

from __future__ import annotations

import io

from tests.agreements.conftest import make_debt

URL = "/api/v1/agreements/agreements"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def body(debt_id: int, **overrides) -> dict:
    out = {
        "debt_id": debt_id,
        "agreed_amount": "100000.00",
        "signed_on": "2023-08-28",
        "installments": [
            {"due_on": "2023-09-15", "amount": "40000.00"},
            {"due_on": "2023-10-20", "amount": "60000.00"},
        ],
    }
    out.update(overrides)
    return out


def test_agreement_with_installments_puts_the_debt_under_agreement(client, aw):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    r = client.post(URL, json=body(debt["id"]), headers=h)
    assert r.status_code == 201, r.json
    a = r.json
    assert a["status"] == "signed" and a["debtor_party"] == "甲一镇人民政府"
    assert a["creditor_party"] == "五台山宏达建筑工程有限公司"
    assert [(i["seq"], i["amount"], i["status"]) for i in a["installments"]] == [
        (1, "40000.00", "pending"),
        (2, "60000.00", "pending"),
    ]
    assert a["warnings"] == []
    assert client.get(f"/api/v1/debts/{debt['id']}", headers=h).json["status"] == "under_agreement"
    assert client.post(URL, json=body(debt["id"]), headers=h).status_code == 409


def test_installments_must_sum_to_the_agreed_amount(client, aw):
    debt = make_debt(client, aw)
    bad = body(debt["id"], installments=[{"due_on": "2023-09-15", "amount": "40000.00"}])
    r = client.post(URL, json=bad, headers=aw.headers("clerk_a1"))
    assert r.status_code == 422
    assert (
        "40000.00" in r.json["errors"]["installments"][0]
        and "100000.00" in r.json["errors"]["installments"][0]
    )
    r = client.post(URL, json=body(debt["id"], agreed_amount="150000.00"), headers=aw.headers("clerk_a1"))
    assert r.status_code == 422 and "agreed_amount" in r.json["errors"]


def test_dates_after_the_final_deadline_need_a_reason_that_is_not_a_banned_excuse(client, aw):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    late = [{"due_on": "2023-09-15", "amount": "40000.00"}, {"due_on": "2023-11-30", "amount": "60000.00"}]
    r = client.post(URL, json=body(debt["id"], installments=late), headers=h)
    assert r.status_code == 422 and "2023年10月31日" in r.json["errors"]["late_reason"][0]
    r = client.post(URL, json=body(debt["id"], installments=late, late_reason="等待审计结果"), headers=h)
    assert r.status_code == 422 and "第十四条" in r.json["errors"]["late_reason"][0]
    r = client.post(
        URL,
        json=body(debt["id"], installments=late, late_reason="县级财政专项资金11月下达，经双方协商一致"),
        headers=h,
    )
    assert r.status_code == 201, r.json


def test_commercial_bill_or_e_voucher_is_flagged_as_possible_term_extension(client, aw):
    debt = make_debt(client, aw)
    r = client.post(
        URL, json=body(debt["id"], planned_method="commercial_bill"), headers=aw.headers("clerk_a1")
    )
    assert r.status_code == 201
    assert r.json["term_extension_flag"] is True
    assert "条例第十一条" in r.json["warnings"][0]["message"]


def test_draft_then_sign(client, aw):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    r = client.post(URL, json=body(debt["id"], signed_on=None), headers=h)
    assert r.status_code == 201 and r.json["status"] == "draft"
    r = client.post(f"{URL}/{r.json['id']}/sign", json={"signed_on": "2023-09-02"}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "signed"


def test_scan_upload_checks_magic_bytes_and_size_and_stays_in_scope(client, aw, app):
    debt = make_debt(client, aw)
    h = aw.headers("clerk_a1")
    aid = client.post(URL, json=body(debt["id"]), headers=h).json["id"]
    scan = f"{URL}/{aid}/scan"

    def up(data: bytes, name: str, who: str = "clerk_a1"):
        return client.post(
            scan,
            data={"file": (io.BytesIO(data), name)},
            headers=aw.headers(who),
            content_type="multipart/form-data",
        )

    assert up(b"MZ\x90\x00 not a pdf", "协议.pdf").status_code == 422  # right extension, wrong content
    assert up(PNG, "协议.pdf").status_code == 422  # content and extension disagree
    app.config["AGREEMENTS_SCAN_MAX_BYTES"] = 100
    try:
        assert up(PDF + b"0" * 200, "协议.pdf").status_code == 413
    finally:
        app.config.pop("AGREEMENTS_SCAN_MAX_BYTES")
    r = up(PDF, "还款协议.pdf")
    assert r.status_code == 200, r.json
    assert r.json["scan_mime"] == "application/pdf" and r.json["scan_size"] == len(PDF)
    r = client.get(scan, headers=h)
    assert r.status_code == 200 and r.data == PDF
    assert client.get(scan, headers=aw.headers("clerk_a2")).status_code == 404
    assert client.get(scan, headers=aw.headers("clerk_b1")).status_code == 404
    assert up(PNG, "x.png", who="clerk_a2").status_code == 404
    assert up(PNG, "签字页.png").status_code == 200
