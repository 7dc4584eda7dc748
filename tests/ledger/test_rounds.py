"""Reporting rounds: open, submit, zero report, sign-off, lock, reopen with a logged reason, the board,
reminders, snapshots and diffs, isolation and the plugin switch."""

from __future__ import annotations

import datetime as dt

from core.clock import frozen
from core.extensions import db
from core.models.event import Event
from core.models.notification import Notification
from core.tenancy.scope import system_scope
from tests.ledger.test_rounds_support import FUTURE, add_debt, lw, nid, open_round, pay, run_job, submit

__all__ = ["lw"]


def test_open_round_defaults_to_plan_deadline_and_reporting_units(client, lw):
    rnd = open_round(client, lw, as_of="2023-08-20")
    assert rnd["deadline"] == "2023-08-25"  # the plan's deadlines.ledger_complete
    board = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers("office_a")).json
    names = [u["unit_name"] for u in board["units"]]
    # Townships and the SOE group report; the township's institution and the SOE's subsidiary roll up.
    assert sorted(names) == sorted(["甲一镇人民政府", "甲二镇人民政府", "甲旅游集团"])
    assert board["counts"] == {
        "units": 3,
        "submitted": 0,
        "signed": 0,
        "awaiting_signoff": 0,
        "late": 0,
        "missing": 3,
        "overdue": 3,
        "zero_reports": 0,
        "debts": 0,
    }


def test_open_round_validation_and_permission(client, lw):
    r = client.post("/api/v1/ledger/rounds", json={"name": "x"}, headers=lw.headers("office_a"))
    assert r.status_code == 409 and "deadline" in r.json["errors"]  # today is after the plan's 2023 deadline
    r = client.post(
        "/api/v1/ledger/rounds", json={"name": "x", "deadline": FUTURE}, headers=lw.headers("clerk_a1")
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/ledger/rounds",
        json={"name": "x", "deadline": FUTURE, "unit_ids": [nid(lw, "b.town1")]},
        headers=lw.headers("office_a"),
    )
    assert r.status_code == 404  # another jurisdiction's unit does not exist here
    rnd = open_round(client, lw, deadline=FUTURE, unit_ids=[nid(lw, "a.town1"), nid(lw, "a.soe.sub")])
    board = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers("office_a")).json
    assert [u["unit_name"] for u in board["units"]] == ["甲一镇人民政府", "甲旅游集团酒店公司"]


def test_full_lifecycle_submit_sign_lock_reopen(client, lw):
    d1 = add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    add_debt(client, lw, "clerk_a1", "a.town1", 2, amount_owed="25000.50")
    add_debt(client, lw, "clerk_a1", "a.town1.office", 3, amount_owed="8000.00")
    add_debt(client, lw, "clerk_a2", "a.town2", 4, amount_owed="5000.00")
    rnd = open_round(client, lw, deadline=FUTURE)

    r = submit(client, lw, "clerk_a1", rnd["id"])
    assert r.status_code == 201, r.json
    sub = r.json
    # The snapshot is the whole subtree's open debts (the township's institution included), Decimal strings.
    assert sub["row_count"] == 3 and sub["total_outstanding"] == "133000.50"
    assert sub["status"] == "submitted" and sub["late"] is False and sub["unit_name"] == "甲一镇人民政府"
    assert {row["amount_owed"] for row in sub["rows"]} == {"100000.00", "25000.50", "8000.00"}

    # Locked: no second submission for the round.
    r = submit(client, lw, "clerk_a1", rnd["id"])
    assert r.status_code == 409 and "锁定" in r.json["message"]

    # The snapshot does not follow later edits of the live ledger.
    r = client.get(f"/api/v1/debts/{d1['id']}", headers=lw.headers("clerk_a1"))
    client.patch(
        f"/api/v1/debts/{d1['id']}",
        json={"amount_owed": "90000.00", "note": "核减"},
        headers=lw.headers("clerk_a1", **{"If-Match": r.headers["ETag"]}),
    )
    again = client.get(f"/api/v1/ledger/submissions/{sub['id']}", headers=lw.headers("clerk_a1")).json
    assert again["rows"] == sub["rows"] and again["total_outstanding"] == "133000.50"

    # Only the unit head signs; once.
    r = client.post(
        f"/api/v1/ledger/submissions/{sub['id']}/signoff", json={}, headers=lw.headers("clerk_a1")
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/ledger/submissions/{sub['id']}/signoff",
        json={"comment": "情况属实"},
        headers=lw.headers("head_a1"),
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "signed" and r.json["signed_by_name"] == "head_a1" and r.json["signed_at"]
    r = client.post(f"/api/v1/ledger/submissions/{sub['id']}/signoff", json={}, headers=lw.headers("head_a1"))
    assert r.status_code == 409

    board = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers("office_a")).json
    states = {u["unit_name"]: u["state"] for u in board["units"]}
    assert states == {"甲一镇人民政府": "signed", "甲二镇人民政府": "missing", "甲旅游集团": "missing"}
    assert board["counts"]["signed"] == 1 and board["counts"]["missing"] == 2 and board["counts"]["late"] == 0
    assert board["amounts"]["outstanding"] == "133000.50"

    # The office reopens, with a reason that lands in the history; the unit may then submit again.
    url = f"/api/v1/ledger/submissions/{sub['id']}/reopen"
    assert client.post(url, json={"reason": "x"}, headers=lw.headers("clerk_a1")).status_code == 403
    assert client.post(url, json={"reason": ""}, headers=lw.headers("office_a")).status_code == 422
    r = client.post(url, json={"reason": "漏报财政所欠款，请核实后重报"}, headers=lw.headers("office_a"))
    assert r.status_code == 200 and r.json["status"] == "reopened"
    with system_scope():
        events = db.session.scalars(
            db.select(Event)
            .where(Event.entity_type == "ledger_submissions", Event.entity_id == sub["id"])
            .order_by(Event.id)
        ).all()
        actions = [(e.action, e.note, e.actor_name) for e in events]
    assert ("ledger_reopened", "漏报财政所欠款，请核实后重报", "office_a") in actions
    assert [a for a, _, _ in actions] == ["ledger_submitted", "ledger_signed", "ledger_reopened"]
    assert client.post(url, json={"reason": "再次"}, headers=lw.headers("office_a")).status_code == 409

    r = submit(client, lw, "clerk_a1", rnd["id"])
    assert r.status_code == 201 and r.json["total_outstanding"] == "123000.50"
    board = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers("office_a")).json
    town1 = next(u for u in board["units"] if u["unit_name"] == "甲一镇人民政府")
    assert town1["state"] == "submitted" and town1["reopened"] == 1
    history = client.get(
        f"/api/v1/ledger/rounds/{rnd['id']}/submissions", headers=lw.headers("office_a")
    ).json
    assert [s["status"] for s in history] == ["reopened", "submitted"]


def test_zero_report(client, lw):
    rnd = open_round(client, lw, deadline=FUTURE)
    r = submit(client, lw, "clerk_a2", rnd["id"], zero=True)
    assert r.status_code == 422 and "statement" in r.json["errors"]
    r = submit(client, lw, "clerk_a2", rnd["id"], zero=True, statement="经全面排查，本镇无拖欠中小企业账款")
    assert r.status_code == 201, r.json
    assert r.json["zero"] is True and r.json["row_count"] == 0 and r.json["rows"] == []
    # A unit with open debts on record cannot claim to owe nothing.
    add_debt(client, lw, "clerk_a1", "a.town1", 1)
    r = submit(client, lw, "clerk_a1", rnd["id"], zero=True, statement="无拖欠")
    assert r.status_code == 422 and "zero" in r.json["errors"]
    board = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers("office_a")).json
    assert board["counts"]["zero_reports"] == 1 and board["counts"]["submitted"] == 1


def test_board_marks_late_and_missing(client, lw):
    rnd = open_round(client, lw, as_of="2023-08-20")  # deadline 2023-08-25 has passed
    add_debt(client, lw, "soe_a", "a.soe.sub", 1, amount_owed="12000.00")
    r = submit(client, lw, "soe_a", rnd["id"])
    assert r.status_code == 201 and r.json["late"] is True
    assert r.json["row_count"] == 1  # the SOE group's ledger includes its subsidiary
    board = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers("office_a")).json
    c = board["counts"]
    assert (c["submitted"], c["late"], c["missing"], c["overdue"]) == (1, 1, 2, 2)
    soe = next(u for u in board["units"] if u["unit_name"] == "甲旅游集团")
    assert soe["late"] is True and soe["state"] == "submitted"


def test_isolation_other_jurisdiction_and_sibling(client, lw):
    rnd = open_round(client, lw, deadline=FUTURE)
    for user in ("clerk_b1", "office_b"):
        assert client.get(f"/api/v1/ledger/rounds/{rnd['id']}", headers=lw.headers(user)).status_code == 404
        assert (
            client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers(user)).status_code
            == 404
        )
    # A sibling unit cannot submit for another: the other unit does not exist for it.
    r = submit(client, lw, "clerk_a2", rnd["id"], unit_id=nid(lw, "a.town1"))
    assert r.status_code == 404
    sub = submit(client, lw, "clerk_a1", rnd["id"]).json
    assert (
        client.get(f"/api/v1/ledger/submissions/{sub['id']}", headers=lw.headers("clerk_a2")).status_code
        == 404
    )
    r = client.post(f"/api/v1/ledger/submissions/{sub['id']}/signoff", json={}, headers=lw.headers("soe_a"))
    assert r.status_code == 404
    # The sibling sees only its own row on the board.
    board = client.get(f"/api/v1/ledger/rounds/{rnd['id']}/board", headers=lw.headers("clerk_a2")).json
    assert [u["unit_name"] for u in board["units"]] == ["甲二镇人民政府"]
    # A round a unit is not part of does not exist for it.
    only_town1 = open_round(client, lw, name="专项", deadline=FUTURE, unit_ids=[nid(lw, "a.town1")])
    assert (
        client.get(f"/api/v1/ledger/rounds/{only_town1['id']}", headers=lw.headers("clerk_a2")).status_code
        == 404
    )
    assert submit(client, lw, "clerk_a2", only_town1["id"]).status_code == 404
    listed = client.get("/api/v1/ledger/rounds", headers=lw.headers("clerk_a2")).json
    assert [r["name"] for r in listed] == ["2023年清欠台账摸排"]


def test_plugin_disabled_answers_404(client, lw):
    from core.tenancy.models import TenantNode

    rnd = open_round(client, lw, deadline=FUTURE)
    with system_scope():
        a = db.session.get(TenantNode, lw.nodes["a"].id)
        a.plan = {**a.plan, "plugins": [p for p in a.plan["plugins"] if p != "ledger"]}
        db.session.commit()
    world = lw
    assert (
        client.get(f"/api/v1/ledger/rounds/{rnd['id']}", headers=world.headers("office_a")).status_code == 404
    )
    assert "填报轮次" not in client.get("/", headers=world.headers("office_a")).get_data(as_text=True)
    for path in ("/api/v1/ledger/rounds", "/api/v1/ledger/summary", "/api/v1/ledger/flags", "/ledger/rounds"):
        assert client.get(path, headers=world.headers("office_a")).status_code == 404, path


def test_reminders_before_and_after_deadline_are_idempotent(client, lw):
    rnd = open_round(client, lw, as_of="2023-08-01", deadline="2023-08-25")
    assert submit(client, lw, "clerk_a1", rnd["id"]).status_code == 201

    def notes() -> list[tuple[int, str]]:
        with system_scope():
            return sorted(
                (n.unit_id, n.key)
                for n in db.session.scalars(
                    db.select(Notification).where(Notification.key.like("ledger-round:%"))
                )
            )

    assert run_job("ledger_round_reminders", lw, today="2023-08-22")["created"] == 2  # 3 days before
    assert run_job("ledger_round_reminders", lw, today="2023-08-22")["created"] == 0  # same day: nothing new
    assert (
        run_job("ledger_round_reminders", lw, today="2023-08-23")["created"] == 0
    )  # 2 days: not a reminder day
    assert run_job("ledger_round_reminders", lw, today="2023-08-26")["created"] == 2  # overdue, daily
    assert run_job("ledger_round_reminders", lw, today="2023-08-26")["created"] == 0
    got = notes()
    assert len(got) == 4
    assert nid(lw, "a.town1") not in {unit for unit, _ in got}  # it has submitted
    with system_scope():
        overdue = db.session.scalar(db.select(Notification).where(Notification.key.like("%2023-08-26")))
        assert "逾期" in overdue.title and overdue.link == f"/ledger/rounds/{rnd['id']}"


def test_diff_between_rounds(client, lw):
    d1 = add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    d2 = add_debt(client, lw, "clerk_a1", "a.town1", 2, amount_owed="50000.00")
    r1 = open_round(client, lw, name="第一轮", as_of="2023-08-20")
    assert submit(client, lw, "clerk_a1", r1["id"]).status_code == 201
    pay(client, lw, "clerk_a1", d1["id"], "30000.00")
    pay(client, lw, "clerk_a1", d2["id"], "50000.00")  # cleared: leaves the open ledger
    d3 = add_debt(client, lw, "clerk_a1", "a.town1", 3, amount_owed="7000.00")
    r2 = open_round(client, lw, name="第二轮", as_of="2023-09-30", deadline="2023-10-10")
    assert submit(client, lw, "clerk_a1", r2["id"]).status_code == 201

    diff = client.get(
        f"/api/v1/ledger/rounds/{r2['id']}/diff?unit={nid(lw, 'a.town1')}", headers=lw.headers("office_a")
    ).json
    (unit,) = diff["units"]
    assert unit["against_round_id"] == r1["id"]
    assert [r["debt_id"] for r in unit["added"]] == [d3["id"]]
    assert [r["debt_id"] for r in unit["removed"]] == [d2["id"]]
    (changed,) = unit["changed"]
    assert changed["debt_id"] == d1["id"] and changed["outstanding_delta"] == "-30000.00"
    assert changed["changes"]["outstanding"] == {"before": "100000.00", "after": "70000.00"}
    assert unit["totals"] == {
        "before": "150000.00",
        "after": "77000.00",
        "added": "7000.00",
        "removed": "50000.00",
        "change": "-73000.00",
    }
    explicit = client.get(
        f"/api/v1/ledger/rounds/{r2['id']}/diff?against={r1['id']}", headers=lw.headers("office_a")
    ).json
    assert explicit["units"][0]["totals"] == unit["totals"]


def test_pages_render(app, client, lw):
    add_debt(client, lw, "clerk_a1", "a.town1", 1)
    # The office opens a round through the page (token auth needs no CSRF token); defaults pre-filled.
    with frozen(app, "2023-08-20T02:00:00"):
        page = client.get("/ledger/rounds", headers=lw.headers("office_a")).get_data(as_text=True)
    assert 'value="2023-08-25"' in page and "开启新的填报轮次" in page
    # Once the plan's deadline has passed it is not offered (the form used to pre-fill it, then refuse it).
    page = client.get("/ledger/rounds", headers=lw.headers("office_a")).get_data(as_text=True)
    assert 'value="2023-08-25"' not in page and "开启新的填报轮次" in page
    r = client.post(
        "/ledger/rounds",
        data={
            "name": "页面开启的轮次",
            "deadline": FUTURE,
            "unit_ids": [nid(lw, "a.town1"), nid(lw, "a.town2")],
        },
        headers=lw.headers("office_a"),
    )
    assert r.status_code == 302
    round_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    # The clerk submits through the board's form.
    r = client.post(
        f"/ledger/rounds/{round_id}/submit",
        data={"unit_id": nid(lw, "a.town1")},
        headers=lw.headers("clerk_a1"),
    )
    assert r.status_code == 302
    sub_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/ledger/submissions/{sub_id}", headers=lw.headers("head_a1")).get_data(as_text=True)
    assert "单位负责人签认" in page and "甲一镇人民政府" in page
    r = client.post(
        f"/ledger/submissions/{sub_id}/signoff", data={"comment": "属实"}, headers=lw.headers("head_a1")
    )
    assert r.status_code == 302
    board = client.get(f"/ledger/rounds/{round_id}", headers=lw.headers("office_a")).get_data(as_text=True)
    assert (
        'data-unit="a.town1" data-state="signed"' in board
        and 'data-unit="a.town2" data-state="missing"' in board
    )
    assert f"报送截止 {dt.date.fromisoformat(FUTURE).year}年" in board
    for path in (
        "/ledger/rounds",
        f"/ledger/rounds/{round_id}/diff",
        "/ledger/flags",
        "/ledger/summary",
        "/ledger/summary?by=month",
        "/",
    ):
        r = client.get(path, headers=lw.headers("office_a"))
        assert r.status_code == 200, path
    dashboard = client.get("/", headers=lw.headers("office_a")).get_data(as_text=True)
    assert "台账报送进度" in dashboard and 'data-key="ledger_submitted">1<' in dashboard
    assert 'data-key="ledger_missing" class="">1<' in dashboard
    assert client.get("/ledger/flags", headers=lw.headers("clerk_a1")).status_code == 403
    nav = client.get("/ledger/rounds", headers=lw.headers("auditor_a")).get_data(as_text=True)
    assert "瞒报漏报提示" in nav and "台账汇总" in nav and "填报轮次" in nav
    assert "瞒报漏报提示" not in client.get("/ledger/rounds", headers=lw.headers("clerk_a1")).get_data(
        as_text=True
    )
