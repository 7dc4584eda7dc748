"""Projects: no start without approval and secured funds (政府投资条例第二十条、第二十二条)."""

from __future__ import annotations

import datetime as dt

from core import clock
from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope


def project_body(**overrides) -> dict:
    body = {
        "name": "甲一镇污水管网工程",
        "approval_doc": "甲发改审批〔2023〕5号",
        "approved_on": "2023-03-01",
        "budget": "1000000.00",
        "planned_start": "2023-05-01",
        "funding": [
            {"source": "本级财政", "amount": "400000.00", "secured": True},
            {"source": "专项债", "amount": "600000.00", "secured": False},
        ],
    }
    body.update(overrides)
    return body


def create(client, world, user="clerk_a1", **overrides) -> dict:
    r = client.post(
        "/api/v1/prevention/projects", json=project_body(**overrides), headers=world.headers(user)
    )
    assert r.status_code == 201, r.json
    return r.json


def test_register_shows_secured_funds(client, world):
    p = create(client, world)
    assert (p["budget"], p["secured_amount"], p["funding_total"]) == ("1000000.00", "400000.00", "1000000.00")
    assert [(f["source"], f["secured"]) for f in p["funding"]] == [("本级财政", True), ("专项债", False)]
    with system_scope():
        assert p["unit_id"] == world.nodes["a.town1"].id and p["actual_start"] is None


def test_start_refused_while_funds_not_secured_then_allowed_once_secured(client, world):
    p = create(client, world)
    h = world.headers("clerk_a1")
    r = client.post(
        f"/api/v1/prevention/projects/{p['id']}/start", json={"actual_start": "2023-05-02"}, headers=h
    )
    assert r.status_code == 422
    message = r.json["errors"]["override_reason"][0]
    assert "600,000.00 元未落实" in message and "政府投资条例》第二十条、第二十二条" in message
    assert client.get(f"/api/v1/prevention/projects/{p['id']}", headers=h).json["actual_start"] is None
    # The bond comes through: mark it secured (If-Match), then the start goes ahead without an override.
    etag = client.get(f"/api/v1/prevention/projects/{p['id']}", headers=h).headers["ETag"]
    funding = [
        {"source": "本级财政", "amount": "400000.00", "secured": True},
        {"source": "专项债", "amount": "600000.00", "secured": True},
    ]
    r = client.patch(
        f"/api/v1/prevention/projects/{p['id']}", json={"funding": funding}, headers={**h, "If-Match": etag}
    )
    assert r.status_code == 200 and r.json["secured_amount"] == "1000000.00"
    r = client.post(
        f"/api/v1/prevention/projects/{p['id']}/start", json={"actual_start": "2023-05-02"}, headers=h
    )
    assert r.status_code == 200 and r.json["start_violations"] == [] and r.json["override_reason"] is None
    assert client.get("/api/v1/prevention/projects/overrides", headers=h).json == []


def test_unapproved_start_is_refused_and_an_override_is_listed(client, world):
    p = create(
        client,
        world,
        approval_doc=None,
        approved_on=None,
        funding=[{"source": "本级财政", "amount": "1000000.00", "secured": True}],
    )
    h = world.headers("clerk_a1")
    url = f"/api/v1/prevention/projects/{p['id']}/start"
    r = client.post(url, json={"actual_start": "2023-05-02"}, headers=h)
    assert r.status_code == 422 and "未批先建" in r.json["errors"]["override_reason"][0]
    r = client.post(url, json={"actual_start": "2023-05-02", "override_reason": "防汛抢险工程"}, headers=h)
    assert r.status_code == 200, r.json
    assert r.json["start_violations"] == ["unapproved"] and r.json["violation_labels"] == ["未批先建"]
    listed = client.get("/api/v1/prevention/projects/overrides", headers=world.headers("office_a")).json
    assert [(x["id"], x["override_reason"]) for x in listed] == [(p["id"], "防汛抢险工程")]
    # Started once: a second start is refused.
    assert (
        client.post(url, json={"actual_start": "2023-05-03", "override_reason": "x"}, headers=h).status_code
        == 422
    )
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action).where(Event.entity_type == "prevention_projects").order_by(Event.id)
        ).all()
    assert actions == ["created", "started_with_override"]


def test_start_before_approval_date_is_unapproved(client, world):
    p = create(
        client,
        world,
        approved_on="2023-06-01",
        funding=[{"source": "本级财政", "amount": "1000000.00", "secured": True}],
    )
    r = client.post(
        f"/api/v1/prevention/projects/{p['id']}/start",
        json={"actual_start": "2023-05-02"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 422 and "先开工后立项" in r.json["errors"]["override_reason"][0]


def test_bad_input_is_refused_and_nothing_is_written(client, world):
    h = world.headers("clerk_a1")
    r = client.post("/api/v1/prevention/projects", json=project_body(budget=1000.5), headers=h)
    assert r.status_code == 422 and "budget" in r.json["errors"]
    r = client.post("/api/v1/prevention/projects", json=project_body(approved_on=None), headers=h)
    assert r.status_code == 422 and "approved_on" in r.json["errors"]
    with system_scope():
        other = project_body(unit_id=world.nodes["b.town1"].id)
    r = client.post("/api/v1/prevention/projects", json=other, headers=h)
    assert r.status_code == 404 and "unit_id" in r.json["errors"]
    assert client.get("/api/v1/prevention/projects", headers=h).headers["X-Total-Count"] == "0"
    p = create(client, world)
    url = f"/api/v1/prevention/projects/{p['id']}"
    assert client.patch(url, json={"name": "x"}, headers=h).status_code == 428
    assert client.patch(url, json={"name": "x"}, headers={**h, "If-Match": '"stale"'}).status_code == 412
    # A start in the future is refused, override or not.
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    r = client.post(f"{url}/start", json={"actual_start": tomorrow, "override_reason": "x"}, headers=h)
    assert r.status_code == 422 and "不能晚于今天" in r.json["errors"]["actual_start"][0]
    # A partial update may change the document number alone.
    etag = client.get(url, headers=h).headers["ETag"]
    r = client.patch(url, json={"approval_doc": "新文号"}, headers={**h, "If-Match": etag})
    assert (
        r.status_code == 200 and r.json["approval_doc"] == "新文号" and r.json["approved_on"] == "2023-03-01"
    )


def test_scope_sibling_and_other_jurisdiction(client, world):
    p = create(client, world)
    assert (
        client.get(f"/api/v1/prevention/projects/{p['id']}", headers=world.headers("clerk_a2")).status_code
        == 404
    )
    assert client.get("/api/v1/prevention/projects", headers=world.headers("clerk_a2")).json == []
    assert [
        x["id"] for x in client.get("/api/v1/prevention/projects", headers=world.headers("office_a")).json
    ] == [p["id"]]
    # Jurisdiction b has not enabled the plugin.
    assert client.get("/api/v1/prevention/projects", headers=world.headers("office_b")).status_code == 404
    r = client.post(
        f"/api/v1/prevention/projects/{p['id']}/start",
        json={"actual_start": "2023-05-02", "override_reason": "x"},
        headers=world.headers("clerk_a2"),
    )
    assert r.status_code == 404


def test_page_registers_and_refuses_an_unfunded_start(client, world):
    h = world.headers("clerk_a1")
    form = {
        "name": "甲一镇文化广场",
        "approval_doc": "甲发改〔2023〕9号",
        "approved_on": "2023-02-01",
        "budget": "500000",
        "funding-0-source": "本级财政",
        "funding-0-amount": "200000",
        "funding-0-secured": "on",
    }
    assert client.post("/prevention/projects", data=form, headers=h).status_code == 302
    pid = client.get("/api/v1/prevention/projects", headers=h).json[0]["id"]
    r = client.post(f"/prevention/projects/{pid}/start", data={"actual_start": "2023-03-01"}, headers=h)
    assert r.status_code == 302
    page = client.get("/prevention/projects", headers=h).get_data(as_text=True)
    assert "300,000.00 元未落实" in page and "甲一镇文化广场" in page
    r = client.post(
        f"/prevention/projects/{pid}/start",
        data={"actual_start": "2023-03-01", "override_reason": "急需"},
        headers=h,
    )
    page = client.get("/prevention/projects", headers=h).get_data(as_text=True)
    assert "资金未落实先开工" in page and "原因：急需" in page
