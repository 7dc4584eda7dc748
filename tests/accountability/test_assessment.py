"""Assessment (issue 17, point 5): the default scorecard recomputed by hand from the fixtures, explained
item by item; an SOE group's subsidiaries; frozen once per period; .xlsx; scope."""

from __future__ import annotations

import io

import openpyxl

from core.extensions import db
from core.tenancy.scope import system_scope
from tests.accountability.conftest import FIGURE_SOURCES, nid
from tests.conftest import needs_plugins

API = "/api/v1/accountability/assessments"


@needs_plugins(*FIGURE_SOURCES)
def test_scores_by_hand(client, ledger):
    r = client.get(f"{API}/preview?period_end=2023-09-30", headers=ledger.headers("office_a"))
    assert r.status_code == 200, r.json
    got = r.json
    assert got["full_marks"] == "100.00" and [c["weight"] for c in got["scorecard"]] == [
        "40.00",
        "15.00",
        "15.00",
        "10.00",
        "10.00",
        "10.00",
    ]
    scores = [(row["rank"], row["unit_name"], row["score"]) for row in got["rows"]]
    # 甲二镇: cleared 100% ≥ 60% (40) + reported on time (15) + its installment paid (15) + 1 of 2 complaints
    # late (5) + no flags (10) + no supervision due (10) = 95. 甲旅游集团: 50%/60% of 40 = 33.33 + late (7.50)
    # + 15 + 10 + 10 + 10 = 85.83. 甲一镇: 33.33%/60% of 40 = 22.22 + unreported 0 + installment unpaid 0 +
    # its complaint late 0 + confirmed concealment 0 + 10 = 32.22.
    assert scores == [
        (1, "甲二镇人民政府", "95.00"),
        (2, "甲旅游集团", "85.83"),
        (3, "甲一镇人民政府", "32.22"),
    ]
    town1 = {i["metric"]: (i["points"], i["detail"]) for i in got["rows"][2]["items"]}
    assert town1["clearance_vs_milestone"] == ("22.22", "清偿率33.33%，进度目标60.00%")
    assert town1["ledger_timeliness"] == ("0.00", "2023年台账摸排：未报送")
    assert town1["agreements_on_time"] == ("0.00", "到期分期1期，已付清0期")
    assert town1["concealment"] == ("0.00", "2023年经认定的瞒报漏报1条")
    # 甲二镇's flag is still 待核实; 甲旅游集团's was resolved in the ledger with no finding: neither counts.
    assert got["rows"][0]["items"][4]["detail"] == "2023年无经认定的瞒报漏报"


def test_an_soe_group_assesses_its_subsidiaries(client, ledger):
    soe = nid(ledger, "a.soe")
    r = client.get(f"{API}/preview?period_end=2023-09-30&group_id={soe}", headers=ledger.headers("soe_a"))
    assert r.status_code == 200, r.json
    assert [(row["unit_name"], row["score"]) for row in r.json["rows"]] == [("甲旅游集团酒店公司", "100.00")]
    r = client.get(f"{API}/preview?group_id={nid(ledger, 'a.town1')}", headers=ledger.headers("office_a"))
    assert r.status_code == 404 and "group_id" in r.json["errors"]  # a township is no SOE group
    r = client.post(API, json={"period_end": "2023-09-30", "group_id": soe}, headers=ledger.headers("soe_a"))
    assert r.status_code == 201, r.json
    # The office's own assessment is not the group's to read, and the group's is not a township's.
    office = client.post(API, json={"period_end": "2023-09-30"}, headers=ledger.headers("office_a")).json
    assert [x["group_id"] for x in client.get(API, headers=ledger.headers("soe_a")).json] == [soe]
    assert client.get(f"{API}/{office['id']}", headers=ledger.headers("soe_a")).status_code == 404
    assert len(client.get(API, headers=ledger.headers("leader_a")).json) == 2
    assert client.get(API, headers=ledger.headers("clerk_a1")).status_code == 403


@needs_plugins(*FIGURE_SOURCES)
def test_frozen_once_per_period_and_exported(client, ledger):
    h = ledger.headers("office_a")
    r = client.post(API, json={"period_end": "2023-10-01"}, headers=h)
    assert r.status_code == 409 and "不能晚于今天" in r.json["errors"]["period_end"][0]
    snap = client.post(API, json={"period_end": "2023-09-30"}, headers=h)
    assert snap.status_code == 201 and snap.json["rows"][0]["score"] == "95.00"
    again = client.post(API, json={"period_end": "2023-09-30"}, headers=h)
    assert again.status_code == 409 and "已固定" in again.json["errors"]["period_end"][0]
    # Later facts do not change a frozen result: the township reports its ledger.
    from plugins.ledger.rounds.models import Submission

    with system_scope():
        rnd = db.session.scalar(db.select(Submission.round_id))
        db.session.add(
            Submission(jurisdiction_id=nid(ledger, "a"), unit_id=nid(ledger, "a.town1"), round_id=rnd)
        )
        db.session.commit()
    live = client.get(f"{API}/preview?period_end=2023-09-30", headers=h).json
    assert next(r for r in live["rows"] if r["unit_name"] == "甲一镇人民政府")["score"] == "47.22"
    frozen = client.get(f"{API}/{snap.json['id']}", headers=h).json
    assert next(r for r in frozen["rows"] if r["unit_name"] == "甲一镇人民政府")["score"] == "32.22"
    x = client.get(f"{API}/{snap.json['id']}/export.xlsx", headers=h)
    assert x.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(x.data))
    rows = list(book["考核得分"].iter_rows(values_only=True))
    body = {row[1]: row[-1] for row in rows[3:]}
    assert body == {"甲二镇人民政府": 95, "甲旅游集团": 85.83, "甲一镇人民政府": 32.22}
    detail = list(book["得分说明"].iter_rows(values_only=True))
    assert ("甲一镇人民政府", "台账按时报送", 15, 0, 0, "2023年台账摸排：未报送") in detail


@needs_plugins(*FIGURE_SOURCES)
def test_page_explains_and_freezes(client, ledger):
    h = ledger.headers("office_a")
    page = client.get("/accountability/assessments?period_end=2023-09-30", headers=h).get_data(as_text=True)
    assert (
        "得分说明" in page and "甲一镇人民政府：32.22 分" in page and "清偿率33.33%，进度目标60.00%" in page
    )
    r = client.post("/accountability/assessments", data={"period_end": "2023-09-30"}, headers=h)
    assert r.status_code == 302
    assert "/export.xlsx" in client.get("/accountability/assessments", headers=h).get_data(as_text=True)
