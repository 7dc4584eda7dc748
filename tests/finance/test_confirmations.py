"""Confirmation requests end to end: the SME's public request, the debtor's answer, the public answer, bad
input refused whole, Art. 14 refusals, the clock's reminders and escalation, tenancy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.extensions import db
from core.models.notification import Notification
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from plugins.finance.confirmations import service
from plugins.finance.confirmations.models import Confirmation, ConfirmationStep
from tests.finance.conftest import DEBTOR_CODE, file_request, item_id, nid, request_body


def count(model) -> int:
    with system_scope():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def status(client, code: str, last4: str = "5678"):
    return client.post(
        "/api/v1/public/finance/confirmations/status",
        json={"jurisdiction": "a", "tracking_code": code, "phone_last4": last4},
    )


def answer(client, world, cid: int, user: str = "clerk_a1", **body):
    if body.get("outcome") in ("confirmed", "partial"):
        body.setdefault("debtor_code", DEBTOR_CODE)
    return client.post(f"/api/v1/finance/confirmations/{cid}/answer", json=body, headers=world.headers(user))


def test_public_request_to_confirmation_and_back_to_the_sme(client, world, on_day):
    on_day("2026-03-02")
    code = file_request(client)
    r = status(client, code)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "pending" and r.json["amount"] == "125000.00"
    assert r.json["requested_on"] == "2026-03-02" and r.json["due_on"] == "2026-04-01"
    assert r.json["debtor_name"] == "甲一镇人民政府" and "contact_phone" not in r.json

    cid = item_id(client, world, code)
    # The debtor unit was told, and sees the request in its own list.
    with system_scope():
        keys = set(
            db.session.scalars(
                db.select(Notification.key).where(Notification.unit_id == nid(world, "a.town1"))
            )
        )
    assert f"finance:confirmation:{cid}:requested" in keys
    mine = client.get("/api/v1/finance/confirmations", headers=world.headers("clerk_a1"))
    assert [row["tracking_code"] for row in mine.json] == [code]

    on_day("2026-03-20")
    r = answer(client, world, cid, outcome="confirmed", payment_due_date="2026-05-31")
    assert r.status_code == 200, r.json
    assert r.json["status"] == "confirmed" and r.json["confirmed_amount"] == "125000.00"
    assert r.json["confirmation_no"] == f"QR2026-{cid:06d}" and r.json["answered_late"] is False
    assert [s["action"] for s in r.json["steps"]] == ["requested", "answered", "debt_created"]

    seen = status(client, code).json
    assert seen["status_label"] == "已确认" and seen["confirmed_amount"] == "125000.00"
    assert seen["payment_due_date"] == "2026-05-31" and seen["answered_on"] == "2026-03-20"
    # Answered once: a second answer is refused.
    again = answer(client, world, cid, outcome="disputed", reason_code="quality")
    assert again.status_code == 422 and "status" in again.json["errors"]


def test_the_status_lookup_needs_the_phone_digits(client, world):
    code = file_request(client)
    assert status(client, code, last4="0000").status_code == 404
    assert status(client, "ABCDEFGHJKMN").status_code == 404
    assert status(client, code.lower()).status_code == 200


def test_bad_requests_name_every_field_and_write_nothing(client, world):
    r = client.post(
        "/api/v1/public/finance/confirmations",
        json=request_body(
            creditor_name="", creditor_code="91140922MA0K7C0M19", amount="约5万", debtor_unit="b.town1"
        ),
    )
    assert r.status_code == 422
    assert {"creditor_name", "creditor_code", "amount", "debtor_unit"} <= set(r.json["errors"])
    assert "约数" in r.json["errors"]["amount"][0]
    floats = client.post("/api/v1/public/finance/confirmations", json=request_body(amount=1250.5))
    assert floats.status_code == 422 and "amount" in floats.json["errors"]
    # The jurisdiction itself is not a debtor unit to choose.
    root = client.post("/api/v1/public/finance/confirmations", json=request_body(debtor_unit="a"))
    assert root.status_code == 422 and "debtor_unit" in root.json["errors"]
    assert count(Confirmation) == 0 and count(ConfirmationStep) == 0


def test_a_jurisdiction_without_the_plugin_has_no_public_request(client, world):
    r = client.post(
        "/api/v1/public/finance/confirmations", json=request_body(jurisdiction="b", debtor_unit="b.town1")
    )
    assert r.status_code == 404
    assert client.get("/api/v1/public/b/finance/debtors").status_code == 404
    assert client.get("/public/b/finance/confirm").status_code == 404
    names = client.get("/api/v1/public/a/finance/debtors").json
    assert {"code": "a.town1", "name": "甲一镇人民政府"} in names and all(n["code"] != "a" for n in names)


def test_banned_excuses_are_refused_citing_article_14(client, world):
    cid = item_id(client, world, file_request(client))
    r = answer(client, world, cid, outcome="disputed", reason_code="internal_procedure")
    assert r.status_code == 422
    assert "履行内部付款流程" in r.json["errors"]["reason_code"][0]
    assert "第十四条" in r.json["errors"]["reason_code"][0]
    hidden = answer(
        client, world, cid, outcome="disputed", reason_code="other", reason="等待决算审计后再确认"
    )
    assert hidden.status_code == 422 and "第十四条" in hidden.json["errors"]["reason"][0]
    leader = answer(
        client,
        world,
        cid,
        outcome="partial",
        confirmed_amount="100000.00",
        payment_due_date="2026-06-30",
        reason_code="amount_mismatch",
        reason="单位领导调整，待新领导签字",
    )
    assert leader.status_code == 422 and "法定代表人或者主要负责人变更" in leader.json["errors"]["reason"][0]
    with system_scope():
        assert db.session.get(Confirmation, cid).status == "pending"
    # Waiting for the audit is a reason where the contract itself makes payment wait for it.
    ok = answer(
        client,
        world,
        cid,
        outcome="disputed",
        reason_code="awaiting_final_audit",
        contract_clause="合同第十二条：工程款以决算审计结果为准支付",
    )
    assert ok.status_code == 200, ok.json
    assert ok.json["status"] == "disputed" and ok.json["confirmed_amount"] is None


def test_partial_confirmation_checks_the_amount_and_the_reason(client, world):
    cid = item_id(client, world, file_request(client))
    too_much = answer(
        client,
        world,
        cid,
        outcome="partial",
        confirmed_amount="125000.00",
        payment_due_date="2026-06-30",
        reason_code="amount_mismatch",
    )
    assert too_much.status_code == 422 and "confirmed_amount" in too_much.json["errors"]
    no_reason = answer(client, world, cid, outcome="partial", confirmed_amount="100000.00", debtor_code="")
    assert {"reason_code", "payment_due_date", "debtor_code"} <= set(no_reason.json["errors"])
    wrong_full = answer(
        client, world, cid, outcome="confirmed", confirmed_amount="1.00", payment_due_date="2026-06-30"
    )
    assert wrong_full.status_code == 422 and "部分确认" in wrong_full.json["errors"]["confirmed_amount"][0]
    ok = answer(
        client,
        world,
        cid,
        outcome="partial",
        confirmed_amount="100000.00",
        payment_due_date="2026-06-30",
        reason_code="quality",
        reason="部分石材有裂纹，2.5万元待更换后确认",
    )
    assert ok.status_code == 200, ok.json
    assert (
        Decimal(ok.json["confirmed_amount"]) == Decimal("100000.00") and ok.json["status_label"] == "部分确认"
    )


def run_clock(world, day: str) -> dict:
    with system_scope():
        a = db.session.get(TenantNode, nid(world, "a"))
        result = service.check_deadlines(a, dt.date.fromisoformat(day))
        db.session.commit()
    return result


def keys_of(world, unit: str) -> set[str]:
    with system_scope():
        return set(
            db.session.scalars(db.select(Notification.key).where(Notification.unit_id == nid(world, unit)))
        )


def test_reminders_before_and_escalation_after_the_deadline(client, world, on_day):
    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client))  # due 2026-04-01
    assert run_clock(world, "2026-03-02") == {"reminded": 0, "escalated": 0}
    assert run_clock(world, "2026-03-25") == {"reminded": 1, "escalated": 0}  # 7 days before
    assert run_clock(world, "2026-03-25") == {"reminded": 0, "escalated": 0}  # once per reminder
    assert f"finance:confirmation:{cid}:remind:2026-04-01:7" in keys_of(world, "a.town1")
    assert run_clock(world, "2026-04-01") == {"reminded": 0, "escalated": 0}  # the last day is not late

    on_day("2026-04-02")
    assert run_clock(world, "2026-04-02") == {"reminded": 0, "escalated": 1}
    assert run_clock(world, "2026-04-03") == {"reminded": 0, "escalated": 0}
    assert f"finance:confirmation:{cid}:overdue" in keys_of(world, "a")
    item = client.get(f"/api/v1/finance/confirmations/{cid}", headers=world.headers("office_a")).json
    assert item["overdue"] is True
    assert [s["action"] for s in item["steps"]] == ["requested", "escalated"]
    overdue = client.get("/api/v1/finance/confirmations?overdue=true", headers=world.headers("office_a"))
    assert [row["id"] for row in overdue.json] == [cid]
    # Answering late is allowed and marked.
    late = answer(client, world, cid, outcome="confirmed", payment_due_date="2026-06-30")
    assert late.json["answered_late"] is True and late.json["overdue"] is False
    assert "逾期答复" in late.json["steps"][-2]["label"]
    assert (
        client.get("/api/v1/finance/confirmations?overdue=true", headers=world.headers("office_a")).json == []
    )


def test_the_daily_schedule_escalates_for_jurisdictions_with_the_plugin(client, world, on_day):
    from core.jobs.models import Job, JobStatus
    from core.jobs.schedule import run_due

    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client))
    on_day("2026-04-02")
    run_due(dt.datetime(2026, 4, 2, 8, 40))
    with system_scope():
        jobs = list(db.session.scalars(db.select(Job).where(Job.name == "finance.confirmation_deadlines")))
        assert [(j.status, j.result["escalated"]) for j in jobs] == [
            (JobStatus.SUCCEEDED, 1)
        ]  # a only, not b
    assert f"finance:confirmation:{cid}:overdue" in keys_of(world, "a")


def test_units_see_only_requests_addressed_to_their_subtree(client, world):
    cid = item_id(client, world, file_request(client))
    for outsider in ("clerk_a2", "clerk_b1", "office_b"):
        assert (
            client.get(f"/api/v1/finance/confirmations/{cid}", headers=world.headers(outsider)).status_code
            == 404
        )
        assert (
            answer(
                client, world, cid, user=outsider, outcome="confirmed", payment_due_date="2026-06-30"
            ).status_code
            == 404
        )
    assert client.get("/api/v1/finance/confirmations", headers=world.headers("clerk_a2")).json == []
    assert client.get("/api/v1/finance/confirmations", headers=world.headers("office_b")).status_code == 404
    assert (
        client.get(f"/api/v1/finance/confirmations/{cid}", headers=world.headers("leader_a")).status_code
        == 200
    )


def test_the_office_records_a_paper_request(client, world, on_day):
    on_day("2026-03-02")
    body = request_body(debtor_unit=str(nid(world, "a.soe.sub")), amount="86000.00")
    denied = client.post("/api/v1/finance/confirmations", json=body, headers=world.headers("clerk_a1"))
    assert denied.status_code == 403
    r = client.post("/api/v1/finance/confirmations", json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    assert r.json["channel"] == "office" and r.json["unit_id"] == nid(world, "a.soe.sub")
    assert r.json["steps"][0]["actor_name"] == "office_a"
    # The SOE group above the subsidiary sees it; the subsidiary answers it.
    assert client.get(r.headers["Location"], headers=world.headers("soe_a")).status_code == 200
