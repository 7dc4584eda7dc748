"""Concealment findings (issue 17, points 1, 5, 6): the ledger raises flags (待核实/已处理); the office
confirms or dismisses each, and only confirmed ones count in the bulletin, the scorecard and referrals."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope
from tests.accountability.conftest import confirm
from tests.conftest import needs_plugins

pytestmark = needs_plugins("ledger")

API = "/api/v1/accountability/flag-findings"


def flags_section(client, world) -> dict:
    r = client.post("/api/v1/accountability/bulletins", json={}, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return next(s for s in r.json["sections"] if s["key"] == "flags")


def test_only_confirmed_flags_reach_the_bulletin(client, ledger):
    section = flags_section(client, ledger)
    # The fixture confirmed a.town1's flag; the SOE's was resolved in the ledger with no finding and
    # a.town2's is still 待核实.
    assert [(r["unit_name"], r["kind"], r["decided_on"], r["amount"]) for r in section["rows"]] == [
        ("甲一镇人民政府", "上轮填报、本轮消失且无付款记录", "2023-09-30", "100000.00")
    ]
    assert section["total"]["amount"] == "100000.00" and section["total"]["kind"] == "1条"
    assert section["note"] == "另有2条疑点尚未认定，未计入。"
    confirm(client, ledger, ledger.flags["soe"], "付款记录系事后补录，属瞒报", finding="dismissed")
    confirm(client, ledger, ledger.flags["t2"], "经核实，属漏报")
    section = flags_section(client, ledger)
    assert [(r["unit_name"], r["amount"]) for r in section["rows"]] == [
        ("甲一镇人民政府", "100000.00"),
        ("甲二镇人民政府", "50000.00"),
    ]
    assert section["total"]["amount"] == "150000.00" and section["note"] == ""


def test_the_scorecard_counts_confirmed_concealment(client, ledger):
    def town2_concealment():
        r = client.get(
            "/api/v1/accountability/assessments/preview?period_end=2023-09-30",
            headers=ledger.headers("office_a"),
        )
        row = next(x for x in r.json["rows"] if x["unit_name"] == "甲二镇人民政府")
        return next((i["points"], i["detail"]) for i in row["items"] if i["metric"] == "concealment")

    assert town2_concealment() == ("10.00", "2023年无经认定的瞒报漏报")
    confirm(client, ledger, ledger.flags["t2"], "经核实，属漏报")
    assert town2_concealment() == ("0.00", "2023年经认定的瞒报漏报1条")


def test_deciding_is_for_the_office_once_per_flag_with_a_note(client, ledger):
    h = ledger.headers("office_a")
    body = {"flag_id": ledger.flags["t2"], "finding": "confirmed"}
    r = client.post(API, json=body, headers=h)
    assert r.status_code == 422 and "note" in r.json["errors"]
    r = client.post(API, json={**body, "finding": "maybe", "note": "x"}, headers=h)
    assert r.status_code == 422 and "finding" in r.json["errors"]
    r = client.post(API, json={**body, "flag_id": 987654, "note": "x"}, headers=h)
    assert r.status_code == 404 and "flag_id" in r.json["errors"]
    for user in ("clerk_a2", "head_a1", "leader_a", "auditor_a"):
        assert client.post(API, json={**body, "note": "x"}, headers=ledger.headers(user)).status_code == 403
    # Another jurisdiction's office cannot reach the flag at all (404 where the plugin is not enabled).
    r = client.post(API, json={**body, "note": "x"}, headers=ledger.headers("office_b"))
    assert r.status_code == 404 or (r.status_code == 422 and "flag_id" in r.json["errors"])
    r = client.post(
        API, json={"flag_id": ledger.flags["t1"], "finding": "dismissed", "note": "改判"}, headers=h
    )
    assert r.status_code == 409 and "已作出认定" in r.json["errors"]["flag_id"][0]
    with system_scope():
        events = db.session.execute(
            db.select(Event.action, Event.actor_name, Event.note).where(
                Event.entity_type == "accountability_flag_findings"
            )
        ).all()
    assert [(e.action, e.note) for e in events] == [
        ("confirmed", "台账删除该笔欠款但无付款记录，经核实属瞒报")
    ]
    assert events[0].actor_name


@pytest.mark.parametrize("user", ["office_a", "leader_a", "auditor_a"])
def test_jurisdiction_wide_readers_read_findings(client, ledger, user):
    got = client.get(API, headers=ledger.headers(user))
    assert got.status_code == 200 and [x["id"] for x in got.json] == [ledger.findings["t1"]["id"]]
    item = f"{API}/{ledger.findings['t1']['id']}"
    assert client.get(item, headers=ledger.headers(user)).json["note"] == ledger.findings["t1"]["note"]


def test_another_jurisdiction_reads_nothing(client, ledger):
    h = ledger.headers("office_b")
    got = client.get(API, headers=h)
    assert got.status_code == 404 or got.json == []  # 404 where the plugin is not enabled
    assert client.get(f"{API}/{ledger.findings['t1']['id']}", headers=h).status_code == 404


def test_units_do_not_read_findings(client, ledger):
    for user in ("clerk_a1", "head_a1", "soe_a"):
        assert client.get(API, headers=ledger.headers(user)).status_code == 403
        assert client.get("/accountability/flags", headers=ledger.headers(user)).status_code == 403


def test_page_lists_flags_and_records_a_finding(client, ledger):
    h = ledger.headers("office_a")
    page = client.get("/accountability/flags", headers=h).get_data(as_text=True)
    assert 'id="flags-pending">2<' in page and "认定瞒报漏报" in page and "已补录付款记录" in page
    r = client.post(
        "/accountability/flags", data={"flag_id": ledger.flags["t2"], "finding": "dismissed"}, headers=h
    )
    assert r.status_code == 302
    assert "请写明核实情况" in client.get("/accountability/flags", headers=h).get_data(as_text=True)
    r = client.post(
        "/accountability/flags",
        data={"flag_id": ledger.flags["t2"], "finding": "dismissed", "note": "系填报失误，已更正"},
        headers=h,
    )
    assert r.status_code == 302
    page = client.get("/accountability/flags", headers=h).get_data(as_text=True)
    assert 'id="flags-pending">1<' in page and "系填报失误，已更正" in page
    assert [x["finding"] for x in client.get(API + "?finding=dismissed", headers=h).json] == ["dismissed"]
    leader = client.get("/accountability/flags", headers=ledger.headers("leader_a")).get_data(as_text=True)
    assert "系填报失误，已更正" in leader and "flag-decide" not in leader


def test_a_finding_is_corrected_by_a_new_one_with_a_reason_and_the_old_one_stays(client, ledger):
    h = ledger.headers("office_a")
    old = ledger.findings["t1"]
    url = f"{API}/{old['id']}/corrections"
    body = {"finding": "dismissed", "note": "补录的付款凭证经核实真实有效"}
    r = client.post(url, json=body, headers=h)
    assert r.status_code == 422 and "reason" in r.json["errors"]
    r = client.post(
        url, json={**body, "finding": old["finding"], "note": old["note"], "reason": "x"}, headers=h
    )
    assert r.status_code == 422 and "finding" in r.json["errors"]
    for user in ("clerk_a1", "leader_a", "auditor_a"):
        assert client.post(url, json={**body, "reason": "x"}, headers=ledger.headers(user)).status_code == 403
    r = client.post(url, json={**body, "reason": "财政局出具付款证明"}, headers=h)
    assert r.status_code == 201, r.json
    new = r.json
    assert (new["corrects_id"], new["flag_id"], new["finding"], new["reason"]) == (
        old["id"],
        old["flag_id"],
        "dismissed",
        "财政局出具付款证明",
    )
    # Append-only: the old finding reads as it was; only the newest one can be corrected again.
    assert client.get(f"{API}/{old['id']}", headers=h).json == old
    r = client.post(url, json={**body, "reason": "再次更正"}, headers=h)
    assert r.status_code == 422 and "已被更正" in r.json["errors"]["finding_id"][0]
    assert (
        client.post(f"{API}/987654/corrections", json={**body, "reason": "x"}, headers=h).status_code == 404
    )
    # The corrected flag no longer counts; a bulletin as of a date before the correction still counts it.
    assert flags_section(client, ledger)["rows"] == []
    with system_scope():
        events = db.session.execute(
            db.select(Event.action, Event.note).where(
                Event.entity_type == "accountability_flag_findings", Event.action == "corrected"
            )
        ).all()
    assert [tuple(e) for e in events] == [("corrected", "财政局出具付款证明")]
    # Corrected back: the chain goes on from the newest finding.
    r = client.post(
        f"{API}/{new['id']}/corrections",
        json={"finding": "confirmed", "note": "付款凭证系伪造", "reason": "纪检核查推翻付款证明"},
        headers=h,
    )
    assert r.status_code == 201 and r.json["corrects_id"] == new["id"]
    rows = flags_section(client, ledger)["rows"]
    assert [(x["unit_name"], x["amount"]) for x in rows] == [("甲一镇人民政府", "100000.00")]
    assert [x["id"] for x in client.get(API, headers=h).json] == [r.json["id"], new["id"], old["id"]]
    assert [x["id"] for x in client.get(API + "?current=true", headers=h).json] == [r.json["id"]]
    assert [x["id"] for x in client.get(API + "?current=false", headers=h).json] == [new["id"], old["id"]]


def test_another_jurisdiction_cannot_correct(client, ledger):
    url = f"{API}/{ledger.findings['t1']['id']}/corrections"
    body = {"finding": "dismissed", "note": "x", "reason": "y"}
    assert client.post(url, json=body, headers=ledger.headers("office_b")).status_code == 404


def test_page_corrects_a_finding(client, ledger):
    h = ledger.headers("office_a")
    page = client.get("/accountability/flags", headers=h).get_data(as_text=True)
    assert "提交更正" in page
    target = "/accountability/flags/corrections"
    fid = ledger.findings["t1"]["id"]
    r = client.post(target, data={"finding_id": fid, "finding": "dismissed", "note": "凭证有效"}, headers=h)
    assert r.status_code == 302
    assert "请写明更正理由" in client.get("/accountability/flags", headers=h).get_data(as_text=True)
    data = {"finding_id": fid, "finding": "dismissed", "note": "凭证有效", "reason": "财政局出具付款证明"}
    assert client.post(target, data=data, headers=h).status_code == 302
    page = client.get("/accountability/flags", headers=h).get_data(as_text=True)
    assert "更正理由：财政局出具付款证明" in page and "排除（不属瞒报漏报）" in page
    assert client.post(target, data=data, headers=ledger.headers("leader_a")).status_code == 403
