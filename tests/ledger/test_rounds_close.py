"""Closing a reporting round (final: no submission, zero report, sign-off or reopening afterwards), the
reminder job and the page button; and the OpenAPI response schemas of the board and the diff."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import text

from core.extensions import db
from core.models.event import Event
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from plugins.ledger.rounds import service
from plugins.ledger.rounds.models import LedgerRound, Submission
from tests.ledger.test_rounds_support import FUTURE, add_debt, lw, nid, open_round, pay, run_job, submit
from tests.test_web import csrf_token, login

__all__ = ["lw"]


def close(client, world, user: str, round_id: int, **body):
    return client.post(f"/api/v1/ledger/rounds/{round_id}/close", json=body, headers=world.headers(user))


def board(client, world, round_id: int, user: str = "office_a") -> dict:
    r = client.get(f"/api/v1/ledger/rounds/{round_id}/board", headers=world.headers(user))
    assert r.status_code == 200, r.json
    return r.json


def states(b: dict) -> dict[str, str]:
    return {u["unit_name"]: u["state"] for u in b["units"]}


def signed_round(client, world) -> tuple[dict, dict, dict]:
    """A round where a.town1 has signed, the SOE group has submitted (awaiting sign-off), a.town2 nothing."""
    add_debt(client, world, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    add_debt(client, world, "soe_a", "a.soe.sub", 2, amount_owed="2500.50")
    rnd = open_round(client, world, deadline=FUTURE)
    town1 = submit(client, world, "clerk_a1", rnd["id"]).json
    r = client.post(
        f"/api/v1/ledger/submissions/{town1['id']}/signoff", json={}, headers=world.headers("head_a1")
    )
    assert r.status_code == 200, r.json
    soe = submit(client, world, "soe_a", rnd["id"]).json
    assert soe["status"] == "submitted"
    return rnd, town1, soe


# --- Closing -----------------------------------------------------------------------------------------


def test_office_closes_round_and_the_board_keeps_the_final_state(client, lw):
    rnd, town1, soe = signed_round(client, lw)
    before = board(client, lw, rnd["id"])

    r = close(client, lw, "office_a", rnd["id"], note="  本轮摸排工作完成  ")
    assert r.status_code == 200, r.json
    assert r.json["id"] == rnd["id"] and r.json["status"] == "closed" and r.json["status_label"] == "已结束"
    got = client.get(f"/api/v1/ledger/rounds/{rnd['id']}", headers=lw.headers("office_a")).json
    assert got["status"] == "closed"

    # The board still answers, for the office and for a unit, with the state at closing.
    after = board(client, lw, rnd["id"])
    assert after["round"]["status"] == "closed"
    assert states(after) == {
        "甲一镇人民政府": "signed",
        "甲二镇人民政府": "missing",
        "甲旅游集团": "submitted",
    }
    assert after["counts"] == before["counts"] and after["amounts"] == before["amounts"]
    assert after["amounts"]["outstanding"] == "102500.50"
    assert [u["unit_name"] for u in board(client, lw, rnd["id"], "clerk_a1")["units"]] == ["甲一镇人民政府"]
    r = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/diff", headers=lw.headers("office_a"))
    assert r.status_code == 200 and len(r.json["units"]) == 2

    # Who, when, the note and the final counts are in the round's history.
    with system_scope():
        events = db.session.scalars(
            db.select(Event)
            .where(Event.entity_type == "ledger_rounds", Event.entity_id == rnd["id"])
            .order_by(Event.id)
        ).all()
        assert [e.action for e in events] == ["round_opened", "round_closed"]
        closed = events[-1]
        assert closed.actor_name == "office_a" and closed.actor_id == lw.users["office_a"].id
        assert closed.note == "本轮摸排工作完成" and closed.at is not None
        assert closed.before == {"status": "open"} and closed.after["status"] == "closed"
        assert closed.after["counts"]["signed"] == 1 and closed.after["counts"]["missing"] == 1
        assert closed.after["amounts"]["outstanding"] == "102500.50"


def test_close_without_body_and_note_too_long(client, lw):
    rnd = open_round(client, lw, deadline=FUTURE)
    r = close(client, lw, "office_a", rnd["id"], note="说" * 501)
    assert r.status_code == 422 and "note" in r.json["errors"]
    assert board(client, lw, rnd["id"])["round"]["status"] == "open"
    r = client.post(f"/api/v1/ledger/rounds/{rnd['id']}/close", headers=lw.headers("office_a"))
    assert r.status_code == 200 and r.json["status"] == "closed"


def test_close_permission_scope_and_twice(client, lw):
    rnd = open_round(client, lw, deadline=FUTURE)
    r = close(client, lw, "clerk_a1", rnd["id"])
    assert r.status_code == 403 and r.json["code"] == "forbidden"
    r = close(client, lw, "office_b", rnd["id"])
    assert r.status_code == 404 and r.json["code"] == "not_found"  # another jurisdiction's round
    assert close(client, lw, "office_a", 987654).status_code == 404
    assert board(client, lw, rnd["id"])["round"]["status"] == "open"  # none of these closed it

    assert close(client, lw, "office_a", rnd["id"]).status_code == 200
    r = close(client, lw, "office_a", rnd["id"], note="再次")
    assert r.status_code == 409 and r.json["code"] == "conflict"
    assert r.json["message"].startswith("本轮填报已由office_a于") and "不能重复结束" in r.json["message"]
    assert set(r.json) == {"code", "message", "errors"}
    with system_scope():
        closings = db.session.scalar(
            db.select(db.func.count())
            .select_from(Event)
            .where(Event.entity_id == rnd["id"], Event.action == "round_closed")
        )
    assert closings == 1


def test_nothing_is_accepted_after_close(client, lw):
    rnd, town1, soe = signed_round(client, lw)
    assert close(client, lw, "office_a", rnd["id"]).status_code == 200

    r = submit(client, lw, "clerk_a2", rnd["id"])
    assert (
        r.status_code == 409 and "本轮填报已" in r.json["message"] and "不能再报送台账" in r.json["message"]
    )
    r = submit(client, lw, "clerk_a2", rnd["id"], zero=True, statement="经排查，本镇无拖欠")
    assert r.status_code == 409 and "不能再报送零报告" in r.json["message"]
    r = client.post(f"/api/v1/ledger/submissions/{soe['id']}/signoff", json={}, headers=lw.headers("soe_a"))
    assert r.status_code == 409 and "本轮填报已" in r.json["message"] and "不能再签认" in r.json["message"]
    for sub in (town1, soe):
        r = client.post(
            f"/api/v1/ledger/submissions/{sub['id']}/reopen",
            json={"reason": "请补充"},
            headers=lw.headers("office_a"),
        )
        assert r.status_code == 409 and "不能再退回" in r.json["message"], r.json

    history = client.get(
        f"/api/v1/ledger/rounds/{rnd['id']}/submissions", headers=lw.headers("office_a")
    ).json
    assert [(s["unit_name"], s["status"]) for s in history] == [
        ("甲一镇人民政府", "signed"),
        ("甲旅游集团", "submitted"),
    ]
    assert states(board(client, lw, rnd["id"]))["甲二镇人民政府"] == "missing"


def test_service_refuses_after_close(client, lw):
    """The service itself refuses, whoever calls it (jobs, the CLI), with a RoundError (409)."""
    rnd, town1, soe = signed_round(client, lw)
    with system_scope():
        round_obj = db.session.get(LedgerRound, rnd["id"])
        service.close_round(round_obj)
        db.session.commit()
        for call in (
            lambda: service.submit(round_obj, lw.node("a.town2")),
            lambda: service.signoff(db.session.get(Submission, soe["id"])),
            lambda: service.reopen(db.session.get(Submission, town1["id"]), reason="x"),
            lambda: service.reopen(db.session.get(Submission, town1["id"]), reason=""),
            lambda: service.close_round(round_obj),
        ):
            try:
                call()
            except service.RoundError as exc:
                assert exc.status == 409 and exc.message.startswith("本轮填报已由系统于"), exc.message
            else:
                raise AssertionError("a closed round accepted a write")
            db.session.rollback()


@pytest.mark.postgres
def test_a_submission_racing_the_closing_sees_the_round_closed(client, lw):
    """The round row is locked while it closes: a submission that read it as open a moment before waits
    for the closing to commit and is then refused (without the lock it would slip into a closed round)."""
    rnd = open_round(client, lw, deadline=FUTURE)
    engine = db.engine
    locked = threading.Event()

    def closing() -> None:  # another server process closing the round, outside this app's session
        with engine.begin() as conn:
            conn.execute(
                text("SELECT status FROM ledger_rounds WHERE id = :id FOR UPDATE"), {"id": rnd["id"]}
            )
            locked.set()
            time.sleep(0.5)
            conn.execute(text("UPDATE ledger_rounds SET status = 'closed' WHERE id = :id"), {"id": rnd["id"]})

    worker = threading.Thread(target=closing)
    worker.start()
    assert locked.wait(10)
    r = submit(client, lw, "clerk_a2", rnd["id"])
    worker.join(10)
    assert r.status_code == 409 and r.json["message"] == "本轮填报已结束，不能再报送台账", r.json
    assert board(client, lw, rnd["id"])["counts"]["submitted"] == 0


# --- The reminder job --------------------------------------------------------------------------------


def test_reminders_skip_closed_rounds(client, lw):
    closed = open_round(client, lw, name="已结束的轮次", as_of="2023-08-01", deadline="2023-08-25")
    still_open = open_round(client, lw, name="进行中的轮次", as_of="2023-08-01", deadline="2023-08-25")
    assert close(client, lw, "office_a", closed["id"]).status_code == 200

    assert run_job("ledger_round_reminders", lw, today="2023-08-22")["created"] == 3  # the open round only
    assert run_job("ledger_round_reminders", lw, today="2023-08-26")["created"] == 3  # overdue: still only it
    with system_scope():
        keys = set(
            db.session.scalars(db.select(Notification.key).where(Notification.key.like("ledger-round:%")))
        )
    assert keys == {
        f"ledger-round:{still_open['id']}:2023-08-22",
        f"ledger-round:{still_open['id']}:2023-08-26",
    }

    assert close(client, lw, "office_a", still_open["id"]).status_code == 200
    assert run_job("ledger_round_reminders", lw, today="2023-08-27")["created"] == 0


# --- The page ----------------------------------------------------------------------------------------


def test_close_button_on_the_round_page(client, lw):
    rnd, town1, soe = signed_round(client, lw)
    url = f"/ledger/rounds/{rnd['id']}"

    # A clerk sees no button and may not post the form.
    clerk_page = client.get(url, headers=lw.headers("clerk_a1")).get_data(as_text=True)
    assert "结束本轮" not in clerk_page
    assert client.post(f"{url}/close", headers=lw.headers("clerk_a1")).status_code == 403
    assert client.post(f"{url}/close", headers=lw.headers("office_b")).status_code == 404

    # The office, logged in with a session: button with a confirmation, CSRF required.
    assert login(client, "office_a").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'id="round-close"' in page and "结束本轮" in page and 'data-confirm="结束后' in page
    assert client.post(f"{url}/close", data={"note": "无令牌"}).status_code == 400
    assert board(client, lw, rnd["id"])["round"]["status"] == "open"
    token = csrf_token(client, url)
    r = client.post(f"{url}/close", data={"note": "摸排完成", "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "已结束填报轮次“2023年清欠台账摸排”" in page  # the flash message
    assert "本轮填报已结束（office_a于" in page and "说明：摸排完成" in page
    assert 'data-status="closed"' in page and 'id="round-close"' not in page
    assert (
        'data-unit="a.town1" data-state="signed"' in page
        and 'data-unit="a.soe" data-state="submitted"' in page
    )
    assert board(client, lw, rnd["id"])["round"]["status"] == "closed"

    # Posting again says so in Chinese instead of failing.
    r = client.post(f"{url}/close", data={"csrf_token": token}, follow_redirects=True)
    assert r.status_code == 200 and "不能重复结束" in r.get_data(as_text=True)

    # The unit head no longer gets a sign-off form for the waiting submission.
    head = client.get(f"/ledger/submissions/{soe['id']}", headers=lw.headers("soe_a")).get_data(as_text=True)
    assert "本轮填报已结束，不再接受签认和退回" in head and 'id="signoff"' not in head
    r = client.post(f"/ledger/submissions/{soe['id']}/signoff", headers=lw.headers("soe_a"))
    assert r.status_code == 302
    with system_scope():
        assert db.session.get(Submission, soe["id"]).status == "submitted"


def test_open_round_page_still_offers_sign_off(client, lw):
    rnd, town1, soe = signed_round(client, lw)
    page = client.get(f"/ledger/rounds/{rnd['id']}", headers=lw.headers("soe_a")).get_data(as_text=True)
    assert f"/ledger/submissions/{soe['id']}#signoff" in page and "本轮填报已结束" not in page
    head = client.get(f"/ledger/submissions/{soe['id']}", headers=lw.headers("soe_a")).get_data(as_text=True)
    assert 'id="signoff"' in head


# --- OpenAPI: the board and the diff are documented as they are --------------------------------------


def resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}


def mismatches(value, schema: dict, spec: dict, path: str = "$") -> list[str]:
    """Where a JSON value does not fit an OpenAPI 3.0 schema (the subset flask-smorest emits)."""
    schema = resolve(schema, spec)
    if "anyOf" in schema:
        options = [mismatches(value, option, spec, path) for option in schema["anyOf"]]
        return [] if any(not o for o in options) else min(options, key=len)
    if value is None:
        return [] if schema.get("nullable") else [f"{path}: null"]
    kind = schema.get("type")
    if kind is None:
        return [f"{path}: no type documented"]
    if not isinstance(value, TYPES[kind]) or (kind == "integer" and isinstance(value, bool)):
        return [f"{path}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} not in {schema['enum']}"]
    out = []
    if kind == "string" and schema.get("format") == "decimal" and not re.fullmatch(r"-?\d+\.\d\d", value):
        out.append(f"{path}: {value!r} is not a money string")
    if kind == "object":
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            out += [f"{path}.{k}: not documented" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                out += mismatches(v, props[k], spec, f"{path}.{k}")
    if kind == "array":
        for i, item in enumerate(value):
            out += mismatches(item, schema.get("items", {}), spec, f"{path}[{i}]")
    return out


def response_schema(spec: dict, path: str) -> dict:
    operation = spec["paths"][path]["get"]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_openapi_documents_board_and_diff_as_returned(client, lw):
    d1 = add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    d2 = add_debt(client, lw, "clerk_a1", "a.town1", 2, amount_owed="50000.00")
    r1 = open_round(client, lw, name="第一轮", as_of="2023-08-20")
    assert submit(client, lw, "clerk_a1", r1["id"]).status_code == 201
    assert submit(client, lw, "clerk_a2", r1["id"], zero=True, statement="无拖欠").status_code == 201
    pay(client, lw, "clerk_a1", d1["id"], "30000.00")
    pay(client, lw, "clerk_a1", d2["id"], "50000.00")
    add_debt(client, lw, "clerk_a1", "a.town1", 3, amount_owed="7000.00")
    r2 = open_round(client, lw, name="第二轮", as_of="2023-09-30", deadline=FUTURE)
    assert submit(client, lw, "clerk_a1", r2["id"]).status_code == 201
    assert close(client, lw, "office_a", r1["id"]).status_code == 200

    spec = client.get("/api/openapi.json").get_json()
    board_path = "/api/v1/ledger/rounds/{round_id}/board"
    diff_path = "/api/v1/ledger/rounds/{round_id}/diff"
    assert response_schema(spec, board_path) == {"$ref": "#/components/schemas/RoundBoard"}
    assert response_schema(spec, diff_path) == {"$ref": "#/components/schemas/RoundDiff"}
    close_op = spec["paths"]["/api/v1/ledger/rounds/{round_id}/close"]["post"]
    assert close_op["requestBody"]["required"] is False
    assert close_op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Round")
    amounts = resolve({"$ref": "#/components/schemas/RoundBoardAmounts"}, spec)["properties"]
    assert {p["type"] for p in amounts.values()} == {"string"}

    responses = [
        client.get(f"/api/v1/ledger/rounds/{r1['id']}/board", headers=lw.headers("office_a")),
        client.get(f"/api/v1/ledger/rounds/{r2['id']}/board", headers=lw.headers("clerk_a1")),
        client.get(f"/api/v1/ledger/rounds/{r2['id']}/diff", headers=lw.headers("office_a")),
        client.get(
            f"/api/v1/ledger/rounds/{r2['id']}/diff?against={r1['id']}", headers=lw.headers("office_a")
        ),
        client.get(f"/api/v1/ledger/rounds/{r1['id']}/diff", headers=lw.headers("office_a")),
    ]
    for r, path in zip(responses, [board_path, board_path, diff_path, diff_path, diff_path], strict=True):
        assert r.status_code == 200
        assert mismatches(r.json, response_schema(spec, path), spec) == [], r.request.path
    # The payloads really exercise the schema: a submission, a missing unit, added/removed/changed rows.
    units = responses[0].json["units"]
    assert any(u["submission"] is None for u in units) and any(u["submission"] for u in units)
    (town1,) = [u for u in responses[2].json["units"] if u["unit_id"] == nid(lw, "a.town1")]
    assert town1["added"] and town1["removed"] and town1["changed"]
    assert responses[3].json["against"]["id"] == r1["id"] and responses[2].json["against"] is None
    # The detector itself: an undocumented key or a float amount would be reported.
    broken = {**responses[0].json, "extra": 1, "amounts": {**responses[0].json["amounts"], "owed": 1.5}}
    assert len(mismatches(broken, response_schema(spec, board_path), spec)) == 2


def test_diff_changes_schema_covers_the_compared_fields():
    from plugins.ledger.rounds.api import RoundDiffChangesSchema

    assert set(RoundDiffChangesSchema().fields) == set(service.DIFF_FIELDS)
