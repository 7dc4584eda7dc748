"""/api/v1/debts: create, list (filters, sorts, pages), update with If-Match, delete, payments, roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core import clock
from core.rules.credit_code import make

try:
    from tests.conftest import debt_payload
except ImportError:  # tests/ is not a package: pytest puts it on sys.path as the rootdir of conftest
    from conftest import debt_payload

API = "/api/v1/debts"
HONGDA_CODE = make("91140922MA0K12345")
JINYUAN_CODE = make("91140100MA0L00001")


def create(client, world, user="clerk_a1", **overrides):
    return client.post(API, json=debt_payload(**overrides), headers=world.headers(user))


def created(client, world, user="clerk_a1", **overrides) -> dict:
    r = create(client, world, user, **overrides)
    assert r.status_code == 201, r.json
    return r.json


def node_id(world, code: str) -> int:
    # Read under the system scope: the fixture's objects expire after each request, and reloading
    # them outside any scope finds nothing (PostgreSQL row-level security).
    from core.tenancy.scope import system_scope

    with system_scope():
        return world.nodes[code].id


def get(client, world, debt_id, user="office_a"):
    return client.get(f"{API}/{debt_id}", headers=world.headers(user))


def patch(client, world, debt_id, body, user="office_a", etag=None):
    if etag is None:
        etag = get(client, world, debt_id, user).headers["ETag"]
    return client.patch(f"{API}/{debt_id}", json=body, headers=world.headers(user, **{"If-Match": etag}))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [row["id"] for row in response.json]


# --- create -------------------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_computed_fields(client, world):
    r = create(client, world)
    assert r.status_code == 201, r.json
    body = r.json
    assert r.headers["Location"].endswith(f"/api/v1/debts/{body['id']}")
    assert r.headers["ETag"]
    assert body["unit_id"] == node_id(world, "a.town1")  # the clerk's own unit by default
    assert body["status"] == "to_verify"
    assert body["amount_owed"] == "100000.00"  # money as a string with two decimals
    assert body["undisputed_amount"] == "100000.00"
    assert body["disputed_amount"] == "0.00"
    assert body["outstanding"] == "100000.00"
    # delivered 2023-01-01, agency term 30 days → due 2023-01-31
    assert body["due_date"] == "2023-01-31"
    assert body["overdue_days"] == (clock.today() - dt.date(2023, 1, 31)).days
    # no payment: 100000 × 0.0005 × overdue days
    expected = (Decimal("100000") * Decimal("0.0005") * body["overdue_days"]).quantize(Decimal("0.01"))
    assert body["late_interest"] == f"{expected:.2f}"
    assert body["creditor"]["credit_code"] == HONGDA_CODE


def test_create_with_creditor_by_code_reuses_the_enterprise(client, world):
    first = created(client, world)
    # Same code, another spelling of the name, typed in full-width digits: still the same enterprise.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in HONGDA_CODE)
    second = created(
        client,
        world,
        contract_no="HT-2022-002",
        creditor={"name": "宏达建筑", "credit_code": full_width, "size_class": "small"},
    )
    assert second["creditor_id"] == first["creditor_id"]
    r = client.get("/api/v1/enterprises", headers=world.headers("office_a"))
    assert r.headers["X-Total-Count"] == "1"
    assert r.json[0]["name"] == "五台山宏达建筑工程有限公司"  # the first registration's name is kept


def test_create_with_creditor_id(client, world):
    r = client.post(
        "/api/v1/enterprises",
        json={"name": "晋源服务有限公司", "credit_code": JINYUAN_CODE},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201, r.json
    enterprise_id = r.json["id"]
    body = created(client, world, creditor={"id": enterprise_id})
    assert body["creditor_id"] == enterprise_id
    assert body["creditor"]["name"] == "晋源服务有限公司"


def test_create_with_an_unknown_creditor_id_is_refused(client, world):
    r = create(client, world, creditor={"id": 999999})
    assert r.status_code == 404
    assert "creditor" in r.json["errors"]


def test_creditor_of_another_jurisdiction_cannot_be_used(client, world):
    r = client.post(
        "/api/v1/enterprises",
        json={"name": "乙方企业", "credit_code": JINYUAN_CODE},
        headers=world.headers("clerk_b1"),
    )
    assert r.status_code == 201
    r = create(client, world, creditor={"id": r.json["id"]})
    assert r.status_code == 404
    assert "creditor" in r.json["errors"]


def test_create_with_invalid_credit_code_names_the_nested_field(client, world):
    r = create(client, world, creditor={"name": "某公司", "credit_code": "91350100M000100I43"})
    assert r.status_code == 422
    assert "credit_code" in r.json["errors"]["creditor"]


def test_create_with_failed_check_digit_warns(client, world):
    wrong = HONGDA_CODE[:17] + ("0" if HONGDA_CODE[17] != "0" else "1")
    r = create(client, world, creditor={"name": "待核实企业", "credit_code": wrong})
    assert r.status_code == 201, r.json
    assert any(w["field"] == "creditor.credit_code" for w in r.json["warnings"])


# --- validation on create -----------------------------------------------------------------------


def test_missing_required_field_answers_in_chinese(client, world):
    body = debt_payload()
    del body["amount_owed"]
    r = client.post(API, json=body, headers=world.headers("clerk_a1"))
    assert r.status_code == 422
    assert r.json["code"] == "validation_error"
    assert r.json["errors"] == {"amount_owed": ["必填字段"]}


def test_float_amount_is_refused(client, world):
    r = create(client, world, amount_owed=100000.5)
    assert r.status_code == 422
    assert "amount_owed" in r.json["errors"]


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00"])
def test_non_positive_amount_is_refused(client, world, amount):
    r = create(client, world, amount_owed=amount)
    assert r.status_code == 422
    assert "amount_owed" in r.json["errors"]


def test_more_than_two_decimals_is_refused(client, world):
    r = create(client, world, amount_owed="100.001")
    assert r.status_code == 422
    assert "amount_owed" in r.json["errors"]


def test_split_not_adding_up_is_refused_on_create(client, world):
    # 60000 + 30000 = 90000 ≠ 100000
    r = create(client, world, undisputed_amount="60000.00", disputed_amount="30000.00")
    assert r.status_code == 422
    assert "undisputed_amount" in r.json["errors"]


def test_split_adding_up_is_accepted(client, world):
    body = created(client, world, undisputed_amount="70000.00", disputed_amount="30000.00")
    assert body["undisputed_amount"] == "70000.00"
    assert body["disputed_amount"] == "30000.00"


def test_large_creditor_is_refused(client, world):
    r = create(
        client,
        world,
        creditor={"name": "某大型央企", "credit_code": make("91110000100000001"), "size_class": "large"},
    )
    assert r.status_code == 409
    assert "creditor" in r.json["errors"]


@pytest.mark.parametrize("field", ["contract_date", "delivery_date", "origin_date"])
def test_date_in_the_future_is_refused(client, world, field):
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    r = create(client, world, **{field: tomorrow})
    assert r.status_code == 409
    assert field in r.json["errors"]


def test_unknown_field_is_refused_and_named(client, world):
    r = create(client, world, amount_paid="5.00")
    assert r.status_code == 422
    assert r.json["errors"] == {"amount_paid": ["未知字段"]}


def test_unknown_field_inside_the_creditor_is_refused(client, world):
    r = create(client, world, creditor={"name": "某公司", "credit_code": HONGDA_CODE, "boss": "张三"})
    assert r.status_code == 422
    assert r.json["errors"]["creditor"] == {"boss": ["未知字段"]}


def test_bad_choice_is_named_in_chinese(client, world):
    r = create(client, world, category="food")
    assert r.status_code == 422
    assert r.json["errors"]["category"][0].startswith("必须是以下值之一")


def test_migrant_wages_without_an_amount_are_kept_and_marked_pending(client, world):
    """Issue 23: refused before; now accepted with a warning, flagged 工资金额待补充 and filterable."""
    r = create(client, world, migrant_wages=True)
    assert r.status_code == 201, r.json
    assert r.json["wage_amount_pending"] is True
    assert [w["field"] for w in r.json["warnings"]] == ["migrant_wage_amount"]
    assert "工资金额待补充" in r.json["warnings"][0]["message"]
    other = created(client, world, contract_no="HT-2", migrant_wages=True, migrant_wage_amount="3000.00")
    assert other["wage_amount_pending"] is False

    listed = client.get(API, query_string={"wage_amount_pending": "true"}, headers=world.headers("clerk_a1"))
    assert [d["id"] for d in listed.json] == [r.json["id"]]

    # Entering the figure clears the flag.
    changed = patch(client, world, r.json["id"], {"migrant_wage_amount": "2000.00"})
    assert changed.status_code == 200, changed.json
    assert changed.json["wage_amount_pending"] is False
    listed = client.get(API, query_string={"wage_amount_pending": "true"}, headers=world.headers("clerk_a1"))
    assert listed.json == []


# --- list: filters ------------------------------------------------------------------------------


@pytest.fixture
def three_debts(client, world):
    """d1: a.town1, works, 100000, overdue · d2: a.town1.office, goods, 5000, audit, wages, not yet due ·
    d3: a.town2, services, 250000.50, complaint, another creditor, confirmed, overdue."""
    recent = (clock.today() - dt.timedelta(days=5)).isoformat()
    d1 = created(client, world)
    d2 = created(
        client,
        world,
        user="office_a",
        unit_id=node_id(world, "a.town1.office"),
        category="goods",
        amount_owed="5000.00",
        source="audit",
        migrant_wages=True,
        migrant_wage_amount="2000.00",
        project_name="办公设备采购",
        contract_no="CG-2024-010",
        contract_date=recent,
        delivery_date=recent,
    )
    d3 = created(
        client,
        world,
        user="clerk_a2",
        category="services",
        amount_owed="250000.50",
        source="complaint",
        project_name="景区绿化养护",
        contract_no="HT-2023-077",
        contract_date="2023-01-05",
        delivery_date="2023-02-01",
        creditor={"name": "太原市晋源服务有限公司", "credit_code": JINYUAN_CODE},
        status="confirmed",
    )
    return d1, d2, d3


def listing(client, world, query="", user="office_a"):
    return client.get(f"{API}?{query}", headers=world.headers(user))


def test_list_default_sort_is_newest_first(client, world, three_debts):
    d1, d2, d3 = three_debts
    r = listing(client, world)
    assert ids(r) == [d3["id"], d2["id"], d1["id"]]
    assert r.headers["X-Total-Count"] == "3"


def test_filter_by_unit_subtree(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert set(ids(listing(client, world, f"unit={node_id(world, 'a.town1')}"))) == {d1["id"], d2["id"]}
    assert ids(listing(client, world, f"unit={node_id(world, 'a.town1.office')}")) == [d2["id"]]
    assert ids(listing(client, world, f"unit={node_id(world, 'a.town2')}")) == [d3["id"]]


def test_filter_by_a_unit_of_another_jurisdiction_is_refused(client, world, three_debts):
    r = listing(client, world, f"unit={node_id(world, 'b.town1')}")
    assert r.status_code == 404
    assert "unit" in r.json["errors"]


def test_filter_by_status_repeatable(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert ids(listing(client, world, "status=confirmed")) == [d3["id"]]
    assert set(ids(listing(client, world, "status=confirmed&status=to_verify"))) == {
        d1["id"],
        d2["id"],
        d3["id"],
    }
    assert ids(listing(client, world, "status=cleared")) == []
    r = listing(client, world, "status=paid")
    assert r.status_code == 422 and "status" in r.json["errors"]


def test_filter_by_category_and_source(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert ids(listing(client, world, "category=goods")) == [d2["id"]]
    assert set(ids(listing(client, world, "category=goods&category=works"))) == {d1["id"], d2["id"]}
    assert ids(listing(client, world, "source=audit")) == [d2["id"]]
    assert ids(listing(client, world, "source=complaint")) == [d3["id"]]
    assert ids(listing(client, world, "source=self_inspection")) == [d1["id"]]


def test_filter_overdue(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert set(ids(listing(client, world, "overdue=true"))) == {d1["id"], d3["id"]}
    assert ids(listing(client, world, "overdue=false")) == [d2["id"]]


def test_filter_by_creditor(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert ids(listing(client, world, f"creditor={d3['creditor_id']}")) == [d3["id"]]
    assert set(ids(listing(client, world, f"creditor={d1['creditor_id']}"))) == {d1["id"], d2["id"]}


def test_filter_by_amount_range(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert set(ids(listing(client, world, "min_amount=5000&max_amount=100000"))) == {d1["id"], d2["id"]}
    assert ids(listing(client, world, "min_amount=100000.01")) == [d3["id"]]
    assert ids(listing(client, world, "max_amount=4999.99")) == []
    r = listing(client, world, "min_amount=10&max_amount=5")
    assert r.status_code == 422 and "min_amount" in r.json["errors"]


def test_filter_by_migrant_wages(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert ids(listing(client, world, "migrant_wages=true")) == [d2["id"]]
    assert set(ids(listing(client, world, "migrant_wages=false"))) == {d1["id"], d3["id"]}


@pytest.mark.parametrize(
    ("q", "which"),
    [
        ("绿化", 2),  # project name
        ("HT-2023-077", 2),  # contract number
        ("晋源", 2),  # creditor name
        (JINYUAN_CODE, 2),  # creditor code
        ("办公设备", 1),
    ],
)
def test_filter_by_keyword(client, world, three_debts, q, which):
    from urllib.parse import quote

    assert ids(listing(client, world, f"q={quote(q)}")) == [three_debts[which]["id"]]


def test_keyword_matching_several(client, world, three_debts):
    from urllib.parse import quote

    d1, d2, d3 = three_debts
    assert set(ids(listing(client, world, f"q={quote('宏达')}"))) == {d1["id"], d2["id"]}
    assert ids(listing(client, world, "q=%25")) == []  # a literal "%" matches nothing, not everything


def test_each_user_lists_only_their_subtree(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert set(ids(listing(client, world, user="clerk_a1"))) == {d1["id"], d2["id"]}
    assert ids(listing(client, world, user="clerk_a2")) == [d3["id"]]
    assert ids(listing(client, world, user="clerk_b1")) == []


# --- list: sorting and pages --------------------------------------------------------------------


def test_sort_by_amount(client, world, three_debts):
    d1, d2, d3 = three_debts
    assert ids(listing(client, world, "sort=amount_owed")) == [d2["id"], d1["id"], d3["id"]]
    assert ids(listing(client, world, "sort=-amount_owed")) == [d3["id"], d1["id"], d2["id"]]


def test_sort_by_due_date(client, world, three_debts):
    # d1 due 2023-01-31, d3 due 2023-03-03, d2 due today + 25
    d1, d2, d3 = three_debts
    assert ids(listing(client, world, "sort=due_date")) == [d1["id"], d3["id"], d2["id"]]
    assert ids(listing(client, world, "sort=-due_date")) == [d2["id"], d3["id"], d1["id"]]


def test_unknown_sort_is_refused(client, world, three_debts):
    r = listing(client, world, "sort=password")
    assert r.status_code == 422 and "sort" in r.json["errors"]


def test_pagination_headers(client, world, three_debts):
    d1, d2, d3 = three_debts
    r = listing(client, world, "page_size=2&sort=amount_owed")
    assert ids(r) == [d2["id"], d1["id"]]
    assert r.headers["X-Total-Count"] == "3"
    link = r.headers["Link"]
    assert 'rel="next"' in link and "page=2" in link
    assert 'rel="last"' in link
    assert 'rel="prev"' not in link
    r = listing(client, world, "page_size=2&page=2&sort=amount_owed")
    assert ids(r) == [d3["id"]]
    assert 'rel="prev"' in r.headers["Link"] and 'rel="next"' not in r.headers["Link"]


def test_page_beyond_the_end_is_an_empty_list(client, world, three_debts):
    r = listing(client, world, "page=5&page_size=2")
    assert r.status_code == 200
    assert r.json == []
    assert r.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=501", "page=abc"])
def test_bad_page_arguments(client, world, query):
    r = listing(client, world, query)
    assert r.status_code == 422


# --- read, update with If-Match -----------------------------------------------------------------


def test_other_jurisdiction_gets_404(client, world):
    d = created(client, world)
    assert get(client, world, d["id"], "clerk_b1").status_code == 404
    assert get(client, world, d["id"], "office_b").status_code == 404
    assert get(client, world, d["id"], "clerk_a2").status_code == 404  # sibling unit
    assert get(client, world, d["id"], "leader_a").status_code == 200


def test_patch_requires_if_match(client, world):
    d = created(client, world)
    r = client.patch(f"{API}/{d['id']}", json={"remarks": "x"}, headers=world.headers("office_a"))
    assert r.status_code == 428
    assert r.json["code"] == "precondition_required"


def test_patch_with_stale_etag_is_412(client, world):
    d = created(client, world)
    old = get(client, world, d["id"]).headers["ETag"]
    assert patch(client, world, d["id"], {"remarks": "first"}, etag=old).status_code == 200
    r = patch(client, world, d["id"], {"remarks": "second"}, etag=old)
    assert r.status_code == 412
    assert r.json["code"] == "precondition_failed"


def test_patch_with_fresh_etag_answers_a_new_etag(client, world):
    d = created(client, world)
    etag = get(client, world, d["id"]).headers["ETag"]
    r = patch(client, world, d["id"], {"remarks": "核对完毕", "status": "confirmed"}, etag=etag)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "confirmed"
    assert r.json["remarks"] == "核对完毕"
    assert r.headers["ETag"] and r.headers["ETag"] != etag
    assert get(client, world, d["id"]).headers["ETag"] == r.headers["ETag"]


def test_patch_recomputes_the_due_date(client, world):
    d = created(client, world)
    # agreed 45 days from 2023-01-01 → 2023-02-15
    r = patch(client, world, d["id"], {"agreed_term_days": 45})
    assert r.status_code == 200
    assert r.json["due_date"] == "2023-02-15"


def test_refused_status_transition_names_status(client, world):
    d = created(client, world)
    r = patch(client, world, d["id"], {"status": "cleared"})  # to_verify → cleared is not allowed
    assert r.status_code == 409  # the debt's state, not the request's shape
    assert "status" in r.json["errors"]
    assert get(client, world, d["id"]).json["status"] == "to_verify"


def test_split_not_adding_up_is_refused_on_update(client, world):
    d = created(client, world)
    r = patch(client, world, d["id"], {"undisputed_amount": "50000.00", "disputed_amount": "10000.00"})
    assert r.status_code == 422
    assert "undisputed_amount" in r.json["errors"]
    assert get(client, world, d["id"]).json["undisputed_amount"] == "100000.00"


def test_update_float_and_non_positive_amounts(client, world):
    d = created(client, world)
    assert patch(client, world, d["id"], {"amount_owed": 12.5}).status_code == 422
    r = patch(client, world, d["id"], {"amount_owed": "-1.00"})
    assert r.status_code == 422 and "amount_owed" in r.json["errors"]


def test_update_unknown_field_is_refused(client, world):
    d = created(client, world)
    r = patch(client, world, d["id"], {"paid_amount": "100000.00"})
    assert r.status_code == 422
    assert r.json["errors"] == {"paid_amount": ["未知字段"]}


def test_update_date_in_the_future_is_refused(client, world):
    d = created(client, world)
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    r = patch(client, world, d["id"], {"delivery_date": tomorrow})
    assert r.status_code == 409 and "delivery_date" in r.json["errors"]


def test_move_debt_to_a_unit_outside_the_users_subtree_is_refused(client, world):
    d = created(client, world)
    r = patch(client, world, d["id"], {"unit_id": node_id(world, "a.town2")}, user="clerk_a1")
    assert r.status_code in (403, 404, 422)
    assert get(client, world, d["id"]).json["unit_id"] == node_id(world, "a.town1")


# --- soft delete --------------------------------------------------------------------------------


def test_soft_delete_hides_the_debt_and_keeps_its_history(client, world):
    from core.extensions import db
    from core.models.event import Event
    from core.tenancy.scope import system_scope

    d = created(client, world)
    etag = get(client, world, d["id"]).headers["ETag"]
    r = client.delete(f"{API}/{d['id']}", headers=world.headers("office_a"))
    assert r.status_code == 428  # delete names the version too
    r = client.delete(
        f"{API}/{d['id']}?reason=重复登记", headers=world.headers("office_a", **{"If-Match": etag})
    )
    assert r.status_code == 204
    assert get(client, world, d["id"]).status_code == 404
    assert ids(listing(client, world)) == []
    r = patch(client, world, d["id"], {"remarks": "x"}, etag=etag)
    assert r.status_code == 404
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action)
            .where(Event.entity_type == "debts", Event.entity_id == d["id"])
            .order_by(Event.id)
        ).all()
        note = db.session.scalar(
            db.select(Event.note).where(
                Event.entity_type == "debts", Event.entity_id == d["id"], Event.action == "deleted"
            )
        )
    assert actions == ["created", "deleted"]
    assert note == "重复登记"


# --- payments -----------------------------------------------------------------------------------


def pay(client, world, debt_id, amount, paid_on="2023-03-02", user="clerk_a1", **extra):
    return client.post(
        f"{API}/{debt_id}/payments",
        json={"paid_on": paid_on, "amount": amount, **extra},
        headers=world.headers(user),
    )


def test_partial_payment_moves_to_partly_repaid_and_reduces_interest(client, world):
    d = created(client, world)
    patch(client, world, d["id"], {"status": "confirmed"})
    r = pay(client, world, d["id"], "40000.00")
    assert r.status_code == 201, r.json
    assert r.json["amount"] == "40000.00"
    assert r.json["flagged"] is False
    debt = get(client, world, d["id"]).json
    assert debt["status"] == "partly_repaid"
    assert debt["paid_amount"] == "40000.00"
    assert debt["outstanding"] == "60000.00"
    # 01-31 → 03-02: 30 days × 100000 × 0.0005 = 1500.00; then 60000 × 0.0005 × days to today
    days_after = (clock.today() - dt.date(2023, 3, 2)).days
    expected = Decimal("1500.00") + Decimal("60000") * Decimal("0.0005") * days_after
    assert debt["late_interest"] == f"{expected.quantize(Decimal('0.01')):.2f}"


def test_full_payment_clears_and_stops_interest(client, world):
    d = created(client, world)
    patch(client, world, d["id"], {"status": "confirmed"})
    assert pay(client, world, d["id"], "40000.00").status_code == 201
    assert pay(client, world, d["id"], "60000.00", paid_on="2023-03-31").status_code == 201
    debt = get(client, world, d["id"]).json
    assert debt["status"] == "cleared"
    assert debt["outstanding"] == "0.00"
    assert debt["overdue_days"] == 0
    # 1500.00 (30 days on 100000) + 60000 × 0.0005 × 29 (03-02 → 03-31) = 870.00 → 2370.00
    assert debt["late_interest"] == "2370.00"


def test_overpayment_is_refused(client, world):
    d = created(client, world)
    r = pay(client, world, d["id"], "100000.01")
    assert r.status_code == 422
    assert "amount" in r.json["errors"]
    assert get(client, world, d["id"]).json["paid_amount"] == "0.00"


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_non_positive_payment_is_refused(client, world, amount):
    d = created(client, world)
    r = pay(client, world, d["id"], amount)
    assert r.status_code == 422 and "amount" in r.json["errors"]


def test_payment_in_the_future_is_refused(client, world):
    d = created(client, world)
    r = pay(client, world, d["id"], "1.00", paid_on=(clock.today() + dt.timedelta(days=1)).isoformat())
    assert r.status_code == 422 and "paid_on" in r.json["errors"]


def test_float_payment_is_refused(client, world):
    d = created(client, world)
    r = pay(client, world, d["id"], 100.5)
    assert r.status_code == 422 and "amount" in r.json["errors"]


@pytest.mark.parametrize("method", ["commercial_bill", "e_voucher", "offset"])
def test_watched_payment_methods_are_flagged(client, world, method):
    d = created(client, world)
    r = pay(client, world, d["id"], "1000.00", method=method)
    assert r.status_code == 201, r.json
    assert r.json["flagged"] is True
    assert r.json["method"] == method


def test_reversal_needs_a_reason(client, world):
    d = created(client, world)
    payment = pay(client, world, d["id"], "40000.00").json
    url = f"{API}/{d['id']}/payments/{payment['id']}/reversal"
    r = client.post(url, json={}, headers=world.headers("clerk_a1"))
    assert r.status_code == 422 and r.json["errors"] == {"reason": ["必填字段"]}
    r = client.post(url, json={"reason": ""}, headers=world.headers("clerk_a1"))
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = client.post(url, json={"reason": "   "}, headers=world.headers("clerk_a1"))
    assert r.status_code == 422 and "reason" in r.json["errors"]


def test_reversal_restores_balance_and_status(client, world):
    d = created(client, world)
    patch(client, world, d["id"], {"status": "confirmed"})
    p1 = pay(client, world, d["id"], "40000.00").json
    p2 = pay(client, world, d["id"], "60000.00", paid_on="2023-03-31").json
    assert get(client, world, d["id"]).json["status"] == "cleared"
    url = f"{API}/{d['id']}/payments/{p2['id']}/reversal"
    r = client.post(url, json={"reason": "银行退票"}, headers=world.headers("clerk_a1"))
    assert r.status_code == 200, r.json
    assert r.json["reversal_reason"] == "银行退票"
    assert r.json["reversed_at"]
    debt = get(client, world, d["id"]).json
    assert debt["status"] == "partly_repaid"
    assert debt["outstanding"] == "60000.00"
    # reversing twice is refused
    r = client.post(url, json={"reason": "再次冲正"}, headers=world.headers("clerk_a1"))
    assert r.status_code == 422
    url = f"{API}/{d['id']}/payments/{p1['id']}/reversal"
    assert client.post(url, json={"reason": "错账"}, headers=world.headers("clerk_a1")).status_code == 200
    debt = get(client, world, d["id"]).json
    assert debt["status"] == "confirmed"
    assert debt["outstanding"] == "100000.00"
    assert debt["paid_amount"] == "0.00"
    # the reversed payments stay in the list
    payments = client.get(f"{API}/{d['id']}/payments", headers=world.headers("clerk_a1")).json
    assert len(payments) == 2 and all(p["reversed_at"] for p in payments)


def test_payment_of_another_debt_cannot_be_reversed_through_this_one(client, world):
    d1 = created(client, world)
    d2 = created(client, world, contract_no="HT-2")
    p = pay(client, world, d1["id"], "10.00").json
    r = client.post(
        f"{API}/{d2['id']}/payments/{p['id']}/reversal",
        json={"reason": "x"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 404


# --- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["leader_a", "auditor_a"])
def test_readers_cannot_write(client, world, user):
    d = created(client, world)
    assert create(client, world, user=user).status_code == 403
    etag = get(client, world, d["id"], user).headers["ETag"]
    r = client.patch(
        f"{API}/{d['id']}", json={"remarks": "x"}, headers=world.headers(user, **{"If-Match": etag})
    )
    assert r.status_code == 403
    assert pay(client, world, d["id"], "1.00", user=user).status_code == 403
    r = client.delete(f"{API}/{d['id']}", headers=world.headers(user, **{"If-Match": etag}))
    assert r.status_code == 403
    assert get(client, world, d["id"]).json["paid_amount"] == "0.00"


def test_clerk_cannot_create_for_a_sibling_unit(client, world):
    r = create(client, world, unit_id=node_id(world, "a.town2"))
    assert r.status_code in (404, 422)
    if r.status_code == 422:
        assert "unit_id" in r.json["errors"]
    assert listing(client, world).headers["X-Total-Count"] == "0"


def test_clerk_cannot_create_for_another_jurisdiction(client, world):
    r = create(client, world, unit_id=node_id(world, "b.town1"))
    assert r.status_code in (404, 422)
    assert listing(client, world, user="office_b").headers["X-Total-Count"] == "0"


def test_clerk_can_create_for_a_unit_below_their_own(client, world):
    body = created(client, world, unit_id=node_id(world, "a.town1.office"))
    assert body["unit_id"] == node_id(world, "a.town1.office")


def test_clerk_cannot_touch_a_sibling_units_debt(client, world):
    d = created(client, world, user="clerk_a2")
    etag = get(client, world, d["id"]).headers["ETag"]
    r = client.patch(
        f"{API}/{d['id']}", json={"remarks": "x"}, headers=world.headers("clerk_a1", **{"If-Match": etag})
    )
    assert r.status_code == 404
    assert pay(client, world, d["id"], "1.00").status_code == 404


def test_soe_group_writes_for_its_subsidiary(client, world):
    body = created(client, world, user="soe_a", unit_id=node_id(world, "a.soe.sub"))
    assert body["unit_id"] == node_id(world, "a.soe.sub")
    assert body["unit"]["code"] == "a.soe.sub"
    assert ids(listing(client, world, user="soe_a")) == [body["id"]]
    r = patch(client, world, body["id"], {"status": "confirmed"}, user="soe_a")
    assert r.status_code == 200
    assert pay(client, world, body["id"], "100.00", user="soe_a").status_code == 201
    # and the SOE group cannot write for a township
    r = create(client, world, user="soe_a", unit_id=node_id(world, "a.town1"))
    assert r.status_code in (404, 422)


def test_deactivated_unit_refuses_new_debts(client, world):
    etag = client.get(
        f"/api/v1/tenants/{node_id(world, 'a.town1.office')}", headers=world.headers("office_a")
    ).headers["ETag"]
    r = client.patch(
        f"/api/v1/tenants/{node_id(world, 'a.town1.office')}",
        json={"active": False, "reason": "机构改革撤并"},
        headers=world.headers("office_a", **{"If-Match": etag}),
    )
    assert r.status_code == 200, r.json
    r = create(client, world, unit_id=node_id(world, "a.town1.office"))
    assert r.status_code == 409
    assert "unit_id" in r.json["errors"]


def test_pagination_links_keep_every_filter_encoded(client, world, three_debts):
    from urllib.parse import parse_qs, quote, urlsplit

    r = listing(client, world, f"status=confirmed&status=to_verify&q={quote('景区')}&page_size=1")
    assert r.headers["X-Total-Count"] == "2"  # 景区道路维修工程 (d1) and 景区绿化养护 (d3)
    links = dict(
        (part.split(";")[1].strip(), part.split(";")[0].strip()[1:-1])
        for part in r.headers["Link"].split(",")
    )
    query = parse_qs(urlsplit(links['rel="next"']).query)
    assert query["status"] == ["confirmed", "to_verify"]
    assert query["q"] == ["景区"]
    assert query["page"] == ["2"]
    assert query["page_size"] == ["1"]
    # following the link gives the second page of the same result
    next_url = links['rel="next"'].replace("http://localhost", "")
    r2 = client.get(next_url, headers=world.headers("office_a"))
    assert len(ids(r2)) == 1 and ids(r2)[0] != ids(r)[0]
