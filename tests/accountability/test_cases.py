"""Typical cases and 失信 referral (issue 17, point 7): the creditor must be anonymised, a case is public
only once approved and published, an SOE can be proposed for 失信 with a decision record."""

from __future__ import annotations

from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope
from tests.accountability.conftest import nid

API = "/api/v1/accountability/cases"
CREDITOR = "五台山宏达建筑工程有限公司"  # the fixtures' creditor (tests.conftest.debt_payload)


def draft(client, world, **extra) -> object:
    body = {
        "unit_id": nid(world, "a.town1"),
        "title": "甲一镇拖欠工程款被通报",
        "summary": "甲一镇拖欠某建筑公司工程款10万元，经督办仍未支付。",
        "lesson": "应付尽付，不得以任何理由拖欠。",
        **extra,
    }
    return client.post(API, json=body, headers=world.headers("office_a"))


def test_creditor_must_be_anonymised(client, ledger):
    r = draft(client, ledger, summary=f"甲一镇拖欠{CREDITOR}工程款")
    assert r.status_code == 422 and CREDITOR in r.json["errors"]["summary"][0]
    assert client.get(API, headers=ledger.headers("office_a")).json == []
    case = draft(client, ledger).json
    r = client.patch(
        f"{API}/{case['id']}", json={"lesson": f"{CREDITOR}应受保护"}, headers=ledger.headers("office_a")
    )
    assert r.status_code == 422


def test_public_only_once_approved_and_published(client, ledger):
    h = ledger.headers("office_a")
    case = draft(client, ledger).json
    assert client.get("/api/v1/public/a/accountability/cases").json == []
    r = client.post(f"{API}/{case['id']}/publish", headers=h)
    assert r.status_code == 409 and "须先审核" in r.json["errors"]["status"][0]
    assert client.post(f"{API}/{case['id']}/approve", headers=h).json["status"] == "approved"
    assert client.get("/api/v1/public/a/accountability/cases").json == []
    r = client.post(f"{API}/{case['id']}/publish", headers=h)
    assert r.status_code == 200 and r.json["published_on"] == "2023-09-30"
    public = client.get("/api/v1/public/a/accountability/cases").json
    assert [(c["title"], c["published_on"]) for c in public] == [("甲一镇拖欠工程款被通报", "2023-09-30")]
    assert "unit_id" not in public[0]
    page = client.get("/public/a/cases").get_data(as_text=True)
    assert "甲一镇拖欠某建筑公司工程款10万元" in page and "2023年9月30日" in page
    assert client.patch(f"{API}/{case['id']}", json={"title": "改"}, headers=h).status_code == 409
    assert client.get("/api/v1/public/b/accountability/cases").status_code == 404  # b has not enabled it
    assert client.get("/public/nowhere/cases").status_code == 404
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action).where(Event.entity_type == "accountability_cases").order_by(Event.id)
        ).all()
    assert actions == ["drafted", "approved", "published"]


def test_credit_referral_with_a_decision(client, ledger):
    h = ledger.headers("office_a")
    url = "/api/v1/accountability/credit-referrals"
    r = client.post(url, json={"unit_id": nid(ledger, "a.town1"), "reason": "x"}, headers=h)
    assert r.status_code == 422 and "国有企业和大型企业" in r.json["errors"]["unit_id"][0]
    r = client.post(
        url, json={"unit_id": nid(ledger, "a.soe"), "reason": "屡次承诺不兑现，恶意拖欠"}, headers=h
    )
    assert r.status_code == 201 and r.json["status"] == "proposed"
    decide = f"{url}/{r.json['id']}/decide"
    body = {
        "decision": "approved",
        "decision_no": "甲发改〔2023〕12号",
        "decided_by": "甲风景区发展改革局",
        "decided_on": "2023-09-30",
        "note": "纳入失信惩戒名单",
    }
    assert client.post(decide, json={**body, "decided_on": "2023-10-01"}, headers=h).status_code == 409
    r = client.post(decide, json=body, headers=h)
    assert r.status_code == 200 and (r.json["status"], r.json["decision_no"]) == (
        "approved",
        "甲发改〔2023〕12号",
    )
    assert client.post(decide, json=body, headers=h).status_code == 409
    assert client.get(url, headers=ledger.headers("clerk_a1")).status_code == 403
    assert len(client.get(url, headers=ledger.headers("auditor_a")).json) == 1


def test_pages_draft_edit_approve_publish(client, ledger):
    h = ledger.headers("office_a")
    r = client.post(
        "/accountability/cases",
        data={"unit_id": nid(ledger, "a.town1"), "title": "甲一镇拖欠案", "summary": f"拖欠{CREDITOR}"},
        headers=h,
    )
    assert r.status_code == 302
    page = client.get("/accountability/cases", headers=h).get_data(as_text=True)
    assert "请匿名化" in page and "暂无案例" in page
    client.post(
        "/accountability/cases",
        data={"unit_id": nid(ledger, "a.town1"), "title": "甲一镇拖欠案", "summary": "拖欠某公司货款"},
        headers=h,
    )
    case = client.get(API, headers=h).json[0]
    page = client.get("/accountability/cases", headers=h).get_data(as_text=True)
    assert f"/accountability/cases/{case['id']}/edit" in page and "修改草稿" in page
    edit = f"/accountability/cases/{case['id']}/edit"
    client.post(edit, data={"title": "甲一镇拖欠案", "summary": f"拖欠{CREDITOR}货款"}, headers=h)
    assert client.get(f"{API}/{case['id']}", headers=h).json["summary"] == "拖欠某公司货款"
    r = client.post(
        edit,
        data={"title": "甲一镇拖欠货款被通报", "summary": "拖欠某公司货款8万元", "lesson": "警示"},
        headers=h,
    )
    assert r.status_code == 302
    got = client.get(f"{API}/{case['id']}", headers=h).json
    assert (got["title"], got["summary"], got["lesson"]) == (
        "甲一镇拖欠货款被通报",
        "拖欠某公司货款8万元",
        "警示",
    )
    client.post(f"/accountability/cases/{case['id']}/approve", headers=h)
    page = client.get("/accountability/cases", headers=h).get_data(as_text=True)
    assert "修改草稿" not in page and "公开发布" in page
    client.post(f"/accountability/cases/{case['id']}/publish", headers=h)
    assert [c["title"] for c in client.get("/api/v1/public/a/accountability/cases").json] == [
        "甲一镇拖欠货款被通报"
    ]
    # Readers see the list without any form.
    leader = client.get("/accountability/cases", headers=ledger.headers("leader_a")).get_data(as_text=True)
    assert (
        "甲一镇拖欠货款被通报" in leader and 'id="case-new"' not in leader and 'id="credit-new"' not in leader
    )


def test_pages_propose_and_decide_a_credit_referral(client, ledger):
    h = ledger.headers("office_a")
    page = client.get("/accountability/cases", headers=h).get_data(as_text=True)
    form = page[page.index('id="credit-new"') :]
    form = form[: form.index("</form>")]
    # Only SOEs and large enterprises are offered.
    assert "甲旅游集团" in form and "甲一镇人民政府" not in form
    url = "/accountability/credit-referrals"
    client.post(url, data={"unit_id": nid(ledger, "a.town1"), "reason": "恶意拖欠"}, headers=h)
    assert "国有企业和大型企业" in client.get("/accountability/cases", headers=h).get_data(as_text=True)
    r = client.post(
        url, data={"unit_id": nid(ledger, "a.soe"), "reason": "屡次承诺不兑现，恶意拖欠"}, headers=h
    )
    assert r.status_code == 302
    item = client.get("/api/v1/accountability/credit-referrals", headers=h).json
    assert [(x["unit_id"], x["status"]) for x in item] == [(nid(ledger, "a.soe"), "proposed")]
    decide = f"{url}/{item[0]['id']}/decide"
    body = {"decision": "approved", "decision_no": "甲发改〔2023〕12号", "decided_by": "甲风景区发展改革局"}
    client.post(decide, data={**body, "decided_on": "2023-10-01"}, headers=h)
    assert "决定日期不能晚于今天" in client.get("/accountability/cases", headers=h).get_data(as_text=True)
    client.post(decide, data={**body, "decided_on": ""}, headers=h)
    assert client.get("/api/v1/accountability/credit-referrals", headers=h).json[0]["status"] == "proposed"
    r = client.post(decide, data={**body, "decided_on": "2023-09-29", "note": "纳入失信惩戒名单"}, headers=h)
    assert r.status_code == 302
    page = client.get("/accountability/cases", headers=h).get_data(as_text=True)
    assert (
        "决定移送（甲风景区发展改革局 甲发改〔2023〕12号，2023年9月29日）" in page
        and "纳入失信惩戒名单" in page
    )
    assert "credit-decide" not in page
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action)
            .where(Event.entity_type == "accountability_credit_referrals")
            .order_by(Event.id)
        ).all()
    assert actions == ["proposed", "decided_approved"]
