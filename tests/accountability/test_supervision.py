"""Supervision (issue 17, point 2): candidates from the plan's thresholds, progress with attachments,
closing only with evidence, extension with a reason, escalation when overdue, and the next bulletin."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models.event import Event
from core.models.notification import Notification
from core.tenancy.plans import deep_merge
from core.tenancy.scope import system_scope
from plugins.accountability.supervision.models import SupervisionStep
from tests.accountability.conftest import FIGURE_SOURCES, nid
from tests.conftest import needs_plugins
from tests.ledger.test_rounds_support import run_job

API = "/api/v1/accountability/supervisions"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def keys(client, world) -> dict[str, dict]:
    r = client.get(f"{API}/candidates", headers=world.headers("office_a"))
    assert r.status_code == 200, r.json
    return {c["key"]: c for c in r.json}


def open_from(client, world, candidate: dict, **extra) -> dict:
    body = {
        k: candidate[k]
        for k in (
            "unit_id",
            "subject_kind",
            "subject_id",
            "subject_label",
            "reason",
            "required_actions",
            "deadline",
        )
    }
    body["proposal_key"] = candidate["key"]
    body.update(extra)
    r = client.post(API, json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json


def unit_open(client, world, unit: str = "a.town1", deadline: str = "2023-10-15") -> dict:
    body = {
        "unit_id": nid(world, unit),
        "reason": "清偿进度落后",
        "required_actions": "每周报告进展",
        "deadline": deadline,
    }
    r = client.post(API, json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json


@needs_plugins(*FIGURE_SOURCES)
def test_candidates_follow_the_plan_thresholds(client, ledger):
    got = keys(client, ledger)
    t1, soe = nid(ledger, "a.town1"), nid(ledger, "a.soe")
    # Defaults: gap ≥ 10 points (甲一镇 −26.67, 甲旅游集团 −10.00; 甲二镇 ahead), ledger unsubmitted ≥ 5 days
    # after the 25 August deadline (甲一镇, 36 days; 甲旅游集团 reported late, so not), installment ≥ 15 days
    # overdue (甲一镇's first, 30 days).
    assert {k.split(":")[0] + ":" + str(c["unit_id"]) for k, c in got.items()} == {
        f"clearance:{t1}",
        f"clearance:{soe}",
        f"reporting:{t1}",
        f"installment:{t1}",
    }
    installment = next(c for k, c in got.items() if k.startswith("installment:"))
    assert installment["subject_kind"] == "debt" and installment["subject_id"] == ledger.debts["t1"]
    assert "逾期30天" in installment["reason"] and installment["deadline"] == "2023-10-15"
    with system_scope():
        node = ledger.node("a")
        node.plan = deep_merge(
            node.plan,
            {"accountability": {"supervision": {"clearance_gap_points": 20, "installment_overdue_days": 31}}},
        )
        db.session.commit()
    assert {k.split(":")[0] + ":" + str(c["unit_id"]) for k, c in keys(client, ledger).items()} == {
        f"clearance:{t1}",
        f"reporting:{t1}",
    }


@needs_plugins(*FIGURE_SOURCES)
def test_open_from_a_candidate_the_unit_sees_it_and_it_is_not_proposed_again(client, ledger):
    candidate = next(c for k, c in keys(client, ledger).items() if k.startswith("installment:"))
    item = open_from(client, ledger, candidate)
    assert item["status"] == "open" and item["steps"][0]["action"] == "opened"
    assert candidate["key"] not in keys(client, ledger)
    r = client.post(
        API,
        json={
            **{k: item[k] for k in ("unit_id", "reason", "required_actions")},
            "deadline": "2023-10-15",
            "proposal_key": candidate["key"],
        },
        headers=ledger.headers("office_a"),
    )
    assert r.status_code == 409 and "已在督办中" in r.json["errors"]["proposal_key"][0]
    # The unit sees it (its to-do and a notification); a sibling unit does not.
    assert [x["id"] for x in client.get(API, headers=ledger.headers("clerk_a1")).json] == [item["id"]]
    assert client.get(API, headers=ledger.headers("clerk_a2")).json == []
    assert client.get(f"{API}/{item['id']}", headers=ledger.headers("clerk_a2")).status_code == 404
    titles = [
        n["title"] for n in client.get("/api/v1/notifications", headers=ledger.headers("clerk_a1")).json
    ]
    assert any(t.startswith("挂牌督办：") for t in titles)
    assert client.get(f"{API}/candidates", headers=ledger.headers("clerk_a1")).status_code == 403


def test_progress_with_an_attachment(client, ledger):
    import io

    item = unit_open(client, ledger)
    url = f"{API}/{item['id']}/progress"
    h = ledger.headers("clerk_a1")
    bad = client.post(url, data={"note": "已付一部分", "file": (io.BytesIO(b"hello"), "a.png")}, headers=h)
    assert bad.status_code == 422 and "PDF、JPEG 或 PNG" in bad.json["errors"]["file"][0]
    assert client.post(url, data={}, headers=h).status_code == 422
    r = client.post(url, data={"note": "已付一部分", "file": (io.BytesIO(PNG), "回单.png")}, headers=h)
    assert r.status_code == 201, r.json
    assert (r.json["actor_name"], r.json["file_name"], r.json["file_size"]) == (
        "clerk_a1",
        "回单.png",
        len(PNG),
    )
    got = client.get(f"{API}/{item['id']}/steps/{r.json['id']}/file", headers=ledger.headers("office_a"))
    assert got.status_code == 200 and got.data == PNG
    assert client.post(url, data={"note": "x"}, headers=ledger.headers("clerk_a2")).status_code == 404
    steps = client.get(f"{API}/{item['id']}", headers=h).json["steps"]
    assert [s["action"] for s in steps] == ["opened", "progress"]


def test_close_only_with_evidence(client, ledger):
    item = unit_open(client, ledger)
    url = f"{API}/{item['id']}/close"
    h = ledger.headers("office_a")
    assert client.post(url, json={"note": "已办"}, headers=h).status_code == 422  # no evidence at all
    # A payment of another unit's debt proves nothing here.
    other = client.get(f"/api/v1/debts/{ledger.debts['t2']}/payments", headers=h).json[0]["id"]
    r = client.post(url, json={"evidence_kind": "payment", "evidence_id": other, "note": "已付"}, headers=h)
    assert r.status_code == 404 and "不属于督办单位" in r.json["errors"]["evidence_id"][0]
    r = client.post(url, json={"evidence_kind": "complaint", "evidence_id": 1, "note": "已办"}, headers=h)
    assert r.status_code == 409  # 甲一镇's complaint has no result yet
    assert client.get(f"{API}/{item['id']}", headers=h).json["status"] == "open"
    own = client.get(f"/api/v1/debts/{ledger.debts['t1']}/payments", headers=h).json[0]["id"]
    assert (
        client.post(
            url,
            json={"evidence_kind": "payment", "evidence_id": own, "note": "已付"},
            headers=ledger.headers("clerk_a1"),
        ).status_code
        == 403
    )
    r = client.post(
        url, json={"evidence_kind": "payment", "evidence_id": own, "note": "已付清首期"}, headers=h
    )
    assert r.status_code == 200, r.json
    assert (r.json["status"], r.json["closed_on"], r.json["evidence_kind"]) == (
        "closed",
        "2023-09-30",
        "payment",
    )
    assert "付款 40,000.00 元" in r.json["steps"][-1]["note"]
    r = client.post(url, json={"evidence_kind": "payment", "evidence_id": own, "note": "再办"}, headers=h)
    assert r.status_code == 409 and "已办结" in r.json["errors"]["status"][0]
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action)
            .where(Event.entity_type == "accountability_supervisions")
            .order_by(Event.id)
        ).all()
    assert actions == ["opened", "closed"]


def test_extend_needs_a_reason_and_a_later_deadline(client, ledger):
    item = unit_open(client, ledger)
    url = f"{API}/{item['id']}/extend"
    h = ledger.headers("office_a")
    assert client.post(url, json={"deadline": "2023-10-30"}, headers=h).status_code == 422
    r = client.post(url, json={"deadline": "2023-10-10", "reason": "资金未到位"}, headers=h)
    assert r.status_code == 422 and "晚于原期限" in r.json["errors"]["deadline"][0]
    r = client.post(url, json={"deadline": "2023-10-30", "reason": "资金未到位"}, headers=h)
    assert r.status_code == 200
    assert (r.json["deadline"], r.json["original_deadline"]) == ("2023-10-30", "2023-10-15")
    assert "资金未到位" in r.json["steps"][-1]["note"]


def test_overdue_items_escalate_once_per_deadline_and_reach_the_next_bulletin(client, ledger, app):
    item = unit_open(client, ledger)
    assert run_job("accountability_supervision_overdue", ledger, today="2023-10-15")["escalated"] == 0
    assert run_job("accountability_supervision_overdue", ledger, today="2023-10-16")["escalated"] == 1
    assert run_job("accountability_supervision_overdue", ledger, today="2023-10-17")["escalated"] == 0
    with system_scope():
        rows = db.session.execute(
            db.select(Notification.unit_id, Notification.title, Notification.level)
        ).all()
    urgent = {(unit, title) for unit, title, level in rows if level == "urgent"}
    assert urgent == {
        (nid(ledger, "a"), "挂牌督办逾期1天未办结：甲一镇人民政府"),
        (nid(ledger, "a.town1"), "挂牌督办逾期1天未办结：甲一镇人民政府"),
    }
    leader = [
        n["title"] for n in client.get("/api/v1/notifications", headers=ledger.headers("leader_a")).json
    ]
    assert "挂牌督办逾期1天未办结：甲一镇人民政府" in leader
    # Extended, it escalates again once the new deadline passes.
    client.post(
        f"{API}/{item['id']}/extend",
        json={"deadline": "2023-10-20", "reason": "延期"},
        headers=ledger.headers("office_a"),
    )
    assert run_job("accountability_supervision_overdue", ledger, today="2023-10-21")["escalated"] == 1
    with system_scope():
        actions = db.session.scalars(
            db.select(SupervisionStep.action)
            .where(SupervisionStep.supervision_id == item["id"])
            .order_by(SupervisionStep.id)
        ).all()
    assert actions == ["opened", "escalated", "extended", "escalated"]
    # The next bulletin lists it.
    app.config["CLOCK_NOW"] = "2023-10-25T02:00:00"
    b = client.post("/api/v1/accountability/bulletins", json={}, headers=ledger.headers("office_a")).json
    section = next(s for s in b["sections"] if s["key"] == "supervisions")
    assert [(r["unit_name"], r["deadline"], r["days"]) for r in section["rows"]] == [
        ("甲一镇人民政府", "2023-10-20", 5)
    ]
    assert client.get(f"{API}?overdue=true", headers=ledger.headers("clerk_a1")).json[0]["id"] == item["id"]


def test_bad_requests(client, ledger):
    h = ledger.headers("office_a")
    base = {"reason": "r", "required_actions": "a"}
    r = client.post(
        API, json={**base, "unit_id": nid(ledger, "b.town1"), "deadline": "2023-10-15"}, headers=h
    )
    assert r.status_code == 404 and "unit_id" in r.json["errors"]
    r = client.post(
        API, json={**base, "unit_id": nid(ledger, "a.town1"), "deadline": "2023-09-30"}, headers=h
    )
    assert r.status_code == 409 and "须晚于今天" in r.json["errors"]["deadline"][0]
    r = client.post(
        API,
        json={
            **base,
            "unit_id": nid(ledger, "a.town1"),
            "deadline": "2023-10-15",
            "subject_kind": "debt",
            "subject_id": ledger.debts["t2"],
        },
        headers=h,
    )
    assert r.status_code == 404 and "不属于督办单位" in r.json["errors"]["subject_id"][0]
    assert client.get(API, headers=h).json == []
    with system_scope():
        assert db.session.scalar(db.select(db.func.count(SupervisionStep.id))) == 0


def test_pages_from_candidate_to_closed(client, ledger):
    import re

    h = ledger.headers("office_a")
    page = client.get("/accountability/supervisions", headers=h).get_data(as_text=True)
    assert "建议督办" in page and "清偿率33.33%" in page
    t1 = nid(ledger, "a.town1")
    candidate = keys(client, ledger)[f"clearance:{t1}"]
    form = {
        k: str(candidate[k] or "")
        for k in (
            "unit_id",
            "subject_kind",
            "subject_id",
            "subject_label",
            "reason",
            "required_actions",
            "deadline",
        )
    }
    r = client.post(
        "/accountability/supervisions", data={**form, "proposal_key": candidate["key"]}, headers=h
    )
    assert r.status_code == 302
    sid = int(re.search(r"/supervisions/(\d+)", r.headers["Location"]).group(1))
    r = client.post(
        f"/accountability/supervisions/{sid}/progress",
        data={"note": "已制定计划"},
        headers=ledger.headers("clerk_a1"),
    )
    assert r.status_code == 302
    payment = client.get(f"/api/v1/debts/{ledger.debts['t1']}/payments", headers=h).json[0]["id"]
    r = client.post(
        f"/accountability/supervisions/{sid}/close",
        data={"evidence_kind": "payment", "evidence_id": str(payment), "note": "已付款"},
        headers=h,
    )
    assert r.status_code == 302
    page = client.get(f"/accountability/supervisions/{sid}", headers=h).get_data(as_text=True)
    assert "已办结" in page and "报告进展" in page and "已制定计划" in page and "办结销号" in page


@pytest.mark.postgres
def test_steps_cannot_be_changed_at_the_database(client, ledger):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    unit_open(client, ledger)
    with system_scope(), pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE accountability_supervision_steps SET note = 'x'"))
    db.session.rollback()


@needs_plugins(*FIGURE_SOURCES)
def test_progress_report_section(client, ledger):
    with system_scope():
        node = ledger.node("a")
        node.plan = {**node.plan, "plugins": [*node.plan["plugins"], "agreements"]}
        db.session.commit()
    unit_open(client, ledger, deadline="2023-10-15")
    unit_open(client, ledger, unit="a.town2", deadline="2023-10-01")
    url = "/agreements/progress?as_of="
    page = client.get(url + "2023-09-30", headers=ledger.headers("office_a")).get_data(as_text=True)
    assert "通报督办情况" in page and 'data-key="supervision_open">2<' in page
    assert 'data-key="supervision_overdue">0<' in page
    page = client.get(url + "2023-10-02", headers=ledger.headers("office_a")).get_data(as_text=True)
    assert 'data-key="supervision_overdue">1<' in page
