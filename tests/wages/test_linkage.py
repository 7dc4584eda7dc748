"""Migrant-worker wage linkage: the projects register and the 人社 cases imported from messy sheets,
matching, the 涉薪 flag and wage part, wage first, labour-cost share checks and the advance, by hand."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from core.extensions import db
from core.models.debt import Debt
from core.tenancy.scope import system_scope
from plugins.wages.linkage import cases as case_service
from plugins.wages.linkage.models import WageProject
from plugins.wages.linkage.payments import Advance, labour_share_due
from tests.wages.conftest import (
    CASE_SHEET,
    HONGDA,
    HONGDA_CODE,
    JINBEI,
    PROJECT_SHEET,
    import_projects,
    upload,
)


def test_project_import_preview_reconciles_and_lands_nothing(client, ledger):
    r = upload(client, ledger, "projects", PROJECT_SHEET, dry_run=True)
    assert r.status_code == 200, r.json
    s = r.json["summary"]
    # 6 rows read = 2 new + 2 with errors + 1 duplicate + 1 blank.
    assert (s["read"], s["accepted"], s["rejected"], s["duplicates"], s["skipped"]) == (6, 2, 2, 1, 1)
    # Deposits: 125,000 + 80,000 land; 30,000 (unknown unit) + 10,000 (duplicate) refused; "abc" is no money.
    assert (s["money_in_file"], s["money_accepted"], s["money_refused"]) == (
        "245000.00",
        "205000.00",
        "40000.00",
    )
    rows = {row["row"]: row for row in r.json["rows"]}
    assert rows[3]["values"]["wage_account_masked"] == "****6789"
    assert rows[3]["values"]["labour_share_percent"] == "20.00" and rows[3]["values"]["workforce"] == 45
    assert (
        rows[4]["values"]["labour_share_percent"] == "25.00"
        and rows[4]["values"]["wage_deposit"] == "80000.00"
    )
    assert rows[6]["outcome"] == "rejected" and "不存在镇" in rows[6]["errors"]["unit"][0]
    assert rows[7]["outcome"] == "duplicate"
    assert set(rows[8]["errors"]) == {"labour_share", "wage_deposit"}
    assert client.get("/api/v1/wages/projects", headers=ledger.headers("office_a")).json == []


def test_project_import_links_the_works_debts(client, ledger):
    projects = import_projects(client, ledger)
    assert set(projects) == {"景区道路维修工程", "游客中心改造工程"}
    road = projects["景区道路维修工程"]
    assert road["contractor_credit_code"] == HONGDA_CODE and road["contractor_id"] is not None
    assert [d["id"] for d in road["debts"]] == [ledger.debts["road"]]
    assert [d["id"] for d in projects["游客中心改造工程"]["debts"]] == [ledger.debts["centre"]]
    # Importing the same sheet again adds nothing: both projects are duplicates now.
    again = upload(client, ledger, "projects", PROJECT_SHEET, dry_run=False).json["summary"]
    assert (again["accepted"], again["duplicates"]) == (0, 3)


def test_unreadable_upload_is_a_clear_422(client, ledger):
    r = client.post(
        "/api/v1/wages/cases/imports",
        data={"file": (io.BytesIO(b"not a spreadsheet"), "cases.xlsx"), "dry_run": "false"},
        headers=ledger.headers("office_a"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "file" in r.json["errors"]
    r = upload(client, ledger, "cases", [["姓名", "电话"], ["张三", "1"]], dry_run=True)
    assert r.status_code == 422 and "表头" in r.json["errors"]["file"][0]


def test_cases_match_by_code_and_name_and_flag_the_debt(client, ledger):
    import_projects(client, ledger)
    r = upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    assert r.status_code == 201, r.json
    s = r.json["summary"]
    assert (s["read"], s["accepted"], s["rejected"], s["duplicates"], s["skipped"]) == (5, 3, 1, 1, 0)
    # 36,000 + 50,000 + 25,000 land; the repeated RS-001 (36,000) is refused; "-100" is no money.
    assert (s["money_in_file"], s["money_accepted"], s["money_refused"]) == (
        "147000.00",
        "111000.00",
        "36000.00",
    )
    h = ledger.headers("office_a")
    cases = {c["case_no"]: c for c in client.get("/api/v1/wages/cases", headers=h).json}
    assert cases["RS-001"]["status"] == "linked" and cases["RS-001"]["debt_id"] == ledger.debts["road"]
    assert cases["RS-002"]["status"] == "linked" and cases["RS-002"]["debt_id"] == ledger.debts["park"]
    assert cases["RS-003"]["status"] == "unmatched" and cases["RS-003"]["debt_id"] is None
    unmatched = client.get("/api/v1/wages/cases?status=unmatched", headers=h).json
    assert [c["case_no"] for c in unmatched] == ["RS-003"]
    road = client.get(f"/api/v1/debts/{ledger.debts['road']}", headers=h).json
    # Nothing paid in wages yet: the wage part becomes the case's 36,000.
    assert road["migrant_wages"] is True and road["migrant_wage_amount"] == "36000.00"
    park = client.get(f"/api/v1/debts/{ledger.debts['park']}", headers=h).json
    # The case says 50,000 but the debt is 40,000: the wage part cannot exceed what is owed.
    assert park["migrant_wages"] is True and park["migrant_wage_amount"] == "40000.00"
    # The core debt filter finds the flagged debts (涉薪) and only them.
    flagged = client.get("/api/v1/debts?migrant_wages=true", headers=h).json
    assert sorted(d["id"] for d in flagged) == sorted([ledger.debts["road"], ledger.debts["park"]])


def test_wage_first_on_a_linked_debt(client, ledger):
    import_projects(client, ledger)
    upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    h = ledger.headers("office_a")
    debt_id = ledger.debts["road"]
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": "2023-07-01", "amount": "50000.00", "wage_amount": "10000.00"},
        headers=h,
    )
    assert r.status_code == 422 and "wage_amount" in r.json["errors"]
    # The plugin's own rule, by hand: 36,000 wages left, a 50,000 payment must carry min(50,000, 36,000).
    with system_scope():
        debt = db.session.get(Debt, debt_id)
        issues = case_service.wage_first_issues(
            debt, {"amount": Decimal("50000"), "wage_amount": Decimal("35999.99")}
        )
        assert issues and "36000.00" in issues[0].message
        assert (
            case_service.wage_first_issues(
                debt, {"amount": Decimal("20000"), "wage_amount": Decimal("20000")}
            )
            == []
        )


def test_labour_share_due_by_hand():
    percent = WageProject(labour_share_percent=Decimal("20"))
    assert labour_share_due(percent, Decimal("33333.33")) == Decimal("6666.67")
    fixed = WageProject(labour_share_amount=Decimal("15000.00"))
    assert labour_share_due(fixed, Decimal("40000")) == Decimal("15000.00")
    assert labour_share_due(fixed, Decimal("9000")) == Decimal("9000")
    assert labour_share_due(WageProject(), Decimal("9000")) == Decimal("0.00")
    assert Advance(Decimal("25000"), Decimal("10000"), True).amount == Decimal("10000")
    assert Advance(Decimal("8000"), Decimal("60000"), True).amount == Decimal("8000")


def test_wage_account_payments_and_the_advance(client, ledger):
    projects = import_projects(client, ledger)
    upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    h = ledger.headers("office_a")
    road, centre = projects["景区道路维修工程"]["id"], projects["游客中心改造工程"]["id"]
    # Road: 80,000 paid, 36,000 of it wages; 20% labour share = 16,000 but only 5,000 reached the account.
    r = client.post(
        f"/api/v1/wages/projects/{road}/payments",
        json={
            "debt_id": ledger.debts["road"],
            "paid_on": "2023-07-01",
            "amount": "80000.00",
            "wage_amount": "36000.00",
            "to_wage_account": "5000.00",
        },
        headers=h,
    )
    assert r.status_code == 201, r.json
    assert (r.json["labour_share_due"], r.json["to_wage_account"], r.json["bypassed"]) == (
        "16000.00",
        "5000.00",
        True,
    )
    rs1 = next(c for c in client.get("/api/v1/wages/cases", headers=h).json if c["case_no"] == "RS-001")
    assert (rs1["status"], rs1["cleared_on"]) == ("cleared", "2023-07-01")
    # Visitor centre: 50,000 paid before any wage case (25% = 12,500, all to the account).
    r = client.post(
        f"/api/v1/wages/projects/{centre}/payments",
        json={
            "debt_id": ledger.debts["centre"],
            "paid_on": "2023-07-02",
            "amount": "50000.00",
            "to_wage_account": "12500.00",
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json["bypassed"] is False, r.json
    # RS-003 (25,000) linked by hand to the visitor centre debt: wage part 25,000, 10,000 works unpaid.
    rs3 = next(c for c in client.get("/api/v1/wages/cases", headers=h).json if c["case_no"] == "RS-003")
    r = client.post(
        f"/api/v1/wages/cases/{rs3['id']}/link", json={"debt_id": ledger.debts["centre"]}, headers=h
    )
    assert r.status_code == 200 and r.json["status"] == "linked", r.json
    advance = client.get(f"/api/v1/wages/projects/{centre}", headers=h).json["advance"]
    assert (advance["wage_arrears"], advance["works_unpaid"], advance["amount"]) == (
        "25000.00",
        "10000.00",
        "10000.00",
    )
    assert advance["late"] is True
    too_much = {
        "debt_id": ledger.debts["centre"],
        "paid_on": "2023-07-03",
        "amount": "12000.00",
        "kind": "advance",
    }
    r = client.post(f"/api/v1/wages/projects/{centre}/payments", json=too_much, headers=h)
    assert r.status_code == 422 and "10000.00" in r.json["errors"]["amount"][0]
    r = client.post(
        f"/api/v1/wages/projects/{centre}/payments", json={**too_much, "amount": "10000.00"}, headers=h
    )
    assert r.status_code == 201, r.json
    assert (r.json["kind"], r.json["wage_amount"], r.json["bypassed"]) == ("advance", "10000.00", False)
    detail = client.get(f"/api/v1/wages/projects/{centre}", headers=h).json
    assert detail["advance"]["amount"] == "0.00" and detail["debts"][0]["outstanding"] == "0.00"
    assert client.get(f"/api/v1/wages/cases/{rs3['id']}", headers=h).json["status"] == "cleared"


def test_units_see_only_their_projects_and_cases(client, ledger):
    projects = import_projects(client, ledger)
    upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    road = projects["景区道路维修工程"]["id"]
    assert client.get(f"/api/v1/wages/projects/{road}", headers=ledger.headers("clerk_a1")).status_code == 200
    for outsider in ("clerk_a2", "clerk_b1", "office_b"):
        assert (
            client.get(f"/api/v1/wages/projects/{road}", headers=ledger.headers(outsider)).status_code == 404
        )
    assert client.get("/api/v1/wages/projects", headers=ledger.headers("clerk_a2")).json == []
    # Jurisdiction B does not enable the plugin: its routes do not exist there.
    assert client.get("/api/v1/wages/projects", headers=ledger.headers("office_b")).status_code == 404
    # The unmatched case stays with the office; a.town1 sees its linked case, a.town2 its own.
    assert [
        c["case_no"] for c in client.get("/api/v1/wages/cases", headers=ledger.headers("clerk_a1")).json
    ] == ["RS-001"]
    assert [
        c["case_no"] for c in client.get("/api/v1/wages/cases", headers=ledger.headers("clerk_a2")).json
    ] == ["RS-002"]
    # Imports are the office's.
    assert upload(client, ledger, "cases", CASE_SHEET, dry_run=True, user="clerk_a1").status_code == 403


def test_figures_in_the_widget_and_the_progress_report(client, ledger):
    import_projects(client, ledger)
    upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    h = ledger.headers("office_a")
    road = next(p["id"] for p in client.get("/api/v1/wages/projects", headers=h).json if p["debts"])
    r = client.post(
        f"/api/v1/wages/projects/{road}/payments",
        json={
            "debt_id": ledger.debts["road"],
            "paid_on": "2023-07-01",
            "amount": "36000.00",
            "wage_amount": "36000.00",
        },
        headers=h,
    )
    assert r.status_code == 201, r.json
    # RS-001 (36,000, received 1 June 2023) cleared on 1 July: 30 days; RS-002 (50,000) linked, open;
    # RS-003 (25,000) waits for a link.
    expected = [
        "已关联欠款的欠薪案件：<strong>2 件，86,000.00 元",
        "已清偿：<strong>1 件，36,000.00 元",
        "尚欠：<strong>50,000.00 元",
        "待手工关联：<strong>1 件，25,000.00 元",
        "受理到清偿平均：<strong>30.0 天",
    ]
    dashboard = client.get("/", headers=h).get_data(as_text=True)
    # RS-003 was received "today" in the jurisdiction (no date in the sheet): the report is asked for that
    # day, which may already be tomorrow in UTC.
    from core import clock

    report = client.get(f"/agreements/progress?as_of={clock.today().isoformat()}", headers=h).get_data(
        as_text=True
    )
    for html in (dashboard, report):
        assert "农民工工资联动" in html
        for text in expected:
            assert text in html, text
    # a.town2's clerk sees only its own case in the widget.
    town2 = client.get("/", headers=ledger.headers("clerk_a2")).get_data(as_text=True)
    assert "已关联欠款的欠薪案件：<strong>1 件，50,000.00 元" in town2 and "待手工关联：<strong>0 件" in town2


def test_exchange_workbook_and_ledger_export_columns(client, ledger):
    import_projects(client, ledger)
    upload(client, ledger, "cases", CASE_SHEET, dry_run=False)
    h = ledger.headers("office_a")
    road = next(
        p["id"]
        for p in client.get("/api/v1/wages/projects", headers=h).json
        if p["name"] == "景区道路维修工程"
    )
    body = {
        "debt_id": ledger.debts["road"],
        "paid_on": "2023-07-01",
        "amount": "30000.00",
        "wage_amount": "30000.00",
    }
    r = client.post(
        f"/api/v1/wages/projects/{road}/payments", json={**body, "to_wage_account": "8000.00"}, headers=h
    )
    assert r.status_code == 201, r.json
    r = client.get("/api/v1/wages/exchange.xlsx", headers=h)
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    # Road: 36,000 wages - 30,000 paid = 6,000 owed; 100,000 - 30,000 = 70,000 works owed; 8,000 to the
    # account; advance min(6,000, 70,000).
    assert rows["景区道路维修工程"][1:] == ("甲一镇人民政府", HONGDA, 6000, 70000, 8000, 6000, "欠薪未清")
    assert rows["游客中心改造工程"][3:] == (0, 60000, 0, 0, "无欠薪案件")
    # The car-park case has no registered project: its own row (40,000 debt, 50,000 wages claimed).
    assert rows["停车场扩建"][1:] == (
        "甲二镇人民政府",
        JINBEI,
        50000,
        40000,
        None,
        40000,
        "已关联（案件 RS-002，未登记项目）",
    )
    assert rows["某项目"][3] == 25000 and rows["某项目"][7].startswith("待关联")
    assert rows["合计"][3:7] == (81000, 170000, 8000, 46000)
    # a.town2's clerk gets its own row only.
    mine = openpyxl.load_workbook(
        io.BytesIO(client.get("/api/v1/wages/exchange.xlsx", headers=ledger.headers("clerk_a2")).data)
    ).active
    assert [row[0] for row in mine.iter_rows(min_row=3, values_only=True)] == ["停车场扩建", "合计"]
    # The ledger's whole export carries the linked case on each debt.
    with system_scope():
        a = ledger.node("a")
        a.plan = {**a.plan, "plugins": [*(p for p in a.plan["plugins"] if p != "ledger"), "ledger"]}
        db.session.commit()
    r = client.get("/api/v1/ledger/export.xlsx", headers=h)
    assert r.status_code == 200
    exported = list(openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    header = exported[2]
    data = {
        row[header.index("合同编号")]: dict(zip(header, row, strict=True))
        for row in exported[3:]
        if isinstance(row[0], int)
    }
    assert (data["HT-2022-001"]["人社欠薪案件"], data["JB-9"]["欠薪案件状态"]) == ("RS-001", "RS-002已关联")
    assert data["HT-2022-002"]["人社欠薪案件"] is None
