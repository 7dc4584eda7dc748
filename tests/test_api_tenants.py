"""/api/v1/tenants: the tenant tree — create, rename, move, deactivate, each with history."""

from __future__ import annotations

try:
    from tests.conftest import debt_payload
except ImportError:  # tests/ is not a package
    from conftest import debt_payload

API = "/api/v1/tenants"


def nid(world, code):
    # Read under the system scope: the fixture's objects expire after each request, and reloading
    # them outside any scope finds nothing (PostgreSQL row-level security).
    from core.tenancy.scope import system_scope

    with system_scope():
        return world.nodes[code].id


def etag_of(client, world, node_id, user="office_a"):
    r = client.get(f"{API}/{node_id}", headers=world.headers(user))
    assert r.status_code == 200, r.json
    return r.headers["ETag"]


def patch(client, world, node_id, body, user="office_a"):
    etag = etag_of(client, world, node_id, user)
    return client.patch(f"{API}/{node_id}", json=body, headers=world.headers(user, **{"If-Match": etag}))


def create(client, world, user="office_a", **body):
    return client.post(API, json=body, headers=world.headers(user))


def test_list_shows_only_the_users_tree(client, world):
    codes = [n["code"] for n in client.get(API, headers=world.headers("office_a")).json]
    assert set(codes) == {"a", "a.town1", "a.town1.office", "a.town2", "a.soe", "a.soe.sub"}
    codes = [n["code"] for n in client.get(API, headers=world.headers("clerk_a1")).json]
    assert set(codes) == {"a.town1", "a.town1.office"}
    codes = [n["code"] for n in client.get(API, headers=world.headers("office_b")).json]
    assert set(codes) == {"b", "b.town1"}
    assert client.get(f"{API}/{nid(world, 'a')}", headers=world.headers("office_b")).status_code == 404


def test_list_filters(client, world):
    h = world.headers("office_a")
    r = client.get(f"{API}?under={nid(world, 'a.soe')}", headers=h)
    assert {n["code"] for n in r.json} == {"a.soe", "a.soe.sub"}
    assert [n["code"] for n in client.get(f"{API}?kind=township", headers=h).json] == ["a.town1", "a.town2"]
    assert [n["code"] for n in client.get(f"{API}?q=town2", headers=h).json] == ["a.town2"]


def test_office_creates_a_child(client, world):
    r = create(
        client, world, code="a.town3", name="甲三镇人民政府", kind="township", parent_id=nid(world, "a")
    )
    assert r.status_code == 201, r.json
    body = r.json
    assert body["parent_id"] == nid(world, "a")
    assert body["jurisdiction_id"] == nid(world, "a")
    assert body["depth"] == 1
    assert body["active"] is True
    assert body["kind_label"]
    # the new unit can take debts straight away
    r = client.post("/api/v1/debts", json=debt_payload(unit_id=body["id"]), headers=world.headers("office_a"))
    assert r.status_code == 201
    history = client.get(f"{API}/{body['id']}/history", headers=world.headers("office_a")).json
    assert [h["action"] for h in history] == ["created"]
    assert history[0]["actor_name"] == "office_a"


def test_office_cannot_create_under_another_jurisdiction(client, world):
    r = create(client, world, code="b.town9", name="乙九镇", kind="township", parent_id=nid(world, "b"))
    assert r.status_code == 404


def test_office_needs_a_parent(client, world):
    r = create(client, world, code="c", name="丙新区", kind="jurisdiction")
    assert r.status_code == 403 and "parent_id" in r.json["errors"]


def test_code_validation(client, world):
    parent = nid(world, "a")
    for bad in ("A.Town", "1abc", "a town", "a/town", "甲镇"):
        r = create(client, world, code=bad, name="x", kind="township", parent_id=parent)
        assert r.status_code == 422, bad
        assert "code" in r.json["errors"], bad
    r = create(client, world, code="a.town1", name="重复", kind="township", parent_id=parent)
    assert r.status_code == 422 and "code" in r.json["errors"]
    r = create(client, world, code="", name="x", kind="township", parent_id=parent)
    assert r.status_code == 422 and "code" in r.json["errors"]


def test_kind_rules(client, world):
    # a subsidiary only under an SOE or another subsidiary
    r = create(client, world, code="a.sub.bad", name="x", kind="subsidiary", parent_id=nid(world, "a.town1"))
    assert r.status_code == 422 and "kind" in r.json["errors"]
    r = create(client, world, code="a.sub.bad2", name="x", kind="subsidiary", parent_id=nid(world, "a"))
    assert r.status_code == 422 and "kind" in r.json["errors"]
    r = create(
        client, world, code="a.soe.sub2", name="二级子公司", kind="subsidiary", parent_id=nid(world, "a.soe")
    )
    assert r.status_code == 201, r.json
    r = create(
        client,
        world,
        code="a.soe.sub.sub",
        name="三级子公司",
        kind="subsidiary",
        parent_id=nid(world, "a.soe.sub"),
    )
    assert r.status_code == 201, r.json
    assert r.json["depth"] == 3
    # a township cannot sit under an SOE; a jurisdiction cannot have a parent
    r = create(client, world, code="a.soe.town", name="x", kind="township", parent_id=nid(world, "a.soe"))
    assert r.status_code == 422 and "kind" in r.json["errors"]
    r = create(client, world, code="a.j2", name="x", kind="jurisdiction", parent_id=nid(world, "a"))
    assert r.status_code == 422 and "kind" in r.json["errors"]
    r = create(client, world, code="a.x", name="x", kind="planet", parent_id=nid(world, "a"))
    assert r.status_code == 422 and "kind" in r.json["errors"]


def test_soe_group_manages_its_subsidiaries(client, world):
    r = create(
        client,
        world,
        user="soe_a",
        code="a.soe.sub3",
        name="甲旅游集团物业公司",
        kind="subsidiary",
        parent_id=nid(world, "a.soe"),
    )
    assert r.status_code == 201, r.json
    r = create(client, world, user="soe_a", code="a.x1", name="x", kind="township", parent_id=nid(world, "a"))
    assert r.status_code in (403, 404)


def test_rename_with_history(client, world):
    node = nid(world, "a.town2")
    r = patch(client, world, node, {"name": "甲二镇人民政府（新）"})
    assert r.status_code == 200, r.json
    assert r.json["name"] == "甲二镇人民政府（新）"
    history = client.get(f"{API}/{node}/history", headers=world.headers("office_a")).json
    renamed = [h for h in history if h["action"] == "renamed"]
    assert renamed and renamed[0]["before"] == {"name": "甲二镇人民政府"}
    assert renamed[0]["after"] == {"name": "甲二镇人民政府（新）"}
    assert renamed[0]["actor_name"] == "office_a"


def test_patch_needs_if_match(client, world):
    node = nid(world, "a.town2")
    r = client.patch(f"{API}/{node}", json={"name": "x"}, headers=world.headers("office_a"))
    assert r.status_code == 428
    old = etag_of(client, world, node)
    assert patch(client, world, node, {"name": "新名"}).status_code == 200
    r = client.patch(
        f"{API}/{node}", json={"name": "x"}, headers=world.headers("office_a", **{"If-Match": old})
    )
    assert r.status_code == 412


def test_move_with_history(client, world):
    node = nid(world, "a.town1.office")
    r = patch(client, world, node, {"parent_id": nid(world, "a.town2")})
    assert r.status_code == 200, r.json
    assert r.json["parent_id"] == nid(world, "a.town2")
    # the moved unit is now in a.town2's subtree, not in a.town1's
    codes = {n["code"] for n in client.get(API, headers=world.headers("clerk_a2")).json}
    assert codes == {"a.town2", "a.town1.office"}
    codes = {n["code"] for n in client.get(API, headers=world.headers("clerk_a1")).json}
    assert codes == {"a.town1"}
    history = client.get(f"{API}/{node}/history", headers=world.headers("office_a")).json
    moved = [h for h in history if h["action"] == "moved"]
    assert moved[0]["before"]["parent_id"] == nid(world, "a.town1")
    assert moved[0]["after"]["parent_id"] == nid(world, "a.town2")


def test_move_with_a_debt_moves_its_visibility(client, world):
    r = client.post(
        "/api/v1/debts",
        json=debt_payload(unit_id=nid(world, "a.town1.office")),
        headers=world.headers("clerk_a1"),
    )
    debt_id = r.json["id"]
    assert (
        patch(client, world, nid(world, "a.town1.office"), {"parent_id": nid(world, "a.town2")}).status_code
        == 200
    )
    assert client.get(f"/api/v1/debts/{debt_id}", headers=world.headers("clerk_a2")).status_code == 200
    assert client.get(f"/api/v1/debts/{debt_id}", headers=world.headers("clerk_a1")).status_code == 404


def test_move_into_own_subtree_is_refused(client, world):
    r = patch(client, world, nid(world, "a.town1"), {"parent_id": nid(world, "a.town1.office")})
    assert r.status_code == 422 and "parent_id" in r.json["errors"]
    r = patch(client, world, nid(world, "a.town1"), {"parent_id": nid(world, "a.town1")})
    assert r.status_code == 422 and "parent_id" in r.json["errors"]


def test_move_to_another_jurisdiction_or_wrong_kind_is_refused(client, world):
    r = patch(client, world, nid(world, "a.town2"), {"parent_id": nid(world, "b")})
    assert r.status_code in (404, 422)
    r = patch(client, world, nid(world, "a.town2"), {"parent_id": nid(world, "a.soe")})
    assert r.status_code == 422 and "kind" in r.json["errors"]
    r = patch(client, world, nid(world, "a"), {"parent_id": nid(world, "a.town1")})
    assert r.status_code == 422 and "parent_id" in r.json["errors"]


def test_deactivate_with_history_refuses_new_debts(client, world):
    node = nid(world, "a.town1")
    r = patch(client, world, node, {"active": False, "reason": "乡镇合并"})
    assert r.status_code == 200, r.json
    assert r.json["active"] is False
    # the subtree is closed too
    r = client.get(f"{API}/{nid(world, 'a.town1.office')}", headers=world.headers("office_a"))
    assert r.json["active"] is False
    for unit in ("a.town1", "a.town1.office"):
        r = client.post(
            "/api/v1/debts", json=debt_payload(unit_id=nid(world, unit)), headers=world.headers("office_a")
        )
        assert r.status_code == 409, unit  # the unit is closed: a state, not a malformed request
        assert "unit_id" in r.json["errors"]
    # no new child under a closed unit
    r = create(client, world, code="a.town1.new", name="x", kind="institution", parent_id=node)
    assert r.status_code == 422 and "parent_id" in r.json["errors"]
    history = client.get(f"{API}/{node}/history", headers=world.headers("office_a")).json
    event = [h for h in history if h["action"] == "deactivated"][0]
    assert event["before"] == {"active": True} and event["after"] == {"active": False}
    assert event["note"] == "乡镇合并"
    # reactivation
    r = patch(client, world, node, {"active": True})
    assert r.status_code == 200 and r.json["active"] is True


def test_delete_deactivates_and_keeps_the_node(client, world):
    node = nid(world, "a.town2")
    r = client.delete(f"{API}/{node}", headers=world.headers("office_a"))
    assert r.status_code == 204
    r = client.get(f"{API}/{node}", headers=world.headers("office_a"))
    assert r.status_code == 200 and r.json["active"] is False
    r = client.delete(f"{API}/{nid(world, 'a')}", headers=world.headers("office_a"))
    assert r.status_code == 409


def test_clerk_cannot_manage(client, world):
    r = create(
        client,
        world,
        user="clerk_a1",
        code="a.town1.x",
        name="x",
        kind="institution",
        parent_id=nid(world, "a.town1"),
    )
    assert r.status_code == 403
    etag = etag_of(client, world, nid(world, "a.town1"), "clerk_a1")
    r = client.patch(
        f"{API}/{nid(world, 'a.town1')}",
        json={"name": "x"},
        headers=world.headers("clerk_a1", **{"If-Match": etag}),
    )
    assert r.status_code == 403
    assert (
        client.delete(f"{API}/{nid(world, 'a.town1')}", headers=world.headers("clerk_a1")).status_code == 403
    )
    for user in ("leader_a", "auditor_a", "head_a1"):
        r = create(client, world, user=user, code="a.y", name="y", kind="township", parent_id=nid(world, "a"))
        assert r.status_code == 403, user


def test_platform_admin_creates_a_jurisdiction(client, world):
    r = create(client, world, user="admin", code="c", name="丙风景区", kind="jurisdiction")
    assert r.status_code == 201, r.json
    body = r.json
    assert body["parent_id"] is None
    assert body["jurisdiction_id"] == body["id"]
    assert body["depth"] == 0
    # the office of another jurisdiction cannot see it
    assert client.get(f"{API}/{body['id']}", headers=world.headers("office_a")).status_code == 404
    # the platform admin works in one jurisdiction at a time, chosen with the tenant header
    r = client.post(
        API,
        json={"code": "c.town1", "name": "丙一镇", "kind": "township", "parent_id": body["id"]},
        headers=world.headers("admin", **{"X-Qingqian-Tenant": "c"}),
    )
    assert r.status_code == 201, r.json
    assert r.json["jurisdiction_id"] == body["id"]


def test_platform_admin_jurisdiction_must_be_a_jurisdiction(client, world):
    r = create(client, world, user="admin", code="d", name="x", kind="township")
    assert r.status_code == 422 and "parent_id" in r.json["errors"]


def test_unknown_field_in_tenant_body(client, world):
    r = create(client, world, code="a.t9", name="x", kind="township", parent_id=nid(world, "a"), color="red")
    assert r.status_code == 422 and r.json["errors"] == {"color": ["未知字段"]}
