"""Referral to discipline inspection (issue 17, point 6): the package holds the summary and the evidence,
the hand-over and the outcome are recorded in order, only jurisdiction-wide readers see it."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope
from tests.accountability.conftest import confirm, nid
from tests.conftest import needs_plugins

API = "/api/v1/accountability/referrals"


def prepare(client, world) -> dict:
    r = client.post(
        API,
        json={
            "unit_id": nid(world, "a.town1"),
            "basis": "经核实，上轮填报的欠款本轮消失且无付款记录，属瞒报",
        },
        headers=world.headers("office_a"),
    )
    assert r.status_code == 201, r.json
    return r.json


@needs_plugins("ledger")
def test_package_holds_summary_and_evidence(client, ledger):
    from docx import Document

    # A second flag of a.town1's subtree confirmed, then a third dismissed: the package is built from the
    # confirmed ones only, and a flag still 待核实 elsewhere is no evidence at all.
    item = prepare(client, ledger)
    assert item["finding_ids"] == [ledger.findings["t1"]["id"]]
    client.post(
        "/api/v1/accountability/supervisions",
        json={
            "unit_id": nid(ledger, "a.town1"),
            "reason": "瞒报",
            "required_actions": "补报",
            "deadline": "2023-10-10",
        },
        headers=ledger.headers("office_a"),
    )
    r = client.get(f"{API}/{item['id']}/package.zip", headers=ledger.headers("office_a"))
    assert r.status_code == 200 and r.mimetype == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.data))
    assert sorted(z.namelist()) == sorted(
        ["移送摘要.docx", "台账报送快照.json", "经认定的瞒报漏报及差异.json", "历史记录.csv", "督办过程.csv"]
    )
    doc = Document(io.BytesIO(z.read("移送摘要.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于移送甲一镇人民政府拖欠中小企业账款问题线索的函" in text
    # 甲一镇 and its 财政所: 120,000 owed − 40,000 paid; one confirmed flag (vanished), no submission, one
    # supervision.
    assert (
        "尚有拖欠中小企业账款80,000.00元" in text
        and "经认定的瞒报漏报1条" in text
        and "挂牌督办事项1项" in text
    )
    assert "截至2023年9月30日" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[1].cells] == [
        "上轮填报、本轮消失且无付款记录",
        str(ledger.debts["t1"]),
        "2023年9月30日",
        "台账删除该笔欠款但无付款记录，经核实属瞒报",
    ]
    flags = json.loads(z.read("经认定的瞒报漏报及差异.json"))
    assert [(f["flag_id"], f["debt_id"], f["finding"], f["ledger_status"]) for f in flags] == [
        (ledger.flags["t1"], ledger.debts["t1"], "认定瞒报漏报", "open")
    ]
    assert json.loads(z.read("台账报送快照.json")) == []
    events = list(csv.reader(io.StringIO(z.read("历史记录.csv").decode("utf-8-sig"))))
    assert events[0][3] == "操作" and any(
        row[1] == "debts" and row[2] == str(ledger.debts["t1"]) for row in events
    )
    assert any(row[1] == "accountability_supervisions" and row[3] == "opened" for row in events)
    assert any(row[1] == "accountability_flag_findings" and row[3] == "confirmed" for row in events)
    steps = list(csv.reader(io.StringIO(z.read("督办过程.csv").decode("utf-8-sig"))))
    assert [row[2] for row in steps[1:]] == ["opened"]


def test_hand_over_then_outcome(client, ledger):
    h = ledger.headers("office_a")
    item = prepare(client, ledger)
    r = client.post(
        f"{API}/{item['id']}/outcome", json={"outcome_on": "2023-09-30", "outcome": "x"}, headers=h
    )
    assert r.status_code == 409 and "尚未移送" in r.json["errors"]["status"][0]
    r = client.post(
        f"{API}/{item['id']}/hand-over",
        json={"handed_over_on": "2023-10-01", "received_by": "纪工委"},
        headers=h,
    )
    assert r.status_code == 409 and "handed_over_on" in r.json["errors"]
    r = client.post(
        f"{API}/{item['id']}/hand-over",
        json={"handed_over_on": "2023-09-29", "received_by": "景区纪工委王某"},
        headers=h,
    )
    assert r.status_code == 200 and (r.json["status"], r.json["received_by"]) == (
        "handed_over",
        "景区纪工委王某",
    )
    r = client.post(
        f"{API}/{item['id']}/outcome", json={"outcome_on": "2023-09-28", "outcome": "x"}, headers=h
    )
    assert r.status_code == 422 and "早于移送日期" in r.json["errors"]["outcome_on"][0]
    r = client.post(
        f"{API}/{item['id']}/outcome",
        json={"outcome_on": "2023-09-30", "outcome": "对相关责任人诫勉谈话"},
        headers=h,
    )
    assert r.status_code == 200 and r.json["status"] == "concluded"
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action).where(Event.entity_type == "accountability_referrals").order_by(Event.id)
        ).all()
    assert actions == ["prepared", "handed_over", "concluded"]
    page = client.get("/accountability/referrals", headers=h).get_data(as_text=True)
    assert "对相关责任人诫勉谈话" in page and "2023年9月29日移送景区纪工委王某" in page


def test_only_jurisdiction_wide_readers(client, ledger):
    item = prepare(client, ledger)
    for reader in ("leader_a", "auditor_a"):
        assert [x["id"] for x in client.get(API, headers=ledger.headers(reader)).json] == [item["id"]]
    for user in ("clerk_a1", "head_a1", "soe_a"):
        assert client.get(API, headers=ledger.headers(user)).status_code == 403
        assert client.get(f"{API}/{item['id']}/package.zip", headers=ledger.headers(user)).status_code == 403
    assert client.get(f"{API}/{item['id']}", headers=ledger.headers("office_b")).status_code == 404
    r = client.post(
        API, json={"unit_id": nid(ledger, "b.town1"), "basis": "x"}, headers=ledger.headers("office_a")
    )
    assert r.status_code == 404 and "unit_id" in r.json["errors"]


@needs_plugins("ledger")
def test_built_from_confirmed_findings_of_the_unit_only(client, ledger):
    h = ledger.headers("office_a")
    town2 = nid(ledger, "a.town2")
    # a.town2's flag is still 待核实: nothing to build from, and a.town1's finding is not a.town2's.
    body = {"unit_id": town2, "basis": "屡次逾期不整改", "finding_ids": [ledger.findings["t1"]["id"]]}
    r = client.post(API, json=body, headers=h)
    assert r.status_code == 404 and "finding_ids" in r.json["errors"]
    r = client.post(API, json={"unit_id": town2, "basis": "屡次逾期不整改"}, headers=h)
    assert r.status_code == 201 and r.json["finding_ids"] == []
    dismissed = confirm(client, ledger, ledger.flags["t2"], "已补录，属填报失误", finding="dismissed")
    body = {"unit_id": town2, "basis": "瞒报", "finding_ids": [dismissed["id"]]}
    r = client.post(API, json=body, headers=h)
    assert r.status_code == 404 and "finding_ids" in r.json["errors"]
    # The page offers the confirmed findings as the referral's basis and records the chosen ones.
    page = client.get("/accountability/referrals", headers=h).get_data(as_text=True)
    assert f'name="finding_ids" value="{ledger.findings["t1"]["id"]}"' in page
    assert f'name="finding_ids" value="{dismissed["id"]}"' not in page
    r = client.post(
        "/accountability/referrals",
        data={
            "unit_id": nid(ledger, "a.town1"),
            "basis": "瞒报",
            "finding_ids": [ledger.findings["t1"]["id"]],
        },
        headers=h,
    )
    assert r.status_code == 302
    got = client.get(API, headers=h).json[0]
    assert got["unit_id"] == nid(ledger, "a.town1") and got["finding_ids"] == [ledger.findings["t1"]["id"]]


@needs_plugins("ledger")
def test_a_finding_corrected_after_the_referral_stays_in_it_with_the_correction(client, ledger):
    item = prepare(client, ledger)
    h = ledger.headers("office_a")
    old = ledger.findings["t1"]
    r = client.post(
        f"/api/v1/accountability/flag-findings/{old['id']}/corrections",
        json={"finding": "dismissed", "note": "付款凭证真实", "reason": "财政局出具付款证明"},
        headers=h,
    )
    assert r.status_code == 201, r.json
    z = zipfile.ZipFile(io.BytesIO(client.get(f"{API}/{item['id']}/package.zip", headers=h).data))
    (flag,) = json.loads(z.read("经认定的瞒报漏报及差异.json"))
    assert flag["finding_id"] == old["id"] and flag["finding"] == "认定瞒报漏报"
    assert flag["corrected"] == {
        "finding_id": r.json["id"],
        "finding": "排除（不属瞒报漏报）",
        "decided_on": r.json["decided_on"],
        "decided_by": r.json["decided_by_name"],
        "reason": "财政局出具付款证明",
        "note": "付款凭证真实",
    }
    # A new referral can no longer be built on the corrected finding.
    body = {"unit_id": nid(ledger, "a.town1"), "basis": "瞒报", "finding_ids": [old["id"]]}
    r = client.post(API, json=body, headers=h)  # no longer among the unit's findings in force: 404 naming it
    assert r.status_code == 404 and "finding_ids" in r.json["errors"]
