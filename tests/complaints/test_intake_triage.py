"""Amounts as written, the triage suggestion and the office's decision, 待补充材料, aliases, wages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from core import workdays
from core.extensions import db
from core.models.debt import Debt
from core.tenancy.models import UnitAlias
from core.tenancy.scope import system_scope
from plugins.complaints.models import Complaint
from tests.complaints.conftest import filing, nid

DAY = dt.date(2023, 9, 25)  # a Monday


class _PinnedDay(dict):
    """``day["value"] = date`` pins the app's business clock to noon of that date in Beijing."""

    def __init__(self, app) -> None:
        super().__init__()
        self.app = app

    def __setitem__(self, key, day: dt.date) -> None:
        super().__setitem__(key, day)
        self.app.config["CLOCK_NOW"] = dt.datetime.combine(day, dt.time(4, 0))  # 12:00 Beijing, in UTC


@pytest.fixture
def fixed_today(app):
    day = _PinnedDay(app)
    day["value"] = DAY
    return day


def file(client, **overrides):
    r = client.post("/api/v1/public/complaints", json=filing(**overrides))
    assert r.status_code == 201, r.json
    with system_scope():
        case = db.session.scalar(
            db.select(Complaint).where(Complaint.tracking_code == r.json["tracking_code"])
        )
        return case.id, r.json["tracking_code"]


def post(client, world, user, path, body):
    return client.post(f"/api/v1/complaints{path}", json=body, headers=world.headers(user))


def get(client, world, cid, user="office_a"):
    return client.get(f"/api/v1/complaints/{cid}", headers=world.headers(user)).json


@pytest.mark.parametrize(
    ("written", "value", "approximate"),
    [
        ("35万", "350000.00", False),
        ("169,700元", "169700.00", False),
        ("约43.9万元", "439000.00", True),
        ("20多万", "200000.00", True),
        ("20-30万", "200000.00", True),
        ("１２，５００元", "12500.00", False),
        ("3万余元", "30000.00", True),
    ],
)
def test_amounts_as_people_write_them_are_filed(client, cworld, written, value, approximate):
    # Before: all of these were refused with "金额格式不正确".
    cid, _code = file(client, amount=written)
    case = get(client, cworld, cid)
    assert case["amount"] == value and case["amount_approximate"] is approximate
    assert case["amount_text"] == written.replace("，", ",").replace("１２", "12").replace("５００", "500")


def test_blank_amount_is_filed_and_flagged_for_the_office(client, cworld):
    cid, _code = file(client, amount="")
    case = get(client, cworld, cid)
    assert case["amount"] is None
    assert case["triage_suggestion"]["category"] == "needs_info"
    assert "没有填写欠款金额，需请投诉人补充" in case["triage_suggestion"]["reasons"]
    # It cannot be accepted (and later become a debt) before the amount is known.
    r = post(
        client, cworld, "office_a", f"/{cid}/decision", {"category": "accept", "override_reason": "电话核实"}
    )
    assert r.status_code == 422 and "amount" in r.json["errors"]


def test_unreadable_amount_says_what_to_write(client, cworld):
    r = client.post("/api/v1/public/complaints", json=filing(amount="好几万吧"))
    assert r.status_code == 422
    message = r.json["errors"]["amount"][0]
    assert "好几万吧" in message and "35万" in message and "留空" in message
    with system_scope():
        assert db.session.scalar(db.select(db.func.count()).select_from(Complaint)) == 0


def test_suggestion_names_the_evidence_and_one_click_accepts(client, cworld, fixed_today):
    cid, _ = file(client, description="2023年5月交货，已起诉到法院。")
    case = get(client, cworld, cid)
    assert case["triage_suggestion"] == {
        "category": "judicial",
        "label": "已进入司法程序",
        "reasons": ["描述中出现“已起诉”"],
    }
    r = post(client, cworld, "office_a", f"/{cid}/decision", {})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "out_of_scope" and r.json["out_of_scope_reason"] == "judicial"
    assert r.json["triage_category"] == "judicial" and r.json["triage_override_reason"] is None

    large, _ = file(client, creditor_size="large")
    assert get(client, cworld, large)["triage_suggestion"]["reasons"] == ["申报规模为大型"]
    assert post(client, cworld, "office_a", f"/{large}/decision", {}).json["out_of_scope_reason"] == (
        "large_creditor"
    )


def test_override_needs_a_reason_which_is_kept_and_counted(client, cworld, fixed_today):
    cid, _ = file(client)
    assert get(client, cworld, cid)["triage_suggestion"]["category"] == "accept"
    r = post(client, cworld, "office_a", f"/{cid}/decision", {"category": "private_debtor"})
    assert r.status_code == 422 and "override_reason" in r.json["errors"]
    with system_scope():
        assert db.session.get(Complaint, cid).status == "received"  # nothing half-written
    r = post(
        client,
        cworld,
        "office_a",
        f"/{cid}/decision",
        {"category": "private_debtor", "override_reason": "电话核实，实为个人承包"},
    )
    assert r.status_code == 200 and r.json["status"] == "out_of_scope"
    assert r.json["triage_override_reason"] == "电话核实，实为个人承包"
    other, _ = file(client, creditor_name="五台山另一家建材有限公司")
    assert post(client, cworld, "office_a", f"/{other}/decision", {}).json["status"] == "accepted"
    board = client.get("/api/v1/complaints/board", headers=cworld.headers("office_a")).json
    assert board["triage_hit_rate"] == {"decided": 2, "hits": 1, "rate": 0.5}


def test_needs_info_asks_through_the_tracking_page_and_restarts_the_clock(client, cworld, fixed_today):
    cid, code = file(client, debtor="某个部门", amount="")
    case = get(client, cworld, cid)
    assert case["triage_suggestion"]["category"] == "needs_info" and case["debtor_unit_id"] is None
    r = post(
        client,
        cworld,
        "office_a",
        f"/{cid}/decision",
        {"info_request": "请写明欠款单位全称和欠款金额"},
    )
    assert r.status_code == 200 and r.json["status"] == "needs_info" and r.json["deadline"] is None
    lookup = {"jurisdiction": "a", "tracking_code": code, "phone_last4": "5678"}
    status = client.post("/api/v1/public/complaints/status", json=lookup).json
    assert status["status_label"] == "待补充材料" and status["info_request"] == "请写明欠款单位全称和欠款金额"
    # A bad amount in the answer is refused and nothing changes.
    fixed_today["value"] = DAY + dt.timedelta(days=20)
    r = client.post("/api/v1/public/complaints/info", json={**lookup, "reply": "补充", "amount": "很多"})
    assert r.status_code == 422 and "amount" in r.json["errors"]
    # Wrong phone digits: the same answer as an unknown code.
    r = client.post("/api/v1/public/complaints/info", json={**lookup, "phone_last4": "0000", "reply": "x"})
    assert r.status_code == 404
    r = client.post(
        "/api/v1/public/complaints/info",
        json={**lookup, "reply": "欠款单位是甲一镇政府", "amount": "约8.5万", "debtor": "甲一镇政府"},
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "received" and r.json["info_request"] is None
    case = get(client, cworld, cid)
    answered = DAY + dt.timedelta(days=20)
    assert case["info_replied_on"] == answered.isoformat()
    assert case["transfer_due"] == workdays.add_working_days(answered, 10).isoformat()
    assert case["amount"] == "85000.00" and case["amount_approximate"] is True
    assert case["debtor_unit_id"] == nid(cworld, "a.town1")
    assert case["triage_suggestion"]["category"] == "accept"
    assert [s["action"] for s in case["timeline"]] == ["received", "needs_info", "info_supplied"]


def test_office_correction_becomes_an_alias(client, cworld, fixed_today):
    cid, _ = file(client, debtor="甲一镇小东庄片区办")
    r = post(client, cworld, "office_a", f"/{cid}/debtor", {"unit_id": nid(cworld, "a")})
    assert r.status_code == 422  # never the jurisdiction itself
    r = post(client, cworld, "office_a", f"/{cid}/debtor", {"unit_id": nid(cworld, "a.town2")})
    assert r.status_code == 200 and r.json["debtor_unit_id"] == nid(cworld, "a.town2")
    with system_scope():
        alias = db.session.scalar(db.select(UnitAlias))
        assert alias.name == "甲一镇小东庄片区办" and alias.unit_id == nid(cworld, "a.town2")
    again, _ = file(client, debtor="甲一镇 小东庄片区办", creditor_name="另一家公司")
    case = get(client, cworld, again)
    assert case["debtor_unit_id"] == nid(cworld, "a.town2") and case["debtor_confidence"] == "高"


def test_migrant_wages_are_asked_and_carried_to_the_debt(client, cworld, fixed_today):
    cid, _ = file(client, amount="35万", migrant_wages="是", migrant_wage_amount="12万")
    case = get(client, cworld, cid)
    assert case["migrant_wages"] is True and case["migrant_wage_amount"] == "120000.00"
    assert post(client, cworld, "office_a", f"/{cid}/decision", {}).status_code == 200
    assert (
        post(client, cworld, "office_a", f"/{cid}/transfer", {"unit_id": nid(cworld, "a.town1")}).status_code
        == 200
    )
    r = post(
        client,
        cworld,
        "clerk_a1",
        f"/{cid}/outcome",
        {"outcome": "undisputed", "detail": "已核实", "payment_deadline": "2023-10-31"},
    )
    assert r.status_code == 200, r.json
    with system_scope():
        debt = db.session.get(Debt, r.json["debts"][0]["id"])
        assert debt.migrant_wages is True and debt.migrant_wage_amount == Decimal("120000.00")
        assert debt.wage_amount_pending is False

    pending, _ = file(client, amount="20万", migrant_wages="是", creditor_name="第三家公司")
    post(client, cworld, "office_a", f"/{pending}/decision", {})
    post(client, cworld, "office_a", f"/{pending}/transfer", {"unit_id": nid(cworld, "a.town1")})
    r = post(
        client,
        cworld,
        "clerk_a1",
        f"/{pending}/outcome",
        {"outcome": "disputed", "detail": "金额有争议", "route": "negotiation"},
    )
    with system_scope():
        debt = db.session.get(Debt, r.json["debts"][0]["id"])
        assert debt.migrant_wages is True and debt.wage_amount_pending is True

    r = client.post(
        "/api/v1/public/complaints",
        json=filing(amount="10万", migrant_wages="是", migrant_wage_amount="12万", creditor_name="第四家"),
    )
    assert r.status_code == 422 and "不能超过欠款总额" in r.json["errors"]["migrant_wage_amount"][0]


def test_pages_explain_amounts_and_take_the_suggestion_in_one_click(client, cworld, fixed_today):
    from tests.test_web import csrf_token, login

    form = client.get("/public/a/complaints/new").get_data(as_text=True)
    assert "约43.9万元" in form and "不知道可以留空" in form and 'name="migrant_wages"' in form
    assert "<script>" not in form and "onclick" not in form
    status_page = client.get("/public/a/complaints/status").get_data(as_text=True)
    assert 'id="info-form"' in status_page
    cid, _ = file(client, description="对方已向法院起诉我们")
    login(client, "office_a")
    page = client.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "系统建议：已进入司法程序" in page and "描述中出现“已向法院”" in page
    token = csrf_token(client, f"/complaints/{cid}")
    r = client.post(f"/complaints/{cid}", data={"action": "decide", "csrf_token": token})
    assert r.status_code == 302
    with system_scope():
        case = db.session.get(Complaint, cid)
        assert case.status == "out_of_scope" and case.triage_category == "judicial"
    board = client.get("/complaints/board").get_data(as_text=True)
    assert "核查建议命中率" in board and "100.0%（1/1）" in board


def test_decision_debtor_and_info_routes_stay_in_their_tenant(client, cworld, fixed_today):
    cid, code = file(client, amount="")
    # Another jurisdiction's office does not find the case; a's office cannot name b's unit as debtor.
    assert post(client, cworld, "office_b", f"/{cid}/decision", {}).status_code == 404
    assert (
        post(client, cworld, "office_b", f"/{cid}/debtor", {"unit_id": nid(cworld, "b.town1")}).status_code
        == 404
    )
    r = post(client, cworld, "office_a", f"/{cid}/debtor", {"unit_id": nid(cworld, "b.town1")})
    assert r.status_code == 404 and "unit_id" in r.json["errors"]
    # A unit clerk cannot decide for the office.
    assert post(client, cworld, "clerk_a1", f"/{cid}/decision", {}).status_code == 403
    assert post(client, cworld, "office_a", f"/{cid}/decision", {}).json["status"] == "needs_info"
    # The public answer is reachable only with the case's own jurisdiction, code and phone digits.
    body = {
        "jurisdiction": "b",
        "tracking_code": code,
        "phone_last4": "5678",
        "reply": "补充",
        "amount": "5万",
    }
    assert client.post("/api/v1/public/complaints/info", json=body).status_code == 404
    with system_scope():
        assert db.session.get(Complaint, cid).amount is None


def test_the_form_says_in_plain_chinese_when_the_debtor_is_not_found(client, cworld, fixed_today):
    found = client.post("/api/v1/public/complaints", json=filing())
    assert found.status_code == 201 and "debtor_hint" not in found.json
    outside = client.post("/api/v1/public/complaints", json=filing(debtor="繁峙县砂河镇政府"))
    assert outside.status_code == 201, outside.json  # filed all the same
    assert (
        outside.json["debtor_hint"].startswith("“繁峙县砂河镇”不在")
        and "投诉已登记" in outside.json["debtor_hint"]
    )
    unknown = client.post("/api/v1/public/complaints", json=filing(debtor="乙九水务公司"))
    assert unknown.status_code == 201
    assert (
        "没有找到“乙九水务公司”" in unknown.json["debtor_hint"]
        and "清欠办会联系您" in unknown.json["debtor_hint"]
    )
    # A court case is read by the office as written: no hint about the name.
    judicial = client.post("/api/v1/public/complaints", json=filing(debtor="乙九局", description="已起诉。"))
    assert judicial.status_code == 201 and "debtor_hint" not in judicial.json


def test_every_refusal_lands_next_to_its_field_on_the_form(client, cworld):
    blank = {name: "" for name in filing()} | {"jurisdiction": "a"}
    r = client.post("/api/v1/public/complaints", json=blank)
    assert r.status_code == 422 and "debtor" in r.json["errors"]
    page = client.get("/public/a/complaints/new").get_data(as_text=True)
    slots = set(re.findall(r'class="field-error" data-for="([^"]+)"', page))
    assert set(r.json["errors"]) <= slots, set(r.json["errors"]) - slots


def test_the_answer_restarts_the_clock_by_the_plans_working_days(client, cworld, fixed_today):
    with system_scope():
        a = cworld.node("a")
        a.plan = {**a.plan, "rules": {**(a.plan.get("rules") or {}), "complaint_transfer_working_days": 3}}
        db.session.commit()
    cid, code = file(client, debtor="某个部门")
    assert get(client, cworld, cid)["transfer_due"] == workdays.add_working_days(DAY, 3).isoformat()
    r = post(client, cworld, "office_a", f"/{cid}/decision", {"info_request": "请写明欠款单位全称"})
    assert r.status_code == 200
    fixed_today["value"] = DAY + dt.timedelta(days=7)
    lookup = {"jurisdiction": "a", "tracking_code": code, "phone_last4": "5678"}
    r = client.post(
        "/api/v1/public/complaints/info", json={**lookup, "reply": "是甲一镇政府", "debtor": "甲一镇政府"}
    )
    assert r.status_code == 200, r.json
    answered = DAY + dt.timedelta(days=7)
    assert get(client, cworld, cid)["transfer_due"] == workdays.add_working_days(answered, 3).isoformat()
