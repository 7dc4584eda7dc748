"""Referral to financing: consent first (revocable), only confirmed receivables, the plan's partners, the
outcome, and the export's columns against the documented layout."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.extensions import db
from core.tenancy.scope import system_scope
from plugins.finance.referrals import export
from tests.finance.conftest import CREDITOR_CODE, DEBTOR_CODE, file_request, item_id

PARTNERS = [
    {"code": "zhongzheng", "name": "应收账款融资服务平台", "kind": "platform"},
    {"code": "bank1", "name": "甲市示例银行", "kind": "bank"},
]


@pytest.fixture
def confirmed(client, world, on_day):
    """A request of 125,000.00 confirmed in part for 100,000.00 on 2026-03-20, in a plan with two partners."""
    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "finance": {"partners": PARTNERS}}
        db.session.commit()
    on_day("2026-03-02")
    code = file_request(client)
    cid = item_id(client, world, code)
    on_day("2026-03-20")
    r = client.post(
        f"/api/v1/finance/confirmations/{cid}/answer",
        json={
            "outcome": "partial",
            "confirmed_amount": "100000.00",
            "payment_due_date": "2026-06-30",
            "debtor_code": DEBTOR_CODE,
            "reason_code": "quality",
            "reason": "部分石材待更换",
        },
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 200, r.json
    return cid, code


def consent(client, code: str, given: bool):
    return client.post(
        "/api/v1/public/finance/confirmations/consent",
        json={"jurisdiction": "a", "tracking_code": code, "phone_last4": "5678", "given": given},
    )


def refer(client, world, cid: int, partner: str = "bank1"):
    return client.post(
        "/api/v1/finance/referrals",
        json={"confirmation_id": cid, "partner": partner},
        headers=world.headers("office_a"),
    )


def test_no_referral_without_consent_and_consent_is_revocable(client, world, confirmed):
    cid, code = confirmed
    refused = refer(client, world, cid)
    assert refused.status_code == 422 and "同意" in refused.json["errors"]["confirmation_id"][0]
    assert consent(client, code, True).json["status"] == "partial"
    r = refer(client, world, cid)
    assert r.status_code == 201, r.json
    assert r.json["partner_name"] == "甲市示例银行" and r.json["status"] == "referred"
    assert refer(client, world, cid, "zhongzheng").status_code == 422  # one open referral at a time
    # Withdrawing consent takes the open referral back, and nothing more can be referred.
    assert consent(client, code, False).status_code == 200
    again = client.get(f"/api/v1/finance/referrals/{r.json['id']}", headers=world.headers("office_a")).json
    assert again["status"] == "withdrawn"
    assert refer(client, world, cid).status_code == 422
    steps = client.get(f"/api/v1/finance/confirmations/{cid}", headers=world.headers("office_a")).json[
        "steps"
    ]
    assert [s["action"] for s in steps][-4:] == ["consent", "referred", "consent", "referral_withdrawn"]
    assert consent(client, code, True).status_code == 200  # given again
    assert consent(client, code, True).status_code == 422  # already given


def test_only_confirmed_receivables_and_only_the_plans_partners(client, world, confirmed):
    cid, code = confirmed
    consent(client, code, True)
    assert refer(client, world, cid, "nobank").json["errors"]["partner"]
    pending = item_id(client, world, file_request(client, contract_no="HT-2026-019"))
    r = client.post(
        f"/api/v1/finance/confirmations/{pending}/consent",
        json={"given": True},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 200 and r.json["consent"] == "given"
    assert "已确认" in refer(client, world, pending).json["errors"]["confirmation_id"][0]
    assert [
        p["code"] for p in client.get("/api/v1/finance/partners", headers=world.headers("office_a")).json
    ] == [
        "zhongzheng",
        "bank1",
    ]


def test_outcomes_are_checked_and_recorded(client, world, confirmed, on_day):
    cid, code = confirmed
    consent(client, code, True)
    rid = refer(client, world, cid).json["id"]
    on_day("2026-04-10")
    url = f"/api/v1/finance/referrals/{rid}/outcome"
    bad = client.post(
        url,
        json={
            "outcome": "financed",
            "product": "factoring",
            "financed_amount": "120000.00",
            "annual_rate": "150",
            "financed_on": "2026-05-01",
        },
        headers=world.headers("office_a"),
    )
    assert bad.status_code == 422 and {"financed_amount", "annual_rate", "financed_on"} <= set(
        bad.json["errors"]
    )
    ok = client.post(
        url,
        json={
            "outcome": "financed",
            "product": "pledge",
            "financed_amount": "90000.00",
            "annual_rate": "3.85",
            "financed_on": "2026-04-08",
        },
        headers=world.headers("office_a"),
    )
    assert ok.status_code == 200, ok.json
    assert ok.json["status_label"] == "已融资" and ok.json["product_label"] == "应收账款质押"
    assert Decimal(ok.json["annual_rate"]) == Decimal("3.85") and ok.json["financed_amount"] == "90000.00"
    assert (
        client.post(
            url, json={"outcome": "declined", "declined_reason": "x"}, headers=world.headers("office_a")
        ).status_code
        == 422
    )
    # A declined referral needs its reason; then another partner may be tried.
    second = refer(client, world, cid, "zhongzheng").json["id"]
    no_reason = client.post(
        f"/api/v1/finance/referrals/{second}/outcome",
        json={"outcome": "declined"},
        headers=world.headers("office_a"),
    )
    assert no_reason.json["errors"]["declined_reason"]


def test_the_export_follows_the_documented_layout(client, world, confirmed):
    cid, code = confirmed
    consent(client, code, True)
    refer(client, world, cid)
    r = client.get("/api/v1/finance/referrals/export.xlsx?partner=bank1", headers=world.headers("office_a"))
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    documented = [
        line.split("|")[1].strip()
        for line in export.__doc__.splitlines()
        if line.startswith("| ") and "column" not in line
    ]
    assert list(rows[0]) == documented == list(export.COLUMNS)
    assert rows[1] == (
        1,
        "甲一镇人民政府",
        DEBTOR_CODE,
        "五台山宏达建材有限公司",
        CREDITOR_CODE,
        "HT-2026-018",
        "14002300000012345678",
        100000,
        "2026-06-30",
        f"QR2026-{cid:06d}",
        "2026-03-20",
        "甲市示例银行",
        "2026-03-20",
    )
    assert len(rows) == 2
    other = client.get(
        "/api/v1/finance/referrals/export.xlsx?partner=zhongzheng", headers=world.headers("office_a")
    )
    assert len(list(load_workbook(io.BytesIO(other.data)).active.iter_rows())) == 1
    # Consent withdrawn: the receivable leaves the package.
    consent(client, code, False)
    after = client.get("/api/v1/finance/referrals/export.xlsx", headers=world.headers("office_a"))
    assert len(list(load_workbook(io.BytesIO(after.data)).active.iter_rows())) == 1


def test_referrals_are_for_jurisdiction_wide_roles(client, world, confirmed):
    cid, code = confirmed
    consent(client, code, True)
    rid = refer(client, world, cid).json["id"]
    assert (
        client.get(f"/api/v1/finance/referrals/{rid}", headers=world.headers("leader_a")).status_code == 200
    )
    assert (
        client.get(f"/api/v1/finance/referrals/{rid}", headers=world.headers("clerk_a1")).status_code == 403
    )
    assert (
        client.get(f"/api/v1/finance/referrals/{rid}", headers=world.headers("office_b")).status_code == 404
    )
    assert refer(client, world, cid).status_code == 422
    r = client.post(
        "/api/v1/finance/referrals",
        json={"confirmation_id": cid, "partner": "bank1"},
        headers=world.headers("office_b"),
    )
    assert r.status_code == 404
