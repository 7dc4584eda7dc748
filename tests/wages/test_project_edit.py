"""Issue 18 point 1: a registered works project is edited like other items — PATCH with If-Match (stale →
412, missing → 428), only the office, the account kept masked, each change in the history before/after."""

from __future__ import annotations

from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope
from tests.wages.conftest import HONGDA, import_projects, nid

URL = "/api/v1/wages/projects/{}"


def test_the_office_edits_a_project_with_if_match_and_history(client, ledger):
    projects = import_projects(client, ledger)
    centre = projects["游客中心改造工程"]
    url = URL.format(centre["id"])
    h = ledger.headers("office_a")
    got = client.get(url, headers=h)
    etag = got.headers["ETag"]
    assert etag.endswith('-v1"')
    body = {
        "labour_share_percent": None,
        "labour_share_amount": "15000.00",
        "wage_account": "6228 4801 0000 2222",
        "workforce": 35,
        "note": "按补充协议调整",
    }
    assert client.patch(url, json=body, headers=h).status_code == 428
    r = client.patch(url, json=body, headers={**h, "If-Match": etag})
    assert r.status_code == 200, r.json
    assert (r.json["labour_share_percent"], r.json["labour_share_amount"]) == (None, "15000.00")
    assert r.json["wage_account_masked"] == "****2222" and r.json["workforce"] == 35
    assert r.headers["ETag"].endswith('-v2"')
    # The old version is stale now.
    r = client.patch(url, json={"workforce": 40}, headers={**h, "If-Match": etag})
    assert r.status_code == 412 and "If-Match" in r.json["errors"]
    fresh = {**h, "If-Match": client.get(url, headers=h).headers["ETag"]}
    # Both ways of giving the labour cost at once, a bad field or value: 422 naming the field.
    r = client.patch(url, json={"labour_share_percent": "20"}, headers=fresh)
    assert r.status_code == 422 and "labour_share_amount" in r.json["errors"]
    r = client.patch(url, json={"wage_deposit": 1.5}, headers=fresh)
    assert r.status_code == 422 and "wage_deposit" in r.json["errors"]
    r = client.patch(url, json={"unit_id": 1}, headers=fresh)
    assert r.status_code == 422 and "unit_id" in r.json["errors"]
    r = client.patch(url, json={"contractor_credit_code": "123"}, headers=fresh)
    assert r.status_code == 422 and "contractor_credit_code" in r.json["errors"]
    with system_scope():
        events = db.session.scalars(
            db.select(Event)
            .where(Event.entity_type == "wage_projects", Event.entity_id == centre["id"])
            .order_by(Event.id)
        ).all()
        assert [e.action for e in events] == ["created", "debt_linked", "updated"]
        assert events[-1].before == {
            "labour_share_percent": "25.00",
            "labour_share_amount": None,
            "wage_account_masked": "****1111",
            "workforce": 30,
        }
        assert events[-1].after["labour_share_amount"] == "15000.00" and events[-1].note == "按补充协议调整"
        assert events[-1].actor_name


def test_only_the_office_edits_and_never_another_jurisdictions_project(client, ledger):
    road = import_projects(client, ledger)["景区道路维修工程"]
    url = URL.format(road["id"])
    etag = client.get(url, headers=ledger.headers("office_a")).headers["ETag"]
    for user in ("clerk_a1", "head_a1", "leader_a"):
        r = client.patch(url, json={"workforce": 1}, headers={**ledger.headers(user), "If-Match": etag})
        assert r.status_code == 403
    r = client.patch(url, json={"workforce": 1}, headers={**ledger.headers("office_b"), "If-Match": etag})
    assert r.status_code == 404
    assert client.get(url, headers=ledger.headers("office_a")).json["contractor_name"] == HONGDA


def test_a_new_contract_number_links_the_matching_debt(client, ledger):
    h = ledger.headers("office_a")
    r = client.post(
        "/api/v1/wages/projects",
        json={
            "unit_id": nid(ledger, "a.town2"),
            "name": "停车场二期",
            "contractor_name": "晋北建设集团有限公司",
        },
        headers=h,
    )
    assert r.status_code == 201, r.json
    assert r.json["debts"] == []
    url = URL.format(r.json["id"])
    etag = client.get(url, headers=h).headers["ETag"]
    r = client.patch(url, json={"contract_no": "JB-9"}, headers={**h, "If-Match": etag})
    assert r.status_code == 200 and [d["id"] for d in r.json["debts"]] == [ledger.debts["park"]]


def test_the_project_page_edits_with_the_version_it_was_read_at(client, ledger):
    centre = import_projects(client, ledger)["游客中心改造工程"]
    page_url = f"/wages/projects/{centre['id']}"
    edit = f"{page_url}/edit"
    h = ledger.headers("office_a")
    page = client.get(page_url, headers=h).get_data(as_text=True)
    assert 'id="wages-project-edit"' in page and 'name="version" value="1"' in page
    form = {
        "version": "1",
        "contract_no": "HT-2022-002",
        "wage_bank": "农行五台支行",
        "labour_share_percent": "30",
        "labour_share_amount": "",
        "wage_deposit": "80,000.00",
        "workforce": "32",
        "remarks": "二期",
        "note": "补充协议提高人工费用比例",
    }
    assert client.post(edit, data=form, headers=h).status_code == 302
    page = client.get(page_url, headers=h).get_data(as_text=True)
    assert "已修改项目登记信息" in page and "每期工程款的 30.00%" in page and "****1111" in page
    # The form read at version 1 is stale now; a bad figure is refused and changes nothing.
    client.post(edit, data={**form, "workforce": "99"}, headers=h)
    page = client.get(page_url, headers=h).get_data(as_text=True)
    assert "该项目已被他人修改" in page and "用工人数：32" in page
    client.post(edit, data={**form, "version": "2", "labour_share_percent": "150"}, headers=h)
    assert "人工费用比例应为0到100之间的数" in client.get(page_url, headers=h).get_data(as_text=True)
    client.post(edit, data={**form, "version": "2", "labour_share_amount": "5000"}, headers=h)
    assert "人工费用填比例或每期金额，二选一" in client.get(page_url, headers=h).get_data(as_text=True)
    r = client.get(URL.format(centre["id"]), headers=h)
    assert r.headers["ETag"].endswith('-v2"') and r.json["labour_share_percent"] == "30.00"
    clerk = ledger.headers("clerk_a1")
    assert 'id="wages-project-edit"' not in client.get(page_url, headers=clerk).get_data(as_text=True)
    assert client.post(edit, data={**form, "version": "2"}, headers=clerk).status_code == 403
