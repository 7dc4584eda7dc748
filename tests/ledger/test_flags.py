"""Concealment checks (瞒报/漏报): each flag kind with a positive and a negative case, the job, resolving."""

from __future__ import annotations

from tests.ledger.test_rounds_support import add_debt, lw, open_round, pay, run_job, submit

__all__ = ["lw"]


def flags(client, world, user: str = "office_a", **query) -> list[dict]:
    r = client.get(
        "/api/v1/ledger/flags", query_string={"page_size": 500, **query}, headers=world.headers(user)
    )
    assert r.status_code == 200, r.json
    return r.json


def two_rounds(client, world):
    r1 = open_round(client, world, name="第一轮", as_of="2023-08-20")
    r2 = open_round(client, world, name="第二轮", as_of="2023-09-30", deadline="2023-10-10")
    return r1, r2


def test_oversight_debt_missing_from_the_ledger(client, lw):
    add_debt(client, lw, "clerk_a1", "a.town1", 1, origin_date="2023-02-01")
    in_ledger = add_debt(client, lw, "office_a", "a.town1", 2, source="audit", origin_date="2023-03-01")
    r1 = open_round(client, lw, as_of="2023-08-20")
    sub = submit(client, lw, "clerk_a1", r1["id"]).json
    assert sub["row_count"] == 2
    assert flags(client, lw) == []  # an audit finding already in the ledger is not flagged

    # Afterwards the office registers what audit and a complaint found — one predates the round's date.
    found = add_debt(client, lw, "office_a", "a.town1", 3, source="audit", origin_date="2023-06-15")
    add_debt(
        client, lw, "office_a", "a.town1", 4, source="complaint", origin_date="2023-09-10"
    )  # after as-of
    add_debt(client, lw, "clerk_a1", "a.town1", 5, source="self_inspection", origin_date="2023-06-15")
    assert run_job("ledger_check_flags", lw)["raised"] == 1
    (flag,) = flags(client, lw)
    assert flag["kind"] == "oversight_missing" and flag["debt_id"] == found["id"]
    assert flag["unit_name"] == "甲一镇人民政府" and flag["round_id"] == r1["id"] and flag["status"] == "open"
    assert flag["details"]["source"] == "audit" and "审计" in flag["details"]["message"]
    assert in_ledger["id"] != flag["debt_id"]
    # The job is idempotent.
    assert run_job("ledger_check_flags", lw)["raised"] == 0
    assert len(flags(client, lw)) == 1


def test_oversight_debt_after_a_zero_report(client, lw):
    r1 = open_round(client, lw, as_of="2023-08-20")
    assert submit(client, lw, "clerk_a2", r1["id"], zero=True, statement="无拖欠").status_code == 201
    add_debt(client, lw, "office_a", "a.town2", 1, source="inspection", origin_date="2023-01-05")
    run_job("ledger_check_flags", lw)
    (flag,) = flags(client, lw)
    assert flag["kind"] == "oversight_missing" and flag["unit_name"] == "甲二镇人民政府"


def test_vanished_debt_without_payment(client, lw):
    hidden = add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="80000.00")
    paid = add_debt(client, lw, "clerk_a1", "a.town1", 2, amount_owed="20000.00")
    r1, r2 = two_rounds(client, lw)
    assert submit(client, lw, "clerk_a1", r1["id"]).json["row_count"] == 2
    pay(client, lw, "clerk_a1", paid["id"], "20000.00")  # cleared with a recorded payment: explained
    etag = client.get(f"/api/v1/debts/{hidden['id']}", headers=lw.headers("clerk_a1")).headers["ETag"]
    r = client.delete(f"/api/v1/debts/{hidden['id']}", headers=lw.headers("clerk_a1", **{"If-Match": etag}))
    assert r.status_code == 204
    sub = submit(client, lw, "clerk_a1", r2["id"]).json
    assert sub["row_count"] == 0
    got = flags(client, lw)  # raised at submission, no job needed
    assert [(f["kind"], f["debt_id"]) for f in got] == [("vanished", hidden["id"])]
    details = got[0]["details"]
    assert (
        details["previous_outstanding"] == "80000.00"
        and details["paid_since"] == "0.00"
        and details["deleted"]
    )


def test_shrunk_amount_without_payment(client, lw):
    cut = add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    partly = add_debt(client, lw, "clerk_a1", "a.town1", 2, amount_owed="50000.00")
    r1, r2 = two_rounds(client, lw)
    submit(client, lw, "clerk_a1", r1["id"])
    pay(client, lw, "clerk_a1", partly["id"], "30000.00")  # shrinks by exactly what was paid: explained
    pay(client, lw, "clerk_a1", cut["id"], "10000.00")
    etag = client.get(f"/api/v1/debts/{cut['id']}", headers=lw.headers("clerk_a1")).headers["ETag"]
    r = client.patch(
        f"/api/v1/debts/{cut['id']}",
        json={"amount_owed": "60000.00", "note": "核减"},
        headers=lw.headers("clerk_a1", **{"If-Match": etag}),
    )
    assert r.status_code == 200, r.json
    submit(client, lw, "clerk_a1", r2["id"])
    (flag,) = flags(client, lw)
    assert flag["kind"] == "shrunk" and flag["debt_id"] == cut["id"] and flag["round_id"] == r2["id"]
    d = flag["details"]
    assert (d["previous_outstanding"], d["outstanding"], d["paid_since"], d["unexplained"]) == (
        "100000.00",
        "50000.00",
        "10000.00",
        "40000.00",
    )


def test_flags_are_read_by_office_and_auditor_and_resolved_with_a_note(client, lw):
    add_debt(client, lw, "clerk_a1", "a.town1", 1)
    r1 = open_round(client, lw, as_of="2023-08-20")
    submit(client, lw, "clerk_a1", r1["id"])
    add_debt(client, lw, "office_a", "a.town1", 2, source="supervision", origin_date="2023-04-01")
    run_job("ledger_check_flags", lw)
    (flag,) = flags(client, lw, "auditor_a")
    assert client.get("/api/v1/ledger/flags", headers=lw.headers("clerk_a1")).status_code == 403
    assert flags(client, lw, "office_b") == []
    url = f"/api/v1/ledger/flags/{flag['id']}/resolve"
    assert client.post(url, json={"note": "x"}, headers=lw.headers("auditor_a")).status_code == 403
    assert client.post(url, json={"note": ""}, headers=lw.headers("office_a")).status_code == 422
    assert client.post(url, json={"note": "x"}, headers=lw.headers("office_b")).status_code == 404
    r = client.post(url, json={"note": "经核实，督导发现后已补录台账"}, headers=lw.headers("office_a"))
    assert (
        r.status_code == 200 and r.json["status"] == "resolved" and r.json["resolved_by_name"] == "office_a"
    )
    assert client.post(url, json={"note": "again"}, headers=lw.headers("office_a")).status_code == 409
    # A resolved flag is not raised again by the job.
    assert run_job("ledger_check_flags", lw)["raised"] == 0
    assert flags(client, lw, status="open") == [] and len(flags(client, lw, status="resolved")) == 1
    page = client.get("/ledger/flags?status=resolved", headers=lw.headers("office_a")).get_data(as_text=True)
    assert "经核实，督导发现后已补录台账" in page
