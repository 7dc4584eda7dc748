"""Restriction measures (issue 17, point 4): recorded with a type from the plan's list, a register the
finance bureau reads through a role that reads nothing else, lifting logged, a prompt to lift."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope
from tests.accountability.conftest import nid
from tests.conftest import add_user

API = "/api/v1/accountability/measures"


@pytest.fixture
def finance(ledger):
    with system_scope():
        add_user(ledger, "finance_a", "measures_reader", ledger.node("a"))
        db.session.commit()
    return ledger


def record(client, world, unit: str, **extra) -> dict:
    body = {
        "unit_id": nid(world, unit),
        "measure_type": "压减一般性支付",
        "decision_no": "甲清欠办发〔2023〕5号",
        "decided_by": "甲风景区清欠工作领导小组",
        "start_on": "2023-09-01",
        "lift_condition": "拖欠账款全部清偿",
        **extra,
    }
    r = client.post(API, json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json


def test_the_finance_bureau_reads_the_register_and_nothing_else(client, finance):
    m = record(client, finance, "a.town1")
    h = finance.headers("finance_a")
    got = client.get(API, headers=h).json
    assert [(x["id"], x["unit_name"], x["decision_no"]) for x in got] == [
        (m["id"], "甲一镇人民政府", "甲清欠办发〔2023〕5号")
    ]
    page = client.get("/accountability/measures", headers=h).get_data(as_text=True)
    assert "甲清欠办发〔2023〕5号" in page and 'id="measure-new"' not in page and "解除理由" not in page
    for path in (
        "/api/v1/debts",
        "/api/v1/dashboard",
        "/api/v1/accountability/bulletins",
        "/api/v1/accountability/supervisions",
        "/api/v1/accountability/interviews",
    ):
        assert client.get(path, headers=h).status_code == 403, path
    assert client.post(API, json={}, headers=h).status_code == 403
    assert client.post(f"{API}/{m['id']}/lift", json={"reason": "x"}, headers=h).status_code == 403
    # Units see the measures on their own subtree only; other jurisdictions nothing.
    assert [x["id"] for x in client.get(API, headers=finance.headers("clerk_a1")).json] == [m["id"]]
    assert client.get(API, headers=finance.headers("clerk_a2")).json == []
    assert client.get(f"{API}/{m['id']}", headers=finance.headers("clerk_a2")).status_code == 404
    assert client.get(API, headers=finance.headers("office_b")).status_code == 404


def test_types_come_from_the_plan_and_bad_input_is_refused(client, finance):
    h = finance.headers("office_a")
    base = {
        "unit_id": nid(finance, "a.soe"),
        "decision_no": "文号",
        "decided_by": "领导小组",
        "start_on": "2023-09-01",
    }
    r = client.post(API, json={**base, "measure_type": "罚款", "lift_condition": "清偿"}, headers=h)
    assert r.status_code == 409 and "方案所列" in r.json["errors"]["measure_type"][0]
    r = client.post(API, json={**base, "measure_type": "压减一般性支付"}, headers=h)
    assert r.status_code == 422 and "lift_condition" in r.json["errors"]
    r = client.post(API, json={**base, "measure_type": "压减一般性支付", "lift_on": "2023-08-01"}, headers=h)
    assert r.status_code == 422 and "lift_on" in r.json["errors"]
    assert client.get(API, headers=h).json == []
    with system_scope():
        node = finance.node("a")
        node.plan = {
            **node.plan,
            "accountability": {**node.plan.get("accountability", {}), "measure_types": ["罚款"]},
        }
        db.session.commit()
    assert (
        client.post(
            API, json={**base, "measure_type": "罚款", "lift_condition": "清偿"}, headers=h
        ).status_code
        == 201
    )


def test_prompt_to_lift_once_cleared_and_lifting_is_logged(client, finance):
    h = finance.headers("office_a")
    town1 = record(client, finance, "a.town1")
    town2 = record(client, finance, "a.town2")  # paid in full (its case in court does not count)
    dated = record(client, finance, "a.soe", lift_condition="", lift_on="2023-09-30")
    got = {x["id"]: x["lift_prompt"] for x in client.get(API, headers=h).json}
    assert got == {
        town1["id"]: None,
        town2["id"]: "该单位欠款已清偿完毕，可解除",
        dated["id"]: "已到解除日期",
    }
    page = client.get("/accountability/measures", headers=h).get_data(as_text=True)
    assert page.count("lift-prompt") == 2
    url = f"{API}/{town2['id']}/lift"
    assert client.post(url, json={}, headers=h).status_code == 422
    r = client.post(url, json={"reason": "欠款已全部清偿"}, headers=h)
    assert r.status_code == 200 and (r.json["status"], r.json["lifted_on"]) == ("lifted", "2023-09-30")
    assert client.post(url, json={"reason": "again"}, headers=h).status_code == 409
    with system_scope():
        events = db.session.execute(
            db.select(Event.action, Event.actor_id, Event.note)
            .where(Event.entity_type == "accountability_measures", Event.entity_id == town2["id"])
            .order_by(Event.id)
        ).all()
    office = finance.users["office_a"].id
    assert events == [("applied", office, None), ("lifted", office, "欠款已全部清偿")]


def test_office_page_records_and_lifts(client, finance):
    h = finance.headers("office_a")
    r = client.post(
        "/accountability/measures",
        data={
            "unit_id": str(nid(finance, "a.town1")),
            "measure_type": "降低公务出行标准",
            "decision_no": "甲发〔2023〕9号",
            "decided_by": "领导小组",
            "start_on": "2023-09-15",
            "lift_condition": "清偿",
        },
        headers=h,
    )
    assert r.status_code == 302
    measure = client.get(API, headers=h).json[0]
    assert measure["measure_type"] == "降低公务出行标准"
    r = client.post(f"/accountability/measures/{measure['id']}/lift", data={"reason": "已整改"}, headers=h)
    assert r.status_code == 302
    assert "已解除" in client.get("/accountability/measures", headers=h).get_data(as_text=True)


def test_the_register_role_lands_on_its_register(client, finance):
    h = finance.headers("finance_a")
    # The dashboard shows arrears, not for this role: the home page sends it to the register instead.
    r = client.get("/", headers=h)
    assert r.status_code == 302 and r.headers["Location"].endswith("/accountability/measures")
    page = client.get(r.headers["Location"], headers=h)
    assert page.status_code == 200 and "限制措施登记簿" in page.get_data(as_text=True)
    # Still nothing else: another page is refused, and the API's root is not a landing page.
    assert client.get("/debts", headers=h).status_code == 403
    assert client.get("/api/v1/dashboard", headers=h).status_code == 403


def test_the_register_role_logs_in_and_lands_on_the_register(client, finance):
    from tests.test_web import login

    login(client, "finance_a")
    r = client.get("/", follow_redirects=True)
    assert r.status_code == 200 and r.request.path == "/accountability/measures"
