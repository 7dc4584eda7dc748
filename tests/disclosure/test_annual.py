"""The annual disclosure (条例第十八条): hand-checked year-end figures, publishing, the public page, scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.extensions import db
from core.models.debt import Debt
from core.models.event import Event
from core.rules.status import DebtStatus
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload

YEAR = 2023


def nid(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id


def add(client, world, unit: str, n: int, amount: str, delivery: str | None, **extra) -> int:
    body = debt_payload(unit_id=nid(world, unit), amount_owed=amount, contract_no=f"HT-{n}", **extra)
    body["delivery_date"] = delivery
    r = client.post("/api/v1/debts", json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json["id"]


def pay(client, world, debt_id: int, on: str, amount: str) -> None:
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": on, "amount": amount},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 201, r.json


def set_status(debt_id: int, status: str) -> None:
    with system_scope():
        db.session.get(Debt, debt_id).status = status
        db.session.commit()


@pytest.fixture
def ledger(client, world):
    """Hand-computed at 31 December 2023 (agencies pay within 30 days of delivery, SOEs within 60):

    - 甲一镇: 100,000 delivered 2023-01-01, 40,000 paid 2023-06-01 and 10,000 only on 2024-02-01 → 60,000
      overdue unpaid; 50,000 delivered 2023-12-20 (due 2024-01-19, not yet due) → not counted;
      5,000 found out of scope → not counted.
    - 甲二镇: 30,000 paid in full 2023-05-01 → not counted; 10,000 in court → counted (still unpaid).
    - 甲旅游集团 (SOE, annual report): 20,000 delivered 2023-01-01 → counted.
    - 甲一镇财政所: 8,000 without any delivery, settlement or acceptance date → cannot be judged.
    """
    d1 = add(client, world, "a.town1", 1, "100000.00", "2023-01-01")
    pay(client, world, d1, "2023-06-01", "40000.00")
    pay(client, world, d1, "2024-02-01", "10000.00")
    add(client, world, "a.town1", 2, "50000.00", "2023-12-20")
    set_status(add(client, world, "a.town1", 3, "5000.00", "2023-01-01"), DebtStatus.OUT_OF_SCOPE)
    d4 = add(client, world, "a.town2", 4, "30000.00", "2023-01-01")
    pay(client, world, d4, "2023-05-01", "30000.00")
    set_status(add(client, world, "a.town2", 5, "10000.00", "2023-01-01"), DebtStatus.JUDICIAL)
    add(client, world, "a.soe", 6, "20000.00", "2023-01-01")
    add(client, world, "a.town1.office", 7, "8000.00", None)
    return world


def by_name(payload: dict) -> dict[str, tuple[int, str, str]]:
    return {u["unit_name"]: (u["count"], u["amount"], u["channel"]) for u in payload["units"]}


def test_year_end_figures_by_hand(client, ledger):
    r = client.get(f"/api/v1/disclosure/figures?year={YEAR}", headers=ledger.headers("office_a"))
    assert r.status_code == 200, r.json
    got = r.json
    units = by_name(got)
    assert units["甲一镇人民政府"] == (1, "60000.00", "public")
    assert units["甲二镇人民政府"] == (1, "10000.00", "public")
    assert units["甲旅游集团"] == (1, "20000.00", "annual_report")
    assert units["甲一镇财政所"] == (0, "0.00", "public")
    assert (got["total_count"], got["total_amount"], got["undetermined"]) == (3, "90000.00", 1)
    assert got["deadline"] == "2024-03-31" and got["published"] is None
    # A year later the 10,000 paid in February 2024 is gone too: 50,000 left on the first debt; the
    # December delivery is overdue now.
    units = by_name(
        client.get("/api/v1/disclosure/figures?year=2024", headers=ledger.headers("office_a")).json
    )
    assert units["甲一镇人民政府"] == (2, "100000.00", "public")


def test_publish_freezes_the_figures_and_the_public_sees_them(client, ledger):
    h = ledger.headers("office_a")
    r = client.post("/api/v1/disclosure/reports", json={"year": YEAR}, headers=h)
    assert r.status_code == 201, r.json
    report = r.json
    assert (report["version"], report["total_count"], report["total_amount"]) == (1, 3, "90000.00")
    # The public sees the agencies' and institutions' rows and their totals; SOEs disclose in their
    # annual report.
    public = client.get("/api/v1/public/a/disclosure")
    assert public.status_code == 200
    assert [(p["year"], p["total_count"], p["total_amount"]) for p in public.json] == [(YEAR, 2, "70000.00")]
    assert "甲旅游集团" not in {row["unit_name"] for row in public.json[0]["rows"]}
    page = client.get("/public/a/disclosure").get_data(as_text=True)
    assert "2023年度" in page and "60,000.00" in page and "70,000.00" in page and "甲二镇人民政府" in page
    assert "甲旅游集团" not in page and "90,000.00" not in page
    # Later ledger changes do not alter what was published; the office page shows the difference.
    add(client, ledger, "a.town2", 8, "7000.00", "2023-02-01")
    assert client.get(f"/api/v1/disclosure/reports/{report['id']}", headers=h).json["total_count"] == 3
    office = client.get(f"/disclosure?year={YEAR}", headers=h).get_data(as_text=True)
    assert "已公开" in office and "与已公开版本不同" in office


def test_republishing_needs_a_reason_and_is_recorded(client, ledger):
    h = ledger.headers("office_a")
    assert client.post("/api/v1/disclosure/reports", json={"year": YEAR}, headers=h).status_code == 201
    add(client, ledger, "a.town2", 8, "7000.00", "2023-02-01")
    r = client.post("/api/v1/disclosure/reports", json={"year": YEAR}, headers=h)
    assert r.status_code == 409 and "更正原因" in r.json["errors"]["note"][0]
    r = client.post(
        "/api/v1/disclosure/reports", json={"year": YEAR, "note": "补录甲二镇漏报欠款"}, headers=h
    )
    assert r.status_code == 201, r.json
    assert (r.json["version"], r.json["total_count"], r.json["total_amount"]) == (2, 4, "97000.00")
    with system_scope():
        actions = db.session.scalars(
            db.select(Event.action).where(Event.entity_type == "disclosure_reports").order_by(Event.id)
        ).all()
    assert actions == ["published", "republished"]
    assert "补录甲二镇漏报欠款" in client.get("/public/a/disclosure").get_data(as_text=True)


def test_bad_requests_are_refused_and_record_nothing(client, ledger):
    h = ledger.headers("office_a")
    r = client.post("/api/v1/disclosure/reports", json={"year": 2999}, headers=h)
    assert r.status_code == 422 and "year" in r.json["errors"]
    r = client.post("/api/v1/disclosure/reports", json={"year": 2100}, headers=h)
    assert r.status_code == 409 and "尚未结束" in r.json["errors"]["year"][0]
    assert client.get("/api/v1/disclosure/figures", headers=h).status_code == 422
    assert client.get("/api/v1/disclosure/reports", headers=h).json == []


def test_scope_units_other_jurisdictions_and_the_public(client, ledger):
    assert client.post("/api/v1/disclosure/reports", json={"year": YEAR}, headers=ledger.headers("office_a"))
    # A unit sees its own subtree, not the jurisdiction-wide report (the public page is open to it).
    for path in (f"/api/v1/disclosure/figures?year={YEAR}", "/api/v1/disclosure/reports"):
        assert client.get(path, headers=ledger.headers("clerk_a1")).status_code == 403
    r = client.post("/api/v1/disclosure/reports", json={"year": YEAR}, headers=ledger.headers("clerk_a1"))
    assert r.status_code == 403
    # Jurisdiction b has not enabled the plugin: its office gets 404, its public page does not exist.
    assert client.get("/api/v1/disclosure/reports", headers=ledger.headers("office_b")).status_code == 404
    assert client.get("/api/v1/public/b/disclosure").status_code == 404
    assert client.get("/public/no-such-place/disclosure").status_code == 404


def test_public_page_before_anything_is_published(client, ledger):
    assert "尚未公开任何年度的数据" in client.get("/public/a/disclosure").get_data(as_text=True)


def test_office_page_publishes(client, ledger):
    h = ledger.headers("office_a")
    page = client.get(f"/disclosure?year={YEAR}", headers=h).get_data(as_text=True)
    assert "尚未公开" in page and 'data-key="count">3<' in page and "缺少付款期限" in page
    r = client.post("/disclosure", data={"year": str(YEAR)}, headers=h)
    assert r.status_code == 302
    page = client.get(f"/disclosure?year={YEAR}", headers=h).get_data(as_text=True)
    assert "第 1 版" in page and "更正并重新公开" in page
    assert Decimal(client.get("/api/v1/disclosure/reports", headers=h).json[0]["total_amount"]) == Decimal(
        "90000.00"
    )


def test_published_table_downloads_as_excel_and_word(client, ledger):
    import io

    import openpyxl
    from docx import Document

    h = ledger.headers("office_a")
    report = client.post("/api/v1/disclosure/reports", json={"year": YEAR}, headers=h).json
    r = client.get(f"/api/v1/disclosure/reports/{report['id']}/export.xlsx", headers=h)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "甲风景区2023年度逾期未支付中小企业款项情况"
    body = {row[1]: (row[2], row[3]) for row in rows[3:] if isinstance(row[0], int)}
    assert body["甲一镇人民政府"] == (1, 60000) and body["甲二镇人民政府"] == (1, 10000)
    assert "甲旅游集团" not in body  # SOEs disclose in their annual report
    total = next(row for row in rows if row[0] == "合计")
    assert (total[2], total[3]) == (2, 70000)
    r = client.get(f"/api/v1/disclosure/reports/{report['id']}/export.docx", headers=h)
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.data))
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert ["合计", "", "2", "70,000.00"] in cells and "合计2笔，金额70,000.00元" in doc.paragraphs[1].text
    page = client.get(f"/disclosure?year={YEAR}", headers=h).get_data(as_text=True)
    assert f"/api/v1/disclosure/reports/{report['id']}/export.docx" in page
