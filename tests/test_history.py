"""The append-only history: who changed what, when, before and after."""

from __future__ import annotations

try:
    from tests.conftest import debt_payload
except ImportError:  # tests/ is not a package
    from conftest import debt_payload

API = "/api/v1/debts"


def _create(client, world, user="clerk_a1", **overrides):
    r = client.post(API, json=debt_payload(**overrides), headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json


def _patch(client, world, debt_id, body, user):
    etag = client.get(f"{API}/{debt_id}", headers=world.headers(user)).headers["ETag"]
    r = client.patch(f"{API}/{debt_id}", json=body, headers=world.headers(user, **{"If-Match": etag}))
    assert r.status_code == 200, r.json
    return r.json


def _history(client, world, debt_id, user="office_a"):
    r = client.get(f"{API}/{debt_id}/history", headers=world.headers(user))
    assert r.status_code == 200, r.json
    return r.json


def test_created_updated_paid_with_before_after_and_actor(client, world):
    d = _create(client, world)
    _patch(client, world, d["id"], {"status": "confirmed", "remarks": "已与企业对账"}, "office_a")
    r = client.post(
        f"{API}/{d['id']}/payments",
        json={"paid_on": "2023-03-02", "amount": "40000.00"},
        headers=world.headers("head_a1"),
    )
    assert r.status_code == 201
    events = _history(client, world, d["id"])
    debt_events = [e for e in events if e["entity_type"] == "debts"]
    assert [e["action"] for e in debt_events] == ["created", "updated", "paid"]
    created, updated, paid = debt_events

    assert created["actor_name"] == "clerk_a1"
    assert created["actor_id"] == world.users["clerk_a1"].id
    assert created["before"] is None
    assert created["after"]["amount_owed"] == "100000.00"
    assert created["after"]["status"] == "to_verify"
    assert created["at"]

    assert updated["actor_name"] == "office_a"
    assert updated["before"] == {"status": "to_verify", "remarks": None}
    assert updated["after"] == {"status": "confirmed", "remarks": "已与企业对账"}

    assert paid["actor_name"] == "head_a1"
    assert paid["before"]["paid_amount"] == "0.00"
    assert paid["after"]["paid_amount"] == "40000.00"
    assert paid["before"]["status"] == "confirmed"
    assert paid["after"]["status"] == "partly_repaid"
    assert "40000.00" in paid["note"]

    # the payment itself has its own "created" event in the same timeline
    payment_events = [e for e in events if e["entity_type"] == "payments"]
    assert [e["action"] for e in payment_events] == ["created"]
    assert payment_events[0]["after"]["amount"] == "40000.00"
    # in time order
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)


def test_update_note_and_unchanged_values(client, world):
    d = _create(client, world)
    _patch(client, world, d["id"], {"remarks": "第一次"}, "clerk_a1")
    # the same value again changes nothing and writes no event
    _patch(client, world, d["id"], {"remarks": "第一次"}, "clerk_a1")
    _patch(
        client, world, d["id"], {"project_name": "景区道路维修工程（二期）", "note": "按合同更正"}, "clerk_a1"
    )
    events = [e for e in _history(client, world, d["id"]) if e["action"] == "updated"]
    assert len(events) == 2
    assert events[1]["note"] == "按合同更正"
    assert events[1]["before"] == {"project_name": "景区道路维修工程"}
    assert events[1]["after"] == {"project_name": "景区道路维修工程（二期）"}


def test_recomputed_fields_are_in_the_diff(client, world):
    d = _create(client, world)
    _patch(client, world, d["id"], {"agreed_term_days": 45}, "clerk_a1")
    updated = [e for e in _history(client, world, d["id"]) if e["action"] == "updated"][0]
    assert updated["before"]["due_date"] == "2023-01-31"
    assert updated["after"]["due_date"] == "2023-02-15"
    assert updated["after"]["agreed_term_days"] == 45


def test_reversal_is_in_the_history(client, world):
    d = _create(client, world)
    p = client.post(
        f"{API}/{d['id']}/payments",
        json={"paid_on": "2023-03-02", "amount": "100000.00"},
        headers=world.headers("clerk_a1"),
    ).json
    r = client.post(
        f"{API}/{d['id']}/payments/{p['id']}/reversal",
        json={"reason": "银行退票"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 200
    events = _history(client, world, d["id"])
    reversed_debt = [e for e in events if e["action"] == "payment_reversed"][0]
    assert reversed_debt["note"] == "银行退票"
    assert reversed_debt["before"]["status"] == "cleared"
    assert reversed_debt["after"]["paid_amount"] == "0.00"
    assert any(e["entity_type"] == "payments" and e["action"] == "reversed" for e in events)


def test_history_follows_isolation_and_roles(client, world):
    d = _create(client, world)
    assert client.get(f"{API}/{d['id']}/history", headers=world.headers("clerk_b1")).status_code == 404
    assert client.get(f"{API}/{d['id']}/history", headers=world.headers("clerk_a2")).status_code == 404
    assert client.get(f"{API}/{d['id']}/history", headers=world.headers("auditor_a")).status_code == 200
    # leaders see dashboards, not the audit trail
    assert client.get(f"{API}/{d['id']}/history", headers=world.headers("leader_a")).status_code == 403


def test_events_cannot_be_changed_through_the_api(client, world):
    d = _create(client, world)
    event_id = _history(client, world, d["id"])[0]["id"]
    for method in ("put", "patch", "delete"):
        r = getattr(client, method)(f"{API}/{d['id']}/history", headers=world.headers("office_a"))
        assert r.status_code == 405, method
    assert isinstance(event_id, int)


def test_long_note_is_shortened_to_the_event_column(client, world, app):
    """The event's note column holds 500 characters; a longer reason (kept whole on its own record, e.g.
    a ledger reopen reason of up to 2,000) must not fail the write on PostgreSQL."""
    from core.extensions import db
    from core.models.debt import Debt
    from core.services import history
    from core.tenancy.scope import system_scope

    d = _create(client, world)
    reason = "银行退票，" * 130  # 650 characters
    with system_scope():
        history.record(db.session.get(Debt, d["id"]), "noted", note=reason)
        db.session.commit()
    note = [e for e in _history(client, world, d["id"]) if e["action"] == "noted"][0]["note"]
    assert len(note) == 500 and note.endswith("…") and reason.startswith(note[:-1])
