"""Interviews (issue 17, point 3): scheduled with a unit's head in local time, minutes with commitments
(owner, deadline), commitments done with a note, escalated when overdue, scope and history."""

from __future__ import annotations

from core.extensions import db
from core.models.event import Event
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from tests.accountability.conftest import nid
from tests.ledger.test_rounds_support import run_job

API = "/api/v1/accountability/interviews"


def schedule(client, world) -> dict:
    body = {
        "unit_id": nid(world, "a.town1"),
        "head_name": "张镇长",
        "scheduled_at": "2023-10-08T09:30:00",
        "place": "管委会三楼会议室",
        "reason": "清偿进度落后于工作方案要求",
        "attendees": "清欠办主任、财政局",
    }
    r = client.post(API, json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json


def minutes(client, world, interview_id: int, **extra) -> object:
    body = {
        "held_on": "2023-09-30",
        "minutes": "张镇长说明了资金安排，承诺10月底前清偿。",
        "commitments": [
            {"content": "10月15日前支付建材款2万元", "owner": "张镇长", "deadline": "2023-10-15"},
            {"content": "10月31日前全部清偿", "owner": "财政所长", "deadline": "2023-10-31"},
        ],
        **extra,
    }
    return client.post(f"{API}/{interview_id}/minutes", json=body, headers=world.headers("office_a"))


def test_schedule_in_local_time_notify_and_scope(client, ledger):
    item = schedule(client, ledger)
    assert item["scheduled_at"].startswith("2023-10-08T01:30")  # 09:30 in Beijing, stored as UTC
    assert item["status"] == "scheduled"
    titles = [
        n["title"] for n in client.get("/api/v1/notifications", headers=ledger.headers("clerk_a1")).json
    ]
    assert "专项约谈通知：甲一镇人民政府张镇长" in titles
    assert [i["id"] for i in client.get(API, headers=ledger.headers("clerk_a1")).json] == [item["id"]]
    assert client.get(API, headers=ledger.headers("clerk_a2")).json == []
    assert client.get(f"{API}/{item['id']}", headers=ledger.headers("clerk_a2")).status_code == 404
    assert client.post(API, json={}, headers=ledger.headers("clerk_a1")).status_code == 403
    page = client.get(f"/accountability/interviews/{item['id']}", headers=ledger.headers("office_a"))
    assert "2023年10月8日 09:30" in page.get_data(as_text=True)


def test_minutes_and_commitments_tracked_to_done(client, ledger):
    item = schedule(client, ledger)
    r = minutes(client, ledger, item["id"], held_on="2023-10-01")
    assert r.status_code == 409 and "held_on" in r.json["errors"]
    bad = minutes(
        client,
        ledger,
        item["id"],
        commitments=[{"content": "x", "owner": "y", "deadline": "2023-09-01"}],
    )
    assert bad.status_code == 422 and "早于约谈日期" in bad.json["errors"]["commitments"][0]
    assert client.get(f"{API}/{item['id']}", headers=ledger.headers("office_a")).json["commitments"] == []
    r = minutes(client, ledger, item["id"])
    assert r.status_code == 200, r.json
    assert r.json["status"] == "held" and [(c["owner"], c["deadline"]) for c in r.json["commitments"]] == [
        ("张镇长", "2023-10-15"),
        ("财政所长", "2023-10-31"),
    ]
    assert minutes(client, ledger, item["id"]).status_code == 409  # recorded once
    first = r.json["commitments"][0]["id"]
    url = f"{API}/{item['id']}/commitments/{first}/done"
    assert client.post(url, json={}, headers=ledger.headers("office_a")).status_code == 422
    r = client.post(url, json={"note": "已支付，见付款记录"}, headers=ledger.headers("office_a"))
    assert r.status_code == 200 and (r.json["status"], r.json["done_on"]) == ("done", "2023-09-30")
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action)
            .where(Event.entity_type.in_(["accountability_interviews", "accountability_commitments"]))
            .order_by(Event.id)
        ).all()
    assert actions == ["scheduled", "held", "done"]


def test_overdue_commitments_escalate(client, ledger):
    item = schedule(client, ledger)
    assert minutes(client, ledger, item["id"]).status_code == 200
    assert run_job("accountability_supervision_overdue", ledger, today="2023-10-16")["commitments"] == 1
    assert run_job("accountability_supervision_overdue", ledger, today="2023-10-17")["commitments"] == 0
    with system_scope():
        units = db.session.scalars(
            db.select(Notification.unit_id).where(Notification.title.startswith("约谈承诺逾期"))
        ).all()
    assert sorted(units) == sorted([nid(ledger, "a"), nid(ledger, "a.town1")])


def test_pages(client, ledger):
    h = ledger.headers("office_a")
    r = client.post(
        "/accountability/interviews",
        data={
            "unit_id": str(nid(ledger, "a.town2")),
            "head_name": "李镇长",
            "scheduled_at": "2023-09-30T15:00",
            "reason": "投诉超期未办结",
        },
        headers=h,
    )
    assert r.status_code == 302
    url = r.headers["Location"]
    r = client.post(
        f"{url}/minutes",
        data={
            "held_on": "2023-09-30",
            "minutes": "已约谈",
            "content_0": "一周内办结投诉",
            "owner_0": "李镇长",
            "deadline_0": "2023-10-07",
            "content_1": "缺责任人的承诺",
        },
        headers=h,
    )
    assert r.status_code == 302
    page = client.get(url, headers=h).get_data(as_text=True)
    assert "第2项承诺须填写责任人和期限" in page and "已安排" in page
    r = client.post(
        f"{url}/minutes",
        data={
            "held_on": "2023-09-30",
            "minutes": "已约谈",
            "content_0": "一周内办结投诉",
            "owner_0": "李镇长",
            "deadline_0": "2023-10-07",
        },
        headers=h,
    )
    assert r.status_code == 302
    page = client.get(url, headers=h).get_data(as_text=True)
    assert "一周内办结投诉" in page and "2023年10月7日" in page and "已约谈" in page
    listing = client.get("/accountability/interviews", headers=ledger.headers("clerk_a2")).get_data(
        as_text=True
    )
    assert "李镇长" in listing and "安排约谈" not in listing
