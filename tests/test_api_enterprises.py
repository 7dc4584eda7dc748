"""/api/v1/enterprises: creditors, de-duplicated per jurisdiction by credit code."""

from __future__ import annotations

from urllib.parse import quote

from core.rules.credit_code import make

try:
    from tests.conftest import debt_payload
except ImportError:  # tests/ is not a package
    from conftest import debt_payload

API = "/api/v1/enterprises"
CODE_1 = make("91140922MA0K12345")
CODE_2 = make("91140100MA0L00001")
CODE_3 = make("92140922MA0K00077")


def post(client, world, body, user="clerk_a1"):
    return client.post(API, json=body, headers=world.headers(user))


def test_create_and_read(client, world):
    r = post(client, world, {"name": "五台山宏达建筑工程有限公司", "credit_code": CODE_1})
    assert r.status_code == 201, r.json
    body = r.json
    assert body["credit_code"] == CODE_1
    assert body["size_class"] == "small"
    assert body["is_private"] is True
    assert body["credit_code_warning"] is None
    assert r.headers["ETag"]
    r = client.get(f"{API}/{body['id']}", headers=world.headers("clerk_a1"))
    assert r.status_code == 200 and r.json["name"] == "五台山宏达建筑工程有限公司"


def test_duplicate_code_answers_200_with_the_existing_one(client, world):
    first = post(client, world, {"name": "宏达建筑", "credit_code": CODE_1}).json
    r = post(client, world, {"name": "宏达建筑工程公司（重复）", "credit_code": CODE_1.lower()})
    assert r.status_code == 200
    assert r.json["id"] == first["id"]
    assert r.json["name"] == "宏达建筑"
    # another unit of the same jurisdiction is linked to the same enterprise, new in its own view
    r = post(client, world, {"name": "宏达", "credit_code": CODE_1}, user="clerk_a2")
    assert r.status_code == 201 and r.json["id"] == first["id"]
    assert r.json["name"] == "宏达"
    assert client.get(API, headers=world.headers("office_a")).headers["X-Total-Count"] == "1"


def test_same_code_in_another_jurisdiction_is_another_enterprise(client, world):
    a = post(client, world, {"name": "宏达", "credit_code": CODE_1}).json
    r = post(client, world, {"name": "宏达", "credit_code": CODE_1}, user="clerk_b1")
    assert r.status_code == 201
    assert r.json["id"] != a["id"]


def test_invalid_code_is_422(client, world):
    r = post(client, world, {"name": "某公司", "credit_code": "91350100M000100O43"})  # "O" is not allowed
    assert r.status_code == 422
    assert "credit_code" in r.json["errors"]
    r = post(client, world, {"name": "某公司", "credit_code": "12345"})
    assert r.status_code == 422
    assert "credit_code" in r.json["errors"]


def test_failed_check_digit_is_kept_with_a_warning(client, world):
    wrong = CODE_1[:17] + ("0" if CODE_1[17] != "0" else "1")
    r = post(client, world, {"name": "待核实企业", "credit_code": wrong})
    assert r.status_code == 201
    assert "核实" in r.json["credit_code_warning"]


def test_missing_name_and_unknown_field(client, world):
    r = post(client, world, {"credit_code": CODE_1})
    assert r.status_code == 422 and r.json["errors"] == {"name": ["必填字段"]}
    r = post(client, world, {"name": "x", "credit_code": CODE_1, "legal_person": "张三"})
    assert r.status_code == 422 and r.json["errors"] == {"legal_person": ["未知字段"]}
    r = post(client, world, {"name": "x", "size_class": "huge"})
    assert r.status_code == 422 and "size_class" in r.json["errors"]


def test_list_and_search(client, world):
    post(client, world, {"name": "五台山宏达建筑工程有限公司", "credit_code": CODE_1})
    post(client, world, {"name": "太原市晋源服务有限公司", "credit_code": CODE_2})
    post(client, world, {"name": "忻州市个体户王五", "credit_code": CODE_3, "size_class": "micro"})
    headers = world.headers("clerk_a1")
    r = client.get(API, headers=headers)
    assert r.headers["X-Total-Count"] == "3"
    assert client.get(f"{API}?q={quote('晋源')}", headers=headers).json[0]["credit_code"] == CODE_2
    assert [e["name"] for e in client.get(f"{API}?q={CODE_1}", headers=headers).json] == [
        "五台山宏达建筑工程有限公司"
    ]
    assert client.get(f"{API}?q=MA0K", headers=headers).headers["X-Total-Count"] == "2"
    r = client.get(f"{API}?size_class=micro", headers=headers)
    assert [e["credit_code"] for e in r.json] == [CODE_3]
    r = client.get(f"{API}?page_size=2&page=2", headers=headers)
    assert len(r.json) == 1 and r.headers["X-Total-Count"] == "3"


def test_visibility_follows_the_units_links(client, world):
    post(client, world, {"name": "只与甲一镇往来的企业", "credit_code": CODE_1}, user="clerk_a1")
    one = post(client, world, {"name": "另一家", "credit_code": CODE_2}, user="clerk_a2").json
    a2 = client.get(API, headers=world.headers("clerk_a2")).json
    assert [e["credit_code"] for e in a2] == [CODE_2]
    a1 = client.get(API, headers=world.headers("clerk_a1")).json
    assert [e["credit_code"] for e in a1] == [CODE_1]
    # the office sees both; the other jurisdiction sees none
    assert client.get(API, headers=world.headers("office_a")).headers["X-Total-Count"] == "2"
    assert client.get(API, headers=world.headers("office_b")).json == []
    assert client.get(f"{API}/{one['id']}", headers=world.headers("clerk_a1")).status_code == 404
    assert client.get(f"{API}/{one['id']}", headers=world.headers("office_b")).status_code == 404


def test_debt_links_the_creditor_to_the_unit(client, world):
    r = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers("clerk_a1"))
    assert r.status_code == 201
    assert client.get(API, headers=world.headers("clerk_a2")).json == []
    assert len(client.get(API, headers=world.headers("clerk_a1")).json) == 1


def test_patch_needs_if_match(client, world):
    e = post(client, world, {"name": "宏达", "credit_code": CODE_1}).json
    url = f"{API}/{e['id']}"
    r = client.patch(url, json={"name": "宏达建筑"}, headers=world.headers("office_a"))
    assert r.status_code == 428
    etag = client.get(url, headers=world.headers("office_a")).headers["ETag"]
    r = client.patch(
        url,
        json={"name": "宏达建筑", "size_class": "medium"},
        headers=world.headers("office_a", **{"If-Match": etag}),
    )
    assert r.status_code == 200, r.json
    assert r.json["name"] == "宏达建筑" and r.json["size_class"] == "medium"
    assert r.headers["ETag"] != etag
    r = client.patch(url, json={"name": "又改"}, headers=world.headers("office_a", **{"If-Match": etag}))
    assert r.status_code == 412
    history = client.get(f"{url}/history", headers=world.headers("office_a")).json
    assert [h["action"] for h in history] == ["created", "updated"]
    assert history[1]["before"]["name"] == "宏达" and history[1]["after"]["name"] == "宏达建筑"


def test_a_units_shared_field_edit_is_a_proposal_the_office_decides(client, world):
    e = post(client, world, {"name": "宏达", "credit_code": CODE_1}).json
    url = f"{API}/{e['id']}"
    etag = client.get(url, headers=world.headers("clerk_a1")).headers["ETag"]
    r = client.patch(
        url,
        json={"name": "宏达建筑", "size_class": "medium", "address": "五台县台城镇"},
        headers=world.headers("clerk_a1", **{"If-Match": etag}),
    )
    assert r.status_code == 200, r.json
    # The unit's own field changed at once; the shared ones wait for the office.
    assert r.json["address"] == "五台县台城镇" and r.json["name"] == "宏达"
    assert r.json["size_class"] == "small"
    proposal = r.json["proposal"]
    assert proposal["status"] == "pending"
    assert proposal["changes"] == {"name": "宏达建筑", "size_class": "medium"}
    assert r.headers["ETag"] != etag
    r = client.patch(url, json={"address": "x"}, headers=world.headers("clerk_a1", **{"If-Match": etag}))
    assert r.status_code == 412

    decide = f"{url}/proposals/{proposal['id']}"
    r = client.post(decide, json={"decision": "accept"}, headers=world.headers("clerk_a1"))
    assert r.status_code == 403
    notices = client.get("/api/v1/notifications", headers=world.headers("office_a")).json
    assert any("申请修改债权企业信息" in n["title"] for n in notices)
    assert [p["id"] for p in client.get(f"{url}/proposals", headers=world.headers("office_a")).json] == [
        proposal["id"]
    ]
    r = client.post(decide, json={"decision": "maybe"}, headers=world.headers("office_a"))
    assert r.status_code == 422 and "decision" in r.json["errors"]
    r = client.post(decide, json={"decision": "accept"}, headers=world.headers("office_a"))
    assert r.status_code == 200 and r.json["status"] == "accepted"
    shared = client.get(url, headers=world.headers("office_a")).json
    assert shared["name"] == "宏达建筑" and shared["size_class"] == "medium"
    r = client.post(decide, json={"decision": "reject"}, headers=world.headers("office_a"))
    assert r.status_code == 422 and "decision" in r.json["errors"]
    # The clerk's history shows its own edit, its proposal and the office's change.
    actions = [h["action"] for h in client.get(f"{url}/history", headers=world.headers("clerk_a1")).json]
    assert actions[:3] == ["created", "updated", "proposed"]


def test_patch_code_to_one_already_used_is_refused(client, world):
    post(client, world, {"name": "甲", "credit_code": CODE_1})
    e = post(client, world, {"name": "乙", "credit_code": CODE_2}).json
    url = f"{API}/{e['id']}"
    for user in ("office_a", "clerk_a1"):  # an edit, or a proposal
        etag = client.get(url, headers=world.headers(user)).headers["ETag"]
        r = client.patch(url, json={"credit_code": CODE_1}, headers=world.headers(user, **{"If-Match": etag}))
        assert r.status_code == 409 and "credit_code" in r.json["errors"]
        r = client.patch(url, json={"credit_code": "bad"}, headers=world.headers(user, **{"If-Match": etag}))
        assert r.status_code == 422 and "credit_code" in r.json["errors"]


def test_readers_cannot_write_enterprises(client, world):
    assert post(client, world, {"name": "x", "credit_code": CODE_1}, user="leader_a").status_code == 403
    e = post(client, world, {"name": "x", "credit_code": CODE_1}).json
    url = f"{API}/{e['id']}"
    etag = client.get(url, headers=world.headers("auditor_a")).headers["ETag"]
    r = client.patch(url, json={"name": "y"}, headers=world.headers("auditor_a", **{"If-Match": etag}))
    assert r.status_code == 403
