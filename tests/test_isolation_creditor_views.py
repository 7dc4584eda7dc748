"""A unit never reads or changes another unit's record of a creditor (issue 13, point 1).

Reproduces the take-over: clerk_a1 posts the credit code of a supplier only clerk_a2 knows. Before the
fix it got a2's full record (address, contacts, phone), could PATCH a2's contacts, and a2's history showed
only "created". Now it is linked to the same creditor with its own view and learns nothing of a2's.
"""

from __future__ import annotations

import json

from core.extensions import db
from core.models.enterprise import Enterprise, EnterpriseLink
from core.rules.credit_code import make
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload

API = "/api/v1/enterprises"
CODE = make("91140922MA0K5T5P1")
SECRET_NAME = "乙二镇独家供应商有限公司"
SECRET_PHONE = "13900001111"
SECRET_ADDRESS = "乙二镇秘密路8号"


def _register_secret(client, world) -> int:
    r = client.post(
        API,
        json={
            "name": SECRET_NAME,
            "credit_code": CODE,
            "address": SECRET_ADDRESS,
            "contacts": [{"name": "王经理", "phone": SECRET_PHONE}],
        },
        headers=world.headers("clerk_a2"),
    )
    assert r.status_code == 201
    return r.json["id"]


def _leaks(response) -> list[str]:
    text = json.dumps(response.json, ensure_ascii=False)
    return [s for s in (SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS, "王经理") if s in text]


def test_registering_a_known_code_reveals_nothing_and_changes_nothing(client, world):
    secret_id = _register_secret(client, world)
    r = client.post(
        API,
        json={"name": "供应商（甲一）", "credit_code": CODE, "contacts": [{"name": "李会计"}]},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201 and r.json["id"] == secret_id
    assert _leaks(r) == []
    assert r.json["name"] == "供应商（甲一）" and r.json["contacts"] == [{"name": "李会计"}]
    assert r.json["address"] is None

    url = f"{API}/{secret_id}"
    got = client.get(url, headers=world.headers("clerk_a1"))
    assert got.status_code == 200 and _leaks(got) == []
    assert _leaks(client.get(API, headers=world.headers("clerk_a1"))) == []
    assert client.get(f"{API}?q={SECRET_NAME[:4]}", headers=world.headers("clerk_a1")).json == []
    assert _leaks(client.get(f"{url}/history", headers=world.headers("clerk_a1"))) == []

    # a1 overwrites "the" contacts: only its own change.
    r = client.patch(
        url,
        json={"contacts": [{"name": "赵出纳", "phone": "13800000000"}], "name": "改名企图"},
        headers=world.headers("clerk_a1", **{"If-Match": got.headers["ETag"]}),
    )
    assert r.status_code == 200 and _leaks(r) == []
    assert r.json["proposal"]["changes"] == {"name": "改名企图"}

    mine = client.get(url, headers=world.headers("clerk_a2")).json
    assert mine["name"] == SECRET_NAME and mine["address"] == SECRET_ADDRESS
    assert mine["contacts"] == [{"name": "王经理", "phone": SECRET_PHONE}]
    history = client.get(f"{url}/history", headers=world.headers("clerk_a2")).json
    assert [h["action"] for h in history] == ["created"]
    with system_scope():
        shared = db.session.get(Enterprise, secret_id)
        assert shared.name == SECRET_NAME and shared.contacts == [{"name": "王经理", "phone": SECRET_PHONE}]
    # The office still sees the shared record as registered.
    assert client.get(url, headers=world.headers("office_a")).json["address"] == SECRET_ADDRESS


def test_a_debt_naming_a_known_code_links_without_revealing_the_record(client, world):
    secret_id = _register_secret(client, world)
    body = debt_payload(creditor={"name": "供应商（甲一）", "credit_code": CODE})
    r = client.post("/api/v1/debts", json=body, headers=world.headers("clerk_a1"))
    assert r.status_code == 201 and r.json["creditor"]["id"] == secret_id
    # Every surface that shows the debt names the creditor as a1 entered it, never as a2 registered it.
    assert _leaks(r) == [] and r.json["creditor"]["name"] == "供应商（甲一）"
    h = world.headers("clerk_a1")
    assert _leaks(client.get(f"/api/v1/debts/{r.json['id']}", headers=h)) == []
    listed = client.get("/api/v1/debts", headers=h)
    assert _leaks(listed) == [] and "供应商（甲一）" in json.dumps(listed.json, ensure_ascii=False)
    for page in (f"/debts/{r.json['id']}", "/debts"):
        html = client.get(page, headers=h).get_data(as_text=True)
        assert SECRET_NAME not in html and "供应商（甲一）" in html, page
    assert client.get(f"/api/v1/debts?q={SECRET_NAME[:5]}", headers=h).json == []
    searched = client.get(f"/debts?creditor_name={SECRET_NAME[:5]}", headers=h).get_data(as_text=True)
    assert "没有符合条件的欠款" in searched
    searched = client.get("/debts?creditor_name=供应商（甲", headers=h).get_data(as_text=True)
    assert "没有符合条件的欠款" not in searched
    # a2 and the office still read the registered name on the same debt-side surfaces.
    office = client.get(f"/api/v1/debts/{r.json['id']}", headers=world.headers("office_a")).json
    assert office["creditor"]["name"] == SECRET_NAME
    got = client.get(f"{API}/{secret_id}", headers=world.headers("clerk_a1"))
    assert got.status_code == 200 and _leaks(got) == []
    assert got.json["name"] == "供应商（甲一）"
    with system_scope():
        link = db.session.scalar(
            db.select(EnterpriseLink).where(
                EnterpriseLink.enterprise_id == secret_id, EnterpriseLink.unit_id == world.node("a.town1").id
            )
        )
        assert link.name == "供应商（甲一）" and link.contacts == [] and link.address is None


def test_unlinked_units_still_get_404(client, world):
    secret_id = _register_secret(client, world)
    url = f"{API}/{secret_id}"
    for user in ("clerk_a1", "clerk_b1", "office_b"):
        assert client.get(url, headers=world.headers(user)).status_code == 404
        assert client.get(f"{url}/proposals", headers=world.headers(user)).status_code == 404
        r = client.patch(url, json={"address": "x"}, headers=world.headers(user, **{"If-Match": "*"}))
        assert r.status_code == 404


def test_proposals_of_one_unit_are_hidden_from_another(client, world):
    secret_id = _register_secret(client, world)
    url = f"{API}/{secret_id}"
    etag = client.get(url, headers=world.headers("clerk_a2")).headers["ETag"]
    r = client.patch(
        url, json={"size_class": "micro"}, headers=world.headers("clerk_a2", **{"If-Match": etag})
    )
    proposal_id = r.json["proposal"]["id"]
    client.post(API, json={"name": "甲一", "credit_code": CODE}, headers=world.headers("clerk_a1"))
    assert client.get(f"{url}/proposals", headers=world.headers("clerk_a1")).json == []
    assert client.get(f"{url}/proposals/{proposal_id}", headers=world.headers("clerk_a1")).status_code == 404
    r = client.post(
        f"{url}/proposals/{proposal_id}", json={"decision": "reject"}, headers=world.headers("office_a")
    )
    assert r.status_code == 200 and r.json["status"] == "rejected"
    assert client.get(url, headers=world.headers("office_a")).json["size_class"] == "small"


def test_the_office_decides_a_proposal_on_the_creditor_page(client, world):
    from tests.test_web import csrf_token, login

    secret_id = _register_secret(client, world)
    url = f"{API}/{secret_id}"
    etag = client.get(url, headers=world.headers("clerk_a2")).headers["ETag"]
    r = client.patch(
        url, json={"name": "乙二镇供应商（更名）"}, headers=world.headers("clerk_a2", **{"If-Match": etag})
    )
    proposal_id = r.json["proposal"]["id"]
    page = f"/enterprises/{secret_id}"
    decide = f"{page}/proposals/{proposal_id}"

    clerk = client.application.test_client()
    assert login(clerk, "clerk_a2").status_code == 302
    html = clerk.get(page).get_data(as_text=True)
    assert "企业信息修改申请" in html and "待审核" in html and "采纳" not in html
    token = csrf_token(clerk, page)
    assert clerk.post(decide, data={"decision": "accept", "csrf_token": token}).status_code == 403

    office = client.application.test_client()
    assert login(office, "office_a").status_code == 302
    html = office.get(page).get_data(as_text=True)
    assert "企业名称：乙二镇供应商（更名）" in html and "采纳" in html
    token = csrf_token(office, page)
    r = office.post(decide, data={"decision": "accept", "csrf_token": token})
    assert r.status_code == 302
    html = office.get(page).get_data(as_text=True)
    assert "已采纳" in html and "<h1>乙二镇供应商（更名）</h1>" in html
