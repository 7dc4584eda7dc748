"""Channels, triage, duplicates, transfer, deadlines, outcome → core debt, board, notifications, isolation."""

from __future__ import annotations

import datetime as dt

import pytest

from core.extensions import db
from core.models.debt import Debt
from core.models.notification import Notification
from core.tenancy.scope import Scope, scope_context, system_scope
from plugins.complaints.handling import service
from plugins.complaints.models import Complaint, ComplaintStep
from tests.complaints.conftest import filing, nid


class _PinnedDay:
    """``fixed_today["value"] = date`` pins the app's business clock to noon (Beijing) of that date."""

    def __init__(self, app) -> None:
        self.app = app

    def __setitem__(self, key: str, day: dt.date) -> None:
        self.app.config["CLOCK_NOW"] = dt.datetime.combine(day, dt.time(4, 0))  # 12:00 Beijing, in UTC


@pytest.fixture
def fixed_today(app):
    day = _PinnedDay(app)
    day["value"] = dt.date(2023, 9, 25)
    yield day
    app.config.pop("CLOCK_NOW", None)


def file(client, **overrides) -> int:
    r = client.post("/api/v1/public/complaints", json=filing(**overrides))
    assert r.status_code == 201, r.json
    with system_scope():
        return db.session.scalar(
            db.select(Complaint.id).where(Complaint.tracking_code == r.json["tracking_code"])
        )


def post(client, world, user, path, body):
    return client.post(f"/api/v1/complaints{path}", json=body, headers=world.headers(user))


def accept_and_transfer(client, world, cid, unit="a.town1"):
    r = post(client, world, "office_a", f"/{cid}/triage", {"in_scope": True})
    assert r.status_code == 200, r.json
    r = post(client, world, "office_a", f"/{cid}/transfer", {"unit_id": nid(world, unit)})
    assert r.status_code == 200, r.json
    return r.json


def test_staff_register_clues_from_channels(client, cworld):
    for channel, label in (("hotline", "热线"), ("national_platform", "国家平台"), ("audit", "审计")):
        body = filing(channel=channel, source_ref="12345-" + channel)
        r = client.post("/api/v1/complaints", json=body, headers=cworld.headers("office_a"))
        assert r.status_code == 201, r.json
        assert r.json["channel_label"] == label and r.json["source_ref"] == "12345-" + channel
        assert "登记线索（来源：" + label in r.json["timeline"][0]["label"]
    body = filing(channel="public")
    assert client.post("/api/v1/complaints", json=body, headers=cworld.headers("office_a")).status_code == 422
    # Registering clues is the office's job, not a unit clerk's.
    body = filing(channel="inspection")
    assert client.post("/api/v1/complaints", json=body, headers=cworld.headers("clerk_a1")).status_code == 403


def test_triage_out_of_scope_tells_the_complainant(client, cworld):
    r = client.post("/api/v1/public/complaints", json=filing())
    code = r.json["tracking_code"]
    with system_scope():
        cid = db.session.scalar(db.select(Complaint.id))
    r = post(client, cworld, "office_a", f"/{cid}/triage", {"in_scope": False})
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = post(client, cworld, "office_a", f"/{cid}/triage", {"in_scope": False, "reason": "judicial"})
    assert r.status_code == 200 and r.json["status"] == "out_of_scope"
    status = client.post(
        "/api/v1/public/complaints/status",
        json={"jurisdiction": "a", "tracking_code": code, "phone_last4": "5678"},
    ).json
    assert status["status_label"] == "不属于受理范围" and "司法程序" in status["result_text"]
    # A decided case cannot be triaged again; a clerk cannot triage at all.
    assert post(client, cworld, "office_a", f"/{cid}/triage", {"in_scope": True}).status_code == 422
    assert post(client, cworld, "clerk_a1", f"/{cid}/triage", {"in_scope": True}).status_code == 403


@pytest.mark.parametrize(
    "reason",
    ["private_debtor", "outside_jurisdiction", "large_creditor", "not_goods_works_services", "no_contract"],
)
def test_every_out_of_scope_reason(client, cworld, reason):
    cid = file(client)
    r = post(client, cworld, "office_a", f"/{cid}/triage", {"in_scope": False, "reason": reason})
    assert r.status_code == 200 and r.json["result_text"].startswith("经核查，您的投诉不属于受理范围")


def test_likely_duplicates_shown_before_a_case_opens(client, cworld):
    first = file(client, amount="100000")
    second = file(client, amount="108000.00", debtor="甲一镇人民政府")  # same creditor, debtor, ±10%
    third = file(client, amount="150000")  # amount too far off
    fourth = file(client, amount="100000", debtor="甲旅游集团")  # another debtor
    r = client.get(f"/api/v1/complaints/{second}", headers=cworld.headers("office_a"))
    assert [d["id"] for d in r.json["duplicates"]] == [first]
    ids = {
        d["id"]
        for d in client.get(f"/api/v1/complaints/{first}", headers=cworld.headers("office_a")).json[
            "duplicates"
        ]
    }
    assert ids == {second} and third not in ids and fourth not in ids
    page = client.get(f"/complaints/{second}", headers=cworld.headers("office_a")).get_data(as_text=True)
    assert "可能重复" in page


def test_deadlines_in_working_days_and_extension(client, cworld, fixed_today):
    cid = file(client)
    detail = client.get(f"/api/v1/complaints/{cid}", headers=cworld.headers("office_a")).json
    assert detail["received_on"] == "2023-09-25" and detail["transfer_due"] == "2023-10-13"
    fixed_today["value"] = dt.date(2023, 10, 9)
    detail = accept_and_transfer(client, cworld, cid)
    assert detail["transferred_on"] == "2023-10-09" and detail["result_due"] == "2023-11-08"
    bad = post(
        client, cworld, "clerk_a1", f"/{cid}/extension", {"result_due": "2024-01-10", "reason": "复杂"}
    )
    assert bad.status_code == 422 and "2024年1月7日" in bad.json["errors"]["result_due"][0]
    r = post(
        client,
        cworld,
        "clerk_a1",
        f"/{cid}/extension",
        {"result_due": "2023-12-08", "reason": "涉及多方核对"},
    )
    assert r.status_code == 200 and r.json["result_due"] == "2023-12-08"
    again = post(
        client, cworld, "clerk_a1", f"/{cid}/extension", {"result_due": "2023-12-20", "reason": "再延"}
    )
    assert again.status_code == 422 and "一次" in again.json["errors"]["result_due"][0]
    # A sibling unit cannot even see the case.
    assert (
        post(
            client, cworld, "clerk_a2", f"/{cid}/extension", {"result_due": "2023-12-09", "reason": "x"}
        ).status_code
        == 404
    )


def test_reminders_and_escalation_are_idempotent(app, client, cworld, fixed_today):
    cid = file(client)
    a, town1 = nid(cworld, "a"), nid(cworld, "a.town1")
    with scope_context(Scope(jurisdiction_id=a)):
        assert service.check_deadlines(a, dt.date(2023, 10, 10))["reminded"] == 1  # 3 days before 10-13
        assert service.check_deadlines(a, dt.date(2023, 10, 10))["reminded"] == 0
        assert service.check_deadlines(a, dt.date(2023, 10, 16))["escalated"] == 1
        assert service.check_deadlines(a, dt.date(2023, 10, 17))["escalated"] == 0
        db.session.commit()
    fixed_today["value"] = dt.date(2023, 10, 16)
    accept_and_transfer(client, cworld, cid)
    with scope_context(Scope(jurisdiction_id=a)):
        assert service.check_deadlines(a, dt.date(2023, 11, 14))["reminded"] == 1  # result due 11-15
        assert service.check_deadlines(a, dt.date(2023, 11, 16))["escalated"] == 1
        db.session.commit()
    with system_scope():
        notes = db.session.scalars(db.select(Notification).order_by(Notification.id)).all()
        by_unit = {(n.unit_id, n.title) for n in notes}
    assert (town1, "收到转办的投诉线索") in by_unit
    assert (town1, "投诉件反馈处理结果期限还有 1 天") in by_unit
    assert (a, "投诉件反馈处理结果已逾期") in by_unit and (a, "投诉件转办已逾期") in by_unit
    assert all("138" not in n.body and "王经理" not in n.body for n in notes)  # no contact data in notices


def test_deadline_job_runs_through_the_job_system(app, client, cworld, fixed_today):
    from core.jobs import create_job, submit
    from core.jobs.models import Job, JobStatus
    from plugins.complaints.handling.jobs import SCHEDULES

    file(client)
    assert SCHEDULES[0].job == "complaints.deadlines"
    with system_scope():
        job = create_job(
            "complaints.deadlines", unit=cworld.node("a"), system=True, params={"today": "2023-10-16"}
        )
        job_id = job.id
        db.session.commit()
    submit(job_id)
    with system_scope():
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert job.result["escalated"] == 1


def test_undisputed_outcome_becomes_a_debt_and_payment_closes(client, cworld, fixed_today):
    cid = file(client)
    accept_and_transfer(client, cworld, cid)
    r = post(client, cworld, "clerk_a1", f"/{cid}/outcome", {"outcome": "undisputed", "detail": "已核实"})
    assert r.status_code == 422 and "payment_deadline" in r.json["errors"]
    r = post(
        client,
        cworld,
        "clerk_a1",
        f"/{cid}/outcome",
        {"outcome": "undisputed", "detail": "已核实验收单", "payment_deadline": "2023-10-31"},
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "tracking" and r.json["debts"][0]["status"] == "confirmed"
    debt_id = r.json["debts"][0]["id"]
    debt = client.get(f"/api/v1/debts/{debt_id}", headers=cworld.headers("clerk_a1")).json
    assert debt["source"] == "complaint" and debt["amount_owed"] == "85000.50"
    back = client.get(f"/api/v1/complaints?debt={debt_id}", headers=cworld.headers("clerk_a1")).json
    assert [c["id"] for c in back] == [cid]
    assert client.get(f"/api/v1/complaints?debt={debt_id}", headers=cworld.headers("clerk_a2")).json == []
    with system_scope():
        assert db.session.get(Debt, debt_id).unit_id == nid(cworld, "a.town1")
    fixed_today["value"] = dt.date(2023, 10, 30)  # the payments are made by then
    r = post(client, cworld, "clerk_a1", f"/{cid}/payments", {"amount": "5000.50", "paid_on": "2023-10-20"})
    assert r.status_code == 201 and r.json["status"] == "tracking"
    assert r.json["debts"][0]["status"] == "partly_repaid"
    r = post(client, cworld, "clerk_a1", f"/{cid}/payments", {"amount": "80000.00", "paid_on": "2023-10-30"})
    assert r.json["status"] == "closed" and r.json["debts"][0]["status"] == "cleared"
    actions = [s["action"] for s in r.json["timeline"]]
    assert actions == ["received", "accepted", "transferred", "answered", "paid", "paid", "closed"]
    assert all(s["who"] and s["at"] for s in r.json["timeline"])


def test_disputed_case_stays_open_until_the_ledger_clears_the_debt(client, cworld, fixed_today):
    cid = file(client)
    accept_and_transfer(client, cworld, cid)
    r = post(client, cworld, "clerk_a1", f"/{cid}/outcome", {"outcome": "disputed", "detail": "金额有出入"})
    assert r.status_code == 422 and "route" in r.json["errors"]
    r = post(
        client,
        cworld,
        "clerk_a1",
        f"/{cid}/outcome",
        {"outcome": "disputed", "detail": "金额有出入", "route": "mediation"},
    )
    assert r.json["status"] == "tracking" and "调解" in r.json["result_text"]
    debt_id = r.json["debts"][0]["id"]
    assert r.json["debts"][0]["status"] == "disputed"
    # Paid in full through the core debt API (as the ledger would): the case follows the debt.
    h = cworld.headers("clerk_a1")
    fixed_today["value"] = dt.date(2023, 11, 1)
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments", json={"paid_on": "2023-11-01", "amount": "85000.50"}, headers=h
    )
    assert r.status_code == 201, r.json
    detail = client.get(f"/api/v1/complaints/{cid}", headers=h).json
    assert detail["status"] == "closed" and detail["debts"][0]["status"] == "cleared"


def test_rejected_outcome_closes_and_reaches_complainant_and_office(client, cworld, fixed_today):
    r = client.post("/api/v1/public/complaints", json=filing())
    code = r.json["tracking_code"]
    with system_scope():
        cid = db.session.scalar(db.select(Complaint.id))
    accept_and_transfer(client, cworld, cid)
    r = post(
        client, cworld, "clerk_a1", f"/{cid}/outcome", {"outcome": "rejected", "detail": "该款项已于8月结清"}
    )
    assert r.json["status"] == "closed" and r.json["debts"] == []
    status = client.post(
        "/api/v1/public/complaints/status",
        json={"jurisdiction": "a", "tracking_code": code, "phone_last4": "5678"},
    ).json
    assert "该款项已于8月结清" in status["result_text"] and status["closed_on"] == "2023-09-25"
    with system_scope():
        titles = db.session.scalars(
            db.select(Notification.title).where(Notification.unit_id == nid(cworld, "a"))
        )
        assert "投诉件已反馈：不予支持" in list(titles)


def test_unit_sees_only_cases_transferred_to_its_subtree(client, cworld):
    mine = file(client)
    other = file(client, creditor_name="另一家企业有限公司")
    accept_and_transfer(client, cworld, mine, "a.town1")
    accept_and_transfer(client, cworld, other, "a.town2")
    ids = lambda user: {c["id"] for c in client.get("/api/v1/complaints", headers=cworld.headers(user)).json}  # noqa: E731
    assert ids("office_a") == {mine, other}
    assert ids("clerk_a1") == {mine} and ids("head_a1") == {mine}
    assert ids("clerk_a2") == {other}
    assert ids("soe_a") == set()
    # b does not enable the plugin: the API does not exist there.
    assert client.get("/api/v1/complaints", headers=cworld.headers("clerk_b1")).status_code == 404
    assert client.get(f"/api/v1/complaints/{mine}", headers=cworld.headers("clerk_a2")).status_code == 404
    assert client.get(f"/complaints/{mine}", headers=cworld.headers("clerk_a2")).status_code == 404
    # Contact details: the office and the handling unit, not leaders or auditors.
    assert client.get(f"/api/v1/complaints/{mine}", headers=cworld.headers("clerk_a1")).json["contact_phone"]
    assert (
        "contact_phone"
        not in client.get(f"/api/v1/complaints/{mine}", headers=cworld.headers("auditor_a")).json
    )
    # Steps moved with the case: the unit sees the whole timeline.
    with scope_context(Scope(jurisdiction_id=nid(cworld, "a"), unit_ids=frozenset({nid(cworld, "a.town1")}))):
        assert db.session.scalar(db.select(db.func.count()).select_from(ComplaintStep)) == 3
    # Only the office transfers; a unit cannot answer a case of another unit.
    assert (
        post(client, cworld, "clerk_a1", f"/{mine}/transfer", {"unit_id": nid(cworld, "a.town2")}).status_code
        == 403
    )
    r = post(client, cworld, "clerk_a2", f"/{mine}/outcome", {"outcome": "rejected", "detail": "x"})
    assert r.status_code == 404


def test_transfer_refuses_units_outside_the_jurisdiction(client, cworld):
    cid = file(client)
    post(client, cworld, "office_a", f"/{cid}/triage", {"in_scope": True})
    r = post(client, cworld, "office_a", f"/{cid}/transfer", {"unit_id": nid(cworld, "b.town1")})
    assert r.status_code == 404
    r = post(client, cworld, "office_a", f"/{cid}/transfer", {"unit_id": nid(cworld, "a")})
    assert r.status_code == 422


def test_board_counts_and_repeated_debtors(client, cworld, fixed_today):
    first = file(client)
    file(client, creditor_name="第二家企业有限公司", amount="3000")
    third = file(client, debtor="甲二镇政府")
    accept_and_transfer(client, cworld, first)
    fixed_today["value"] = dt.date(2023, 10, 5)
    post(client, cworld, "clerk_a1", f"/{first}/outcome", {"outcome": "rejected", "detail": "已付清"})
    fixed_today["value"] = dt.date(2023, 10, 20)
    board = client.get("/api/v1/complaints/board", headers=cworld.headers("office_a")).json
    assert board["totals"]["received"] == 3 and board["totals"]["closed"] == 1
    assert board["totals"]["in_progress"] == 2 and board["totals"]["overdue"] == 2  # transfer due 10-13
    assert board["totals"]["avg_days"] == 10.0
    assert board["repeated"] == [{"debtor": "甲一镇人民政府", "count": 2}]
    town1 = next(u for u in board["units"] if u["unit_name"] == "甲一镇人民政府")
    assert town1["closed"] == 1 and town1["avg_days"] == 10.0
    page = client.get("/complaints/board", headers=cworld.headers("office_a")).get_data(as_text=True)
    assert "被重复投诉" in page and "甲一镇人民政府" in page
    assert third


def test_pages_nav_and_widget(client, cworld):
    cid = file(client)
    h = cworld.headers("office_a")
    page = client.get("/", headers=h).get_data(as_text=True)
    assert "投诉线索" in page and "投诉线索办理" in page
    assert client.get("/complaints", headers=h).status_code == 200
    assert client.get(f"/complaints/{cid}", headers=h).status_code == 200
    assert client.get("/complaints/new", headers=h).status_code == 200
    assert client.get("/complaints/new", headers=cworld.headers("clerk_a1")).status_code == 403


def test_notifiers_hook_adapters_receive_notices(app, client, cworld):
    from core.hookspecs import hookspec  # noqa: F401 - the spec exists
    from core.plugins import hookimpl

    sent = []

    class Recorder:
        PLUGIN_NAME = "recorder_test"

        @hookimpl
        def qingqian_notifiers(self):
            class Adapter:
                name = "sms"

                def send(self, notice):
                    sent.append(notice)

            return [Adapter()]

    pm = app.extensions["qingqian.plugins"]
    plugin = Recorder()
    pm.register(plugin, name="recorder_test")
    try:
        file(client)
    finally:
        pm.unregister(plugin)
    assert [n.title for n in sent] == ["收到新的投诉线索（网上投诉）"]


def test_clue_form_and_case_actions_in_the_web_ui(client, cworld):
    from tests.test_web import csrf_token, login

    login(client, "office_a")
    token = csrf_token(client, "/complaints/new")
    form = filing(channel="supervision", source_ref="督导-2023-07", csrf_token=token)
    r = client.post("/complaints/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    with system_scope():
        c = db.session.scalar(db.select(Complaint))
        cid, channel = c.id, c.channel
    assert channel == "supervision"
    bad = client.post("/complaints/new", data=filing(channel="", amount="abc", csrf_token=token))
    assert bad.status_code == 422 and "请选择线索来源" in bad.get_data(as_text=True)
    data = {"action": "triage", "in_scope": "0", "reason": "no_contract", "csrf_token": token}
    assert client.post(f"/complaints/{cid}", data=data).status_code == 302
    page = client.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "不属于受理范围" in page and "没有合同关系" in page
