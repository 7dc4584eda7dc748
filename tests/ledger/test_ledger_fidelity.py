"""Issue 23, the validation and commit half: every yuan of a clerk's ledger lands, or the clerk is told why.

Files follow the official 2023 layout (已偿还金额, 计划偿还时间, 备注 …) and go upload → preview → commit
through the API, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.extensions import db
from core.models.debt import Debt, Payment
from core.models.enterprise import Enterprise
from core.models.event import Event
from core.models.notification import Notification
from core.rules.core_validation import validate_debt
from core.rules.credit_code import make
from core.tenancy.models import TenantNode, UnitAlias
from core.tenancy.names import name_keys
from core.tenancy.scope import system_scope
from tests.ledger.test_imports import commit, counts_add_up, rows_of, set_ledger, upload

HEADERS = [
    "序号",
    "欠款单位",
    "债权企业名称",
    "统一社会信用代码",
    "企业规模",
    "项目名称",
    "合同编号",
    "款项类别",
    "欠款金额（元）",
    "交付日期",
    "是否涉及农民工工资",
    "农民工工资金额（元）",
    "已偿还金额（元）",
    "偿还时间",
    "计划偿还时间",
    "备注",
]
COLUMN = {name: i for i, name in enumerate(HEADERS)}


@pytest.fixture
def lw(world):
    set_ledger(world, True)
    return world


def code(i: int) -> str:
    return make(f"91140922MA{i:07d}")


def row(i: int, **cells) -> list:
    """One ledger row of 甲一镇 (clerk_a1's unit); ``cells`` override columns by header text."""
    values = {
        "序号": i,
        "欠款单位": "甲一镇人民政府",
        "债权企业名称": f"忻州第{i}商贸有限公司",
        "统一社会信用代码": code(i),
        "企业规模": "小型",
        "项目名称": f"办公用品采购{i}",
        "合同编号": f"HT-{i:04d}",
        "款项类别": "货物",
        "欠款金额（元）": "10000.00",
        "交付日期": "2023-01-15",
        "是否涉及农民工工资": "否",
        "农民工工资金额（元）": None,
        "已偿还金额（元）": None,
        "偿还时间": None,
        "计划偿还时间": None,
        "备注": None,
    }
    values.update(cells)
    return [values[h] for h in HEADERS]


def ledger_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["甲一镇拖欠中小企业账款台账（截至2023年8月）"])
    ws.append(["填报单位：甲一镇人民政府    单位：元"])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def node_id(world, code: str) -> int:
    # Read in system scope: on PostgreSQL, row-level security hides an expired node outside any scope.
    with system_scope():
        return world.node(code).id


def imported(client, world, rows, user="clerk_a1"):
    r = upload(client, world, user, ledger_bytes(rows))
    assert r.status_code == 202, r.json
    assert r.json["status"] == "previewed", r.json
    counts_add_up(r.json)
    return r.json


def committed(client, world, body, user="clerk_a1"):
    r = commit(client, world, user, body["id"])
    assert r.status_code == 202, r.json
    assert r.json["status"] == "committed", r.json
    counts_add_up(r.json)
    return r.json


def debts_by_contract() -> dict[str, Debt]:
    with system_scope():
        return {d.contract_no: d for d in db.session.scalars(db.select(Debt))}


def money(cell) -> Decimal:
    return Decimal(str(cell or 0)).quantize(Decimal("0.01"))


# --- 1. One validation: the preview's verdict is the commit's ---------------------------------------


def large_creditor(world) -> str:
    """A creditor already registered as a large enterprise; the file calls it small."""
    with system_scope():
        unit = db.session.get(TenantNode, world.nodes["a.town1"].id)
        from core.services.debts import register_enterprise

        enterprise, _ = register_enterprise(
            unit, {"name": "甲大型建设集团有限公司", "credit_code": code(900), "size_class": "large"}
        )
        db.session.commit()
        return enterprise.credit_code


# Each case trips one validator. Core's rules (core.rules.core_validation), the parser's own checks and a
# plugin-only rule (the sample plugin's, enabled for jurisdiction a). Expected: the preview's verdict.
CASES = {
    "plain": ({}, "new"),
    "core: amount not positive": ({"欠款金额（元）": "0"}, "rejected"),
    "core: wages above the amount": (
        {"是否涉及农民工工资": "是", "农民工工资金额（元）": "20000.00"},
        "rejected",
    ),
    "core: wage amount missing (warning only)": ({"是否涉及农民工工资": "是"}, "new"),
    "core: category out of scope": ({"款项类别": "其他"}, "rejected"),
    "core: date in the future": ({"交付日期": "2099-01-01"}, "rejected"),
    "core: creditor is a large enterprise": ({"统一社会信用代码": "LARGE"}, "rejected"),
    "core: unit halted": ({"欠款单位": "甲一镇财政所"}, "rejected"),
    "core: repaid more than owed": ({"已偿还金额（元）": "10000.01"}, "rejected"),
    "plugin: sample rule": ({"项目名称": "测试禁用的采购项目"}, "rejected"),
}


def test_every_validator_gives_the_preview_and_the_commit_the_same_verdict(client, lw):
    large = large_creditor(lw)
    with system_scope():
        office = db.session.get(TenantNode, lw.nodes["a.town1.office"].id)
        office.halted = True
        db.session.commit()
    # Every core rule that refuses a debt has a case here: the core validator's own issue fields.
    assert {"amount_owed", "migrant_wage_amount", "category", "creditor", "unit_id", "delivery_date"} <= {
        field for field in _core_rule_fields()
    }
    rows = []
    for i, (cells, _verdict) in enumerate(CASES.values(), start=1):
        cells = {**cells}
        if cells.get("统一社会信用代码") == "LARGE":
            cells["统一社会信用代码"] = large
        rows.append(row(i, **cells))
    body = imported(client, lw, rows)
    by_row = {
        r["row_number"]: r
        for s in ("new", "rejected")
        for r in rows_of(client, lw, "clerk_a1", body["id"], s)
    }
    verdicts = {name: by_row[3 + i]["outcome"] for i, name in enumerate(CASES, start=1)}
    assert verdicts == {name: verdict for name, (_cells, verdict) in CASES.items()}
    plugin_row = by_row[3 + list(CASES).index("plugin: sample rule") + 1]
    assert any("示例插件" in i["message"] for i in plugin_row["issues"])

    after = committed(client, lw, body)
    assert after["counts"] == body["counts"]  # nothing the preview let through was refused at commit
    landed = debts_by_contract()
    expected = {f"HT-{i:04d}" for i, (_c, v) in enumerate(CASES.values(), start=1) if v == "new"}
    assert set(landed) == expected


def _core_rule_fields() -> set[str]:
    """The fields core's validator names, found by running it on a debt that breaks each rule."""

    class Creditor:
        size_class = "large"
        credit_code_warning = None

    class Tenant:
        plan = {"name": "测试方案"}
        halted = True
        active = False
        debtor_class = "agency"

    class Bad:
        amount_owed = Decimal("0")
        undisputed_amount = disputed_amount = None
        migrant_wages = True
        migrant_wage_amount = Decimal("0")
        contract_amount = None
        category = "food"
        creditor = Creditor()
        contract_date = None
        delivery_date = acceptance_date = settlement_date = origin_date = None
        agreed_term_days = None

    from datetime import date

    zero, wages = Bad(), Bad()
    zero.delivery_date = date(2099, 1, 1)
    wages.amount_owed = wages.undisputed_amount = Decimal("100")
    wages.migrant_wage_amount = Decimal("200")
    return {i.field for bad in (zero, wages) for i in validate_debt(bad, {}, Tenant()) if i.level == "error"}


# --- 2. Migrant wages without an amount --------------------------------------------------------------


def test_wages_without_an_amount_import_flagged_and_wage_first_takes_the_whole_outstanding(client, lw):
    body = imported(client, lw, [row(1, **{"是否涉及农民工工资": "是", "欠款金额（元）": "8000.00"})])
    assert body["counts"]["new"] == 1 and body["counts"]["warning"] == 1
    new = rows_of(client, lw, "clerk_a1", body["id"], "new")
    assert any("工资金额待补充" in i["message"] for i in new[0]["issues"])
    committed(client, lw, body)
    debt = debts_by_contract()["HT-0001"]
    assert debt.wage_amount_pending is True
    listed = client.get("/api/v1/debts?wage_amount_pending=true", headers=lw.headers("clerk_a1")).json
    assert [d["id"] for d in listed] == [debt.id]

    pay = f"/api/v1/debts/{debt.id}/payments"
    h = lw.headers("clerk_a1")
    r = client.post(
        pay, json={"paid_on": "2023-03-02", "amount": "3000.00", "wage_amount": "1000.00"}, headers=h
    )
    assert r.status_code == 422 and "工资金额待补充" in r.json["errors"]["wage_amount"][0]
    r = client.post(
        pay, json={"paid_on": "2023-03-02", "amount": "3000.00", "wage_amount": "3000.00"}, headers=h
    )
    assert r.status_code == 201, r.json


# --- 6. Repaid amounts, planned dates, remarks -------------------------------------------------------


def test_repaid_amounts_become_opening_payments_and_other_columns_are_kept(client, lw):
    rows = [
        row(1, **{"已偿还金额（元）": "2500.50", "偿还时间": "2023-06-30", "计划偿还时间": "2027-12-31"}),
        row(2, **{"欠款金额（元）": "7300.25", "已偿还金额（元）": "7300.25"}),  # cleared; no date given
        row(3, **{"备注": "1. 已对账\n2. 待财政拨款\r\n3. 分两期支付"}),
        row(4, **{"是否涉及农民工工资": "是", "已偿还金额（元）": "4000.00", "偿还时间": "2023-05-01"}),
    ]
    body = imported(client, lw, rows)
    assert body["counts"]["new"] == 4
    preview = {r["row_number"]: r for r in rows_of(client, lw, "clerk_a1", body["id"], "new")}
    assert preview[4]["values"]["paid_amount"] == "2500.50"
    committed(client, lw, body)

    debts = debts_by_contract()
    assert sum(d.amount_owed for d in debts.values()) == sum(money(r[COLUMN["欠款金额（元）"]]) for r in rows)
    assert sum(d.paid_amount for d in debts.values()) == sum(
        money(r[COLUMN["已偿还金额（元）"]]) for r in rows
    )
    first, cleared, remarks, wages = (debts[f"HT-{i:04d}"] for i in range(1, 5))
    assert (first.paid_amount, first.outstanding, first.status) == (
        Decimal("2500.50"),
        Decimal("7499.50"),
        "partly_repaid",
    )
    assert first.planned_repayment_date.isoformat() == "2027-12-31"
    assert cleared.status == "cleared" and cleared.outstanding == 0
    assert remarks.remarks == "1. 已对账\n2. 待财政拨款\n3. 分两期支付"
    assert wages.paid_amount == Decimal("4000.00")  # wage-first did not refuse the opening payment

    with system_scope():
        payments = {p.debt_id: p for p in db.session.scalars(db.select(Payment))}
        assert all(p.opening for p in payments.values()) and len(payments) == 3
        assert payments[first.id].paid_on.isoformat() == "2023-06-30"
        upload_day = payments[cleared.id].paid_on
        assert upload_day is not None  # the ledger's as-of date: the day it was uploaded
        assert payments[first.id].method_label.endswith("（导入时已偿还）")
        events = db.session.scalars(db.select(Event).where(Event.entity_type == "payments")).all()
        assert {e.entity_id for e in events} == {p.id for p in payments.values()}

    api = client.get(f"/api/v1/debts/{first.id}", headers=lw.headers("clerk_a1")).json
    assert api["paid_amount"] == "2500.50" and api["planned_repayment_date"] == "2027-12-31"
    listed = client.get(f"/api/v1/debts/{first.id}/payments", headers=lw.headers("clerk_a1")).json
    assert [p["opening"] for p in listed] == [True]


def test_a_changed_repaid_figure_is_a_change_in_the_preview_and_a_payment_on_commit(client, lw):
    committed(client, lw, imported(client, lw, [row(1, **{"已偿还金额（元）": "1000.00"})]))
    body = imported(client, lw, [row(1, **{"已偿还金额（元）": "3000.00", "偿还时间": "2023-07-01"})])
    assert body["counts"]["changed"] == 1
    changed = rows_of(client, lw, "clerk_a1", body["id"], "changed")
    assert changed[0]["diff"]["paid_amount"] == ["1000.00", "3000.00"]
    committed(client, lw, body)
    debt = debts_by_contract()["HT-0001"]
    assert debt.paid_amount == Decimal("3000.00")
    with system_scope():
        amounts = sorted(p.amount for p in db.session.scalars(db.select(Payment)))
    assert amounts == [Decimal("1000.00"), Decimal("2000.00")]

    # Less than what is on record cannot be an opening payment: the row says why, the rest commits.
    body = imported(client, lw, [row(1, **{"已偿还金额（元）": "500.00"}), row(2)])
    assert (body["counts"]["rejected"], body["counts"]["new"]) == (1, 1)
    rejected = rows_of(client, lw, "clerk_a1", body["id"], "rejected")
    assert any("少于系统中已登记的付款" in i["message"] for i in rejected[0]["issues"])
    committed(client, lw, body)
    assert debts_by_contract()["HT-0001"].paid_amount == Decimal("3000.00")


# --- 7. Unknown debtor units and creditor names ------------------------------------------------------


def test_common_short_forms_name_the_same_unit():
    assert "五台山景区管委会" in name_keys("五台山风景名胜区管理委员会")
    assert "台怀镇政府" in name_keys("台怀镇人民政府") and "台怀镇" in name_keys("台怀镇人民政府")
    assert "教育局" in name_keys("五台县教育局", ("五台县",))


def test_unknown_units_are_named_and_can_be_mapped_or_requested(client, lw):
    with system_scope():
        from core.tenancy import service as tenancy

        parent = lw.node("a.town1")
        tenancy.create_node(
            code="a.town1.park", name="甲一镇风景名胜区管理委员会", kind="institution", parent=parent
        )
        db.session.commit()
    rows = [
        row(1, **{"欠款单位": "甲一镇政府"}),
        row(2, **{"欠款单位": "甲一镇景区管委会"}),
        row(3, **{"欠款单位": "甲一镇卫生院"}),
        row(4, **{"欠款单位": "甲一镇卫生院"}),
        row(5, **{"欠款单位": "甲一镇敬老院"}),
    ]
    body = imported(client, lw, rows)
    assert (body["counts"]["new"], body["counts"]["rejected"]) == (2, 3)
    rejected = rows_of(client, lw, "clerk_a1", body["id"], "rejected")
    message = " ".join(i["message"] for i in rejected[0]["issues"])
    assert "未找到债务单位“甲一镇卫生院”" in message and "不能由本单位导入" not in message

    h = lw.headers("clerk_a1")
    unknown = client.get(f"/api/v1/ledger/imports/{body['id']}/unknown-units", headers=h).json
    assert unknown == [
        {"name": "甲一镇卫生院", "rows": 2, "first_row": 6},
        {"name": "甲一镇敬老院", "rows": 1, "first_row": 8},
    ]
    office = node_id(lw, "a.town1.office")
    url = f"/api/v1/ledger/imports/{body['id']}/unit-mappings"
    r = client.post(url, json={"name": "甲一镇卫生院", "unit_id": office}, headers=h)
    assert r.status_code == 202, r.json
    assert (r.json["status"], r.json["counts"]["new"], r.json["counts"]["rejected"]) == ("previewed", 4, 1)
    sibling = client.post(url, json={"name": "甲一镇敬老院", "unit_id": node_id(lw, "a.town2")}, headers=h)
    assert sibling.status_code == 404 and "unit_id" in sibling.json["errors"]  # not a unit this clerk has
    nonsense = client.post(url, json={"name": "不存在的名字", "unit_id": office}, headers=h)
    assert nonsense.status_code == 422 and "name" in nonsense.json["errors"]

    ask = f"/api/v1/ledger/imports/{body['id']}/unit-requests"
    first = client.post(ask, json={"name": "甲一镇敬老院"}, headers=h)
    assert first.status_code == 201 and first.json["notified"] is True
    assert client.post(ask, json={"name": "甲一镇敬老院"}, headers=h).json["notified"] is False
    with system_scope():
        notes = db.session.scalars(
            db.select(Notification).where(Notification.title.contains("甲一镇敬老院"))
        ).all()
        assert [(n.unit_id, n.link) for n in notes] == [(lw.nodes["a"].id, f"/ledger/imports/{body['id']}")]
        alias = db.session.scalar(db.select(UnitAlias))
        assert (alias.name, alias.unit_id, alias.jurisdiction_id) == (
            "甲一镇卫生院",
            office,
            lw.nodes["a"].id,
        )

    committed(client, lw, client.get(f"/api/v1/ledger/imports/{body['id']}", headers=h).json)
    # The alias is the jurisdiction's: the next file resolves the name at once.
    again = imported(client, lw, [row(9, **{"欠款单位": "甲一镇卫生院"})])
    assert again["counts"]["new"] == 1


def test_unknown_unit_page_offers_mapping_and_request(client, lw):
    body = imported(client, lw, [row(1, **{"欠款单位": "甲一镇卫生院"}), row(2)])
    page = client.get(f"/ledger/imports/{body['id']}", headers=lw.headers("clerk_a1"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-unknown-unit="甲一镇卫生院"' in html
    assert "对应并重新预览" in html and "通知清欠办添加" in html


def test_aliases_are_isolated_between_jurisdictions(client, lw):
    with system_scope():
        from core.tenancy.names import save_alias

        b_unit = lw.node("b.town1")
        save_alias(b_unit, "甲一镇卫生院")
        db.session.commit()
    # Jurisdiction b's alias neither resolves a's rows nor shows through a's scope.
    body = imported(client, lw, [row(1, **{"欠款单位": "甲一镇卫生院"})])
    assert body["counts"]["rejected"] == 1
    from core.tenancy.scope import Scope, scope_context

    with scope_context(Scope(jurisdiction_id=node_id(lw, "a"))):
        assert db.session.scalars(db.select(UnitAlias)).all() == []


def test_a_creditor_name_that_differs_from_the_registered_one_is_a_warning_showing_both(client, lw):
    committed(client, lw, imported(client, lw, [row(1)]))
    body = imported(client, lw, [row(2, **{"统一社会信用代码": code(1), "债权企业名称": "忻州第一商贸公司"})])
    assert (body["counts"]["new"], body["counts"]["warning"]) == (1, 1)
    new = rows_of(client, lw, "clerk_a1", body["id"], "new")
    message = " ".join(i["message"] for i in new[0]["issues"])
    assert "“忻州第一商贸公司”" in message and "“忻州第1商贸有限公司”" in message
    committed(client, lw, body)
    with system_scope():
        assert db.session.scalar(db.select(db.func.count()).select_from(Enterprise)) >= 1
        names = {d.creditor.name for d in db.session.scalars(db.select(Debt))}
    assert names == {"忻州第1商贸有限公司"}


# --- How to check: a realistic township ledger commits in one go, to the fen -----------------------------


def township_rows(n: int) -> list[list]:
    """A township's 400-row ledger: odd cents, wages with and without a figure, repaid and cleared rows,
    planned dates, multi-line remarks, three units written three ways."""
    units = ["甲一镇人民政府", "甲一镇政府", "甲一镇财政所"]
    rows = []
    for i in range(1, n + 1):
        owed = Decimal(1000 + (i * 7919) % 900000) + Decimal(i % 100) / 100
        cells = {
            "欠款单位": units[i % 3],
            "债权企业名称": f"忻州第{i % 150}商贸有限公司",
            "统一社会信用代码": code(i % 150),
            "款项类别": ["货物", "工程", "服务"][i % 3],
            "欠款金额（元）": str(owed),
            "合同编号": f"HT-{i:04d}",
        }
        if i % 10 == 0:
            cells["是否涉及农民工工资"] = "是"
            if i % 20 == 0:
                cells["农民工工资金额（元）"] = str((owed / 4).quantize(Decimal("0.01")))
        if i % 4 == 0:
            cells["已偿还金额（元）"] = str((owed / 3).quantize(Decimal("0.01")))
            cells["偿还时间"] = "2023-06-30"
        if i % 25 == 0:
            cells["已偿还金额（元）"] = str(owed)
        if i % 6 == 0:
            cells["计划偿还时间"] = "2027-06-30"
            cells["备注"] = f"第{i}笔\n分期支付"
        rows.append(row(i, **cells))
    return rows


def test_a_400_row_township_ledger_commits_in_one_go_to_the_fen(client, lw):
    rows = township_rows(400)
    body = imported(client, lw, rows)
    assert body["counts"]["new"] == 400 and body["counts"]["rejected"] == 0, body["counts"]
    after = committed(client, lw, body)
    assert after["counts"]["new"] == 400
    debts = debts_by_contract()
    assert len(debts) == 400
    assert sum(d.amount_owed for d in debts.values()) == sum(money(r[COLUMN["欠款金额（元）"]]) for r in rows)
    assert sum(d.paid_amount for d in debts.values()) == sum(
        money(r[COLUMN["已偿还金额（元）"]]) for r in rows
    )
    with system_scope():
        paid = db.session.scalar(db.select(db.func.sum(Payment.amount)).where(Payment.opening.is_(True)))
    assert Decimal(paid) == sum(money(r[COLUMN["已偿还金额（元）"]]) for r in rows)
    assert sum(1 for d in debts.values() if d.wage_amount_pending) == 20
    assert sum(1 for d in debts.values() if d.status == "cleared") == 16
    assert all(d.remarks.endswith("\n分期支付") for n, d in debts.items() if int(n[3:]) % 6 == 0)


def test_the_debt_pages_show_pending_wages_planned_dates_and_remarks(client, lw):
    rows = [
        row(1, **{"是否涉及农民工工资": "是", "计划偿还时间": "2027-12-31", "备注": "第一行\n第二行"}),
        row(2),
    ]
    committed(client, lw, imported(client, lw, rows))
    debts = debts_by_contract()
    h = lw.headers("clerk_a1")
    pending = client.get("/debts?wage_amount_pending=true", headers=h).get_data(as_text=True)
    assert f"#{debts['HT-0001'].id}" in pending and f"#{debts['HT-0002'].id}<" not in pending
    assert 'data-testid="wage-amount-pending"' in pending
    detail = client.get(f"/debts/{debts['HT-0001'].id}", headers=h).get_data(as_text=True)
    assert "2027年12月31日" in detail and "第一行\n第二行" in detail and "工资金额待补充" in detail


def test_a_county_ledger_across_units_commits_in_one_go_to_the_fen(client, lw):
    """The office's file for the whole county (every unit, written as clerks write them), on the bulk path."""
    units = ["甲一镇人民政府", "甲二镇政府", "甲旅游集团", "甲一镇财政所", "甲旅游集团酒店公司"]
    rows = township_rows(3000)
    for i, r in enumerate(rows):
        r[COLUMN["欠款单位"]] = units[i % len(units)]
    body = imported(client, lw, rows, user="office_a")
    assert body["counts"]["new"] == 3000 and body["counts"]["rejected"] == 0, body["counts"]
    committed(client, lw, body, user="office_a")
    debts = debts_by_contract()
    assert len(debts) == 3000
    assert len({d.unit_id for d in debts.values()}) == len(units)
    assert sum(d.amount_owed for d in debts.values()) == sum(money(r[COLUMN["欠款金额（元）"]]) for r in rows)
    assert sum(d.paid_amount for d in debts.values()) == sum(
        money(r[COLUMN["已偿还金额（元）"]]) for r in rows
    )
