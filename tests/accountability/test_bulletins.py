"""Bulletins (issue 17, point 1): tables from live data checked by hand and against the ledger API,
numbering per year from the plan's prefix, issued bulletins frozen, corrections, Word/Excel, 已阅."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from core.extensions import db
from core.models.event import Event
from core.tenancy.scope import system_scope
from plugins.accountability.bulletins.models import Bulletin, BulletinFrozen
from tests.accountability.conftest import FIGURE_SOURCES, nid
from tests.conftest import needs_plugins

API = "/api/v1/accountability/bulletins"


def create(client, world, **body) -> dict:
    r = client.post(API, json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json


def issue(client, world, bulletin_id: int) -> dict:
    r = client.post(f"{API}/{bulletin_id}/issue", headers=world.headers("office_a"))
    assert r.status_code == 200, r.json
    return r.json


def section(bulletin: dict, key: str) -> dict:
    return next(s for s in bulletin["sections"] if s["key"] == key)


def test_sections_follow_the_plugins_of_this_run(client, ledger):
    """A bulletin has the ranking and the supervision table always; the other tables only when the plugin
    that owns their records is part of the run (QINGQIAN_PLUGINS), and then the Word file still opens."""
    from docx import Document

    from tests.conftest import INSTALLED_PLUGINS

    expected = ["clearance"]
    expected += ["reporting"] if "ledger" in INSTALLED_PLUGINS else []
    expected += ["installments"] if "agreements" in INSTALLED_PLUGINS else []
    expected += ["complaints"] if "complaints" in INSTALLED_PLUGINS else []
    expected += ["flags"] if "ledger" in INSTALLED_PLUGINS else []
    b = create(client, ledger)
    assert [s["key"] for s in b["sections"]] == [*expected, "supervisions"]
    clearance = section(b, "clearance")
    assert clearance["total"]["owed"] == "200000.00" and clearance["total"]["cleared"] == "105000.00"
    r = client.get(f"{API}/{b['id']}/export.docx", headers=ledger.headers("office_a"))
    assert r.status_code == 200
    ranking = Document(io.BytesIO(r.data)).tables[0]
    assert [c.text for c in ranking.rows[-1].cells][:5] == ["合计", "", "20.00", "10.50", "9.50"]


@needs_plugins(*FIGURE_SOURCES)
def test_tables_by_hand_and_equal_to_the_ledger_api(client, ledger):
    b = create(client, ledger)
    assert b["status"] == "draft" and b["doc_no"] is None and b["period_end"] == "2023-09-30"
    clearance = section(b, "clearance")
    got = [
        (
            r["rank"],
            r["unit_name"],
            r["owed"],
            r["cleared"],
            r["outstanding"],
            r["ratio"],
            r["target"],
            r["gap"],
        )
        for r in clearance["rows"]
    ]
    assert got == [
        (1, "甲二镇人民政府", "50000.00", "50000.00", "0.00", "1.0000", "0.6000", "40.00"),
        (2, "甲旅游集团", "30000.00", "15000.00", "15000.00", "0.5000", "0.6000", "-10.00"),
        (3, "甲一镇人民政府", "120000.00", "40000.00", "80000.00", "0.3333", "0.6000", "-26.67"),
    ]
    total = clearance["total"]
    assert (total["rank"], total["owed"], total["cleared"], total["outstanding"], total["ratio"]) == (
        "合计",
        "200000.00",
        "105000.00",
        "95000.00",
        "0.5250",
    )
    assert clearance["behind"] == ["甲旅游集团", "甲一镇人民政府"]
    assert "甲旅游集团、甲一镇人民政府清偿进度落后" in b["intro"]
    # The same figures, to the fen, as the ledger's dashboard API gives the office.
    dash = client.get("/api/v1/dashboard", headers=ledger.headers("office_a")).json
    by_id = {u["unit_id"]: u for u in dash["by_unit"]}
    for row in clearance["rows"]:
        unit = by_id[row["unit_id"]]
        assert (Decimal(unit["owed"]), Decimal(unit["cleared"])) == (
            Decimal(row["owed"]),
            Decimal(row["cleared"]),
        )
    assert Decimal(dash["totals"]["owed"]) == Decimal(total["owed"])

    installments = section(b, "installments")
    assert [(r["unit_name"], r["seq"], r["amount"], r["left"], r["days"]) for r in installments["rows"]] == [
        ("甲一镇人民政府", 1, "30000.00", "20000.00", 30)
    ]
    assert (installments["total"]["amount"], installments["total"]["left"]) == ("30000.00", "20000.00")
    # ... and the agreements API: installments due before the bulletin's date and not paid in full.
    h = ledger.headers("office_a")
    listed = client.get("/api/v1/agreements/agreements", headers=h).json
    late = [
        i
        for a in listed
        for i in a["installments"]
        if i["due_on"] < b["period_end"] and Decimal(i["amount"]) > Decimal(i["paid_amount"])
    ]
    assert sorted(i["id"] for i in late) == [r["installment_id"] for r in installments["rows"]]
    assert sum(Decimal(i["amount"]) - Decimal(i["paid_amount"]) for i in late) == Decimal(
        installments["total"]["left"]
    )

    complaints = section(b, "complaints")
    assert [(r["tracking_code"], r["stage"], r["days"], r["amount"]) for r in complaints["rows"]] == [
        ("ACC00001", "超期未转办", 20, "5000.00"),
        ("ACC00002", "超期未办结", 1, "8000.00"),
    ]
    assert complaints["total"]["amount"] == "13000.00"
    # ... and the complaints API's own "overdue" filter, case by case and to the fen.
    overdue = client.get("/api/v1/complaints?overdue=1", headers=h).json
    assert sorted(c["tracking_code"] for c in overdue) == ["ACC00001", "ACC00002"]
    assert sum(Decimal(c["amount"]) for c in overdue) == Decimal(complaints["total"]["amount"])

    reporting = section(b, "reporting")
    assert {r["unit_name"]: (r["state"], r["submitted_on"]) for r in reporting["rows"]} == {
        "甲一镇人民政府": ("未报送", None),
        "甲旅游集团": ("迟报", "2023-08-28"),
    }
    assert "应报 3 个单位，未报 1 个，迟报 1 个" in reporting["note"]

    flags = section(b, "flags")
    assert [(r["unit_name"], r["amount"]) for r in flags["rows"]] == [("甲一镇人民政府", "100000.00")]
    # Only the flag the office confirmed, as the ledger and the findings APIs list it.
    confirmed = client.get("/api/v1/accountability/flag-findings?finding=confirmed", headers=h).json
    assert [f["debt_id"] for f in confirmed] == [ledger.debts["t1"]]
    raised = client.get("/api/v1/ledger/flags", headers=h).json
    assert {f["id"] for f in raised} == set(ledger.flags.values()) and len(raised) == 3
    debt = client.get(f"/api/v1/debts/{ledger.debts['t1']}", headers=h).json
    assert Decimal(debt["amount_owed"]) == Decimal(flags["total"]["amount"])


def test_milestones_follow_the_plan(client, ledger, app):
    import datetime as dt

    from plugins.accountability.bulletins.figures import milestone
    from tests.accountability.conftest import PLAN

    assert milestone(PLAN, dt.date(2023, 8, 30)) is None
    assert milestone(PLAN, dt.date(2023, 8, 31)) == Decimal("0.40")
    assert milestone(PLAN, dt.date(2023, 11, 1)) == Decimal("1.00")
    b = create(client, ledger, period_end="2023-08-31")
    assert {r["unit_name"]: r["gap"] for r in section(b, "clearance")["rows"]}["甲一镇人民政府"] == "-6.67"


def test_issue_numbers_per_year_freezes_and_distributes(client, ledger, app):
    first = issue(client, ledger, create(client, ledger)["id"])
    assert first["doc_no"] == "甲清欠办通报〔2023〕1号" and first["issued_on"] == "2023-09-30"
    assert sorted(r["unit_name"] for r in first["recipients"]) == [
        "甲一镇人民政府",
        "甲二镇人民政府",
        "甲旅游集团",
    ]
    assert len(first["unread"]) == 3
    second = issue(client, ledger, create(client, ledger)["id"])
    assert second["doc_no"] == "甲清欠办通报〔2023〕2号"
    # Issued means frozen: the API refuses, the ORM refuses, nothing changes.
    h = ledger.headers("office_a")
    r = client.patch(f"{API}/{first['id']}", json={"title": "改标题"}, headers=h)
    assert r.status_code == 409 and "不能修改" in r.json["errors"]["status"][0]
    assert client.post(f"{API}/{first['id']}/issue", headers=h).status_code == 409
    with system_scope():
        row = db.session.get(Bulletin, first["id"])
        row.intro = "偷偷改"
        with pytest.raises(BulletinFrozen):
            db.session.flush()
        db.session.rollback()
    assert client.get(f"{API}/{first['id']}", headers=h).json["title"] == first["title"]
    # A new year starts again at 1.
    app.config["CLOCK_NOW"] = "2024-01-02T02:00:00"
    third = issue(client, ledger, create(client, ledger)["id"])
    assert third["doc_no"] == "甲清欠办通报〔2024〕1号"
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action)
            .where(Event.entity_type == "accountability_bulletins", Event.entity_id == first["id"])
            .order_by(Event.id)
        ).all()
    assert actions == ["drafted", "issued"]


def test_draft_edits_and_regenerates_from_live_data(client, ledger):
    from tests.accountability.conftest import add_debt

    h = ledger.headers("office_a")
    b = create(client, ledger)
    r = client.patch(f"{API}/{b['id']}", json={"intro": "新的开头", "cc": "县委办、县政府办"}, headers=h)
    assert r.status_code == 200 and r.json["intro"] == "新的开头" and r.json["cc"] == "县委办、县政府办"
    add_debt(client, ledger, "a.town2", 9, "50000.00")
    r = client.patch(f"{API}/{b['id']}", json={"regenerate": True}, headers=h)
    town2 = next(row for row in section(r.json, "clearance")["rows"] if row["unit_name"] == "甲二镇人民政府")
    assert (town2["owed"], town2["ratio"]) == ("100000.00", "0.5000")
    assert r.json["intro"] == "新的开头"  # the narrative stays


def test_correction_cites_the_old(client, ledger):
    h = ledger.headers("office_a")
    old = issue(client, ledger, create(client, ledger)["id"])
    r = client.post(API, json={"corrects_id": create(client, ledger)["id"]}, headers=h)
    assert r.status_code == 409 and "只能更正已印发的通报" in r.json["errors"]["corrects_id"][0]
    fix = create(client, ledger, corrects_id=old["id"])
    assert fix["corrects_id"] == old["id"] and old["doc_no"] in fix["intro"] and "更正" in fix["title"]
    fix = issue(client, ledger, fix["id"])
    assert fix["doc_no"] == "甲清欠办通报〔2023〕2号"
    again = client.get(f"{API}/{old['id']}", headers=h).json
    assert again["corrected_by"] == [fix["id"]] and again["doc_no"] == old["doc_no"]
    page = client.get(f"/accountability/bulletins/{old['id']}", headers=h).get_data(as_text=True)
    assert "本通报已被" in page and fix["doc_no"] in page


@needs_plugins(*FIGURE_SOURCES)
def test_word_and_excel(client, ledger):
    import openpyxl
    from docx import Document

    h = ledger.headers("office_a")
    b = issue(client, ledger, create(client, ledger)["id"])
    r = client.get(f"{API}/{b['id']}/export.docx", headers=h)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    doc = Document(io.BytesIO(r.data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "甲清欠办通报〔2023〕1号"
    assert texts[1] == "关于截至2023年9月30日清欠工作进展情况的通报"
    assert "甲风景区清欠办" in texts and "2023年9月30日" in texts and "抄送：市清欠办" in texts
    ranking = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert ranking[0][2] == "欠款总额（万元）"
    assert ranking[3] == ["3", "甲一镇人民政府", "12.00", "4.00", "8.00", "33.33%", "60.00%", "-26.67"]
    assert ranking[-1] == ["合计", "", "20.00", "10.50", "9.50", "52.50%", "60.00%", "—"]
    totals = [[c.text for c in t.rows[-1].cells] for t in doc.tables]
    assert all(row[0] == "合计" for row in totals if row[0] not in ("甲一镇人民政府", "甲旅游集团"))
    installments = [[c.text for c in row.cells] for row in doc.tables[2].rows]
    assert installments[-1] == ["合计", "1期", "", "", "3.00", "2.00", ""]

    r = client.get(f"{API}/{b['id']}/export.xlsx", headers=h)
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0].startswith("甲清欠办通报〔2023〕1号")
    total = next(row for row in rows if row[0] == "合计")
    assert [Decimal(str(v)) for v in total[2:5]] == [Decimal("200000"), Decimal("105000"), Decimal("95000")]
    body = {row[1]: row[2:5] for row in rows[3:] if isinstance(row[0], int)}
    assert [Decimal(str(v)) for v in body["甲一镇人民政府"]] == [
        Decimal("120000"),
        Decimal("40000"),
        Decimal("80000"),
    ]


def test_units_read_what_was_sent_to_them_and_acknowledge(client, ledger):
    h = ledger.headers("office_a")
    draft = create(client, ledger)
    b = issue(
        client,
        ledger,
        create(client, ledger, recipient_ids=[nid(ledger, "a.town1"), nid(ledger, "a.soe")])["id"],
    )
    # A unit sees only issued bulletins sent to it: never drafts, never others'.
    assert [x["id"] for x in client.get(API, headers=ledger.headers("clerk_a1")).json] == [b["id"]]
    assert client.get(f"{API}/{draft['id']}", headers=ledger.headers("clerk_a1")).status_code == 404
    assert client.get(API, headers=ledger.headers("clerk_a2")).json == []
    assert client.get(f"{API}/{b['id']}", headers=ledger.headers("clerk_a2")).status_code == 404
    assert client.post(f"{API}/{b['id']}/acknowledge", headers=ledger.headers("clerk_a2")).status_code == 404
    # Unread before; 已阅 records who and when, once.
    unread = client.get(f"{API}?unread=true", headers=ledger.headers("clerk_a1")).json
    assert [x["id"] for x in unread] == [b["id"]]
    r = client.post(f"{API}/{b['id']}/acknowledge", headers=ledger.headers("clerk_a1"))
    assert r.status_code == 200 and r.json[0]["read_by_name"] == "clerk_a1" and r.json[0]["read_at"]
    first_read = r.json[0]["read_at"]
    r = client.post(f"{API}/{b['id']}/acknowledge", headers=ledger.headers("head_a1"))
    assert r.json[0]["read_at"] == first_read and r.json[0]["read_by_name"] == "clerk_a1"
    assert client.get(f"{API}?unread=true", headers=ledger.headers("clerk_a1")).json == []
    # The office sees who has not read it; leaders and auditors read everything, change nothing.
    detail = client.get(f"{API}/{b['id']}", headers=h).json
    assert [u["unit_name"] for u in detail["unread"]] == ["甲旅游集团"]
    page = client.get(f"/accountability/bulletins/{b['id']}", headers=h).get_data(as_text=True)
    assert 'data-key="unread">1<' in page and "甲旅游集团" in page
    for reader in ("leader_a", "auditor_a"):
        assert len(client.get(API, headers=ledger.headers(reader)).json) == 2
        assert client.post(API, json={}, headers=ledger.headers(reader)).status_code == 403
    assert client.post(f"{API}/{b['id']}/acknowledge", headers=h).status_code == 403
    with system_scope():
        events = db.session.execute(
            db.select(Event.action, Event.unit_id, Event.actor_id).where(
                Event.entity_type == "accountability_bulletins", Event.entity_id == b["id"]
            )
        ).all()
    assert ("acknowledged", nid(ledger, "a.town1"), ledger.users["clerk_a1"].id) in events


def test_bad_requests_are_refused_and_write_nothing(client, ledger):
    h = ledger.headers("office_a")
    r = client.post(API, json={"period_end": "2023-10-01"}, headers=h)
    assert r.status_code == 409 and "不能晚于今天" in r.json["errors"]["period_end"][0]
    r = client.post(API, json={"recipient_ids": [nid(ledger, "b.town1")]}, headers=h)
    assert r.status_code == 404 and "recipient_ids" in r.json["errors"]
    r = client.post(API, json={"period_end": "not a date"}, headers=h)
    assert r.status_code == 422 and "period_end" in r.json["errors"]
    assert client.get(API, headers=h).json == []
    assert client.post(API, json={}, headers=ledger.headers("clerk_a1")).status_code == 403
    assert client.get(API, headers=ledger.headers("office_b")).status_code == 404


def test_office_and_unit_pages(client, ledger):
    h = ledger.headers("office_a")
    r = client.post("/accountability/bulletins", data={"period_end": "2023-09-30"}, headers=h)
    assert r.status_code == 302
    bulletin_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/accountability/bulletins/{bulletin_id}", headers=h).get_data(as_text=True)
    assert "（草稿，印发时编号）" in page and "各单位清偿进度排名" in page and "12.00" in page
    r = client.post(
        f"/accountability/bulletins/{bulletin_id}/edit",
        data={"title": "九月通报", "intro": "开头", "closing": "结尾", "cc": "市清欠办"},
        headers=h,
    )
    assert r.status_code == 302
    assert client.post(f"/accountability/bulletins/{bulletin_id}/issue", headers=h).status_code == 302
    listing = client.get("/accountability/bulletins", headers=h).get_data(as_text=True)
    assert "甲清欠办通报〔2023〕1号" in listing and "九月通报" in listing
    unit = client.get("/accountability/bulletins", headers=ledger.headers("clerk_a1")).get_data(as_text=True)
    assert "未阅" in unit and "生成通报草稿" not in unit
    r = client.post(
        f"/accountability/bulletins/{bulletin_id}/acknowledge", headers=ledger.headers("clerk_a1")
    )
    assert r.status_code == 302
    unit = client.get("/accountability/bulletins", headers=ledger.headers("clerk_a1")).get_data(as_text=True)
    assert "未阅" not in unit


def test_templates_have_no_inline_script_or_handlers():
    """The content security policy allows scripts from our origin only: no inline code in our pages."""
    import re
    from pathlib import Path

    import plugins.accountability as package

    templates = list((Path(package.__file__).parent / "templates").rglob("*.html"))
    assert templates
    for path in templates:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), path
        assert not re.search(r"\son[a-z]+\s*=", source, re.IGNORECASE), path


@pytest.mark.postgres
def test_the_database_refuses_changing_an_issued_bulletin(client, ledger):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    b = issue(client, ledger, create(client, ledger)["id"])
    draft = create(client, ledger)
    with system_scope():
        db.session.execute(
            text("UPDATE accountability_bulletins SET intro = 'x' WHERE id = :id"), {"id": draft["id"]}
        )
        db.session.commit()
        with pytest.raises(DBAPIError):
            db.session.execute(
                text("UPDATE accountability_bulletins SET intro = 'x' WHERE id = :id"), {"id": b["id"]}
            )
        db.session.rollback()
        with pytest.raises(DBAPIError):
            db.session.execute(text("DELETE FROM accountability_bulletins WHERE id = :id"), {"id": b["id"]})
        db.session.rollback()


def test_dashboard_widget_shows_unread(client, ledger):
    b = issue(client, ledger, create(client, ledger)["id"])
    unit = client.get("/", headers=ledger.headers("clerk_a1")).get_data(as_text=True)
    assert 'data-key="bulletin_unread">1<' in unit and b["doc_no"] in unit
    office = client.get("/", headers=ledger.headers("office_a")).get_data(as_text=True)
    assert 'data-key="bulletin_missing">3<' in office
    client.post(f"{API}/{b['id']}/acknowledge", headers=ledger.headers("clerk_a1"))
    unit = client.get("/", headers=ledger.headers("clerk_a1")).get_data(as_text=True)
    assert 'data-key="bulletin_unread">0<' in unit
    office = client.get("/", headers=ledger.headers("office_a")).get_data(as_text=True)
    assert 'data-key="bulletin_missing">2<' in office
