"""Ledger fidelity (issue 23): every row and every fen of a clerk's file accounted for, to the generator's
own totals (tests/ledger/messy.py), on SQLite and PostgreSQL; duplicates only when truly the same; the
unit of money explicit; every column mapped or reported; rejected rows keeping their original numbers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.extensions import db
from core.models.debt import Debt
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from plugins.ledger.imports.models import LedgerColumnMapping
from plugins.ledger.parsing import estimate_rows, parse_file
from tests.ledger.fixtures import PLAN, write_csv, write_xlsx
from tests.ledger.messy import official_ledger
from tests.ledger.test_imports import commit, rows_of, set_ledger, upload

TODAY = dt.date(2024, 1, 15)


@pytest.fixture
def lw(world):
    """The world with the ledger plugin enabled for jurisdiction a."""
    set_ledger(world, True)
    return world


DEBTORS = ["甲一镇人民政府", "甲一镇财政所"]


def amounts(expected) -> dict[str, str]:
    return {k: f"{v:.2f}" for k, v in expected.amounts.items()}


def recon_matches(recon: dict, expected) -> None:
    """The reconciliation equals the generator's own totals, row counts and money to the fen."""
    rows = recon["rows"]
    assert rows["accepted"] + rows["warning"] == expected.rows["accepted"], rows
    assert rows["rejected"] == expected.rows["rejected"], rows
    assert rows["duplicate"] == expected.rows["duplicate"], rows
    assert rows["skipped"] == expected.rows["skipped"], rows
    assert rows["read"] == sum(expected.rows.values())
    assert (
        rows["read"]
        == rows["accepted"] + rows["warning"] + rows["rejected"] + rows["duplicate"] + rows["skipped"]
    )
    got = recon["amounts"]
    assert {k: got[k] for k in ("data", "accepted", "rejected", "duplicate")} == amounts(expected)
    assert recon["rows_without_amount"] == expected.rows_without_amount
    data = Decimal(got["data"])
    assert data == Decimal(got["accepted"]) + Decimal(got["rejected"]) + Decimal(got["duplicate"])
    assert Decimal(recon["amounts_wan"]["data"]) * 10000 == data


# --- The parser alone ---------------------------------------------------------------------------------


def test_official_layout_conserves_money_and_rows(tmp_path):
    ledger = official_ledger(400, debtors=DEBTORS, seed=11)
    path = ledger.write_xlsx(tmp_path / "乡镇台账.xlsx")
    res = parse_file(path, path.name, PLAN, today=TODAY)
    assert res.file_issues == [] and res.unmapped_headers == []
    # the official header: 其中：无分歧金额 and 到期日期 were never mapped before
    assert res.columns["undisputed_amount"] == "其中：无分歧金额"
    assert res.columns["disputed_amount"] == "有分歧金额"
    assert res.columns["agreed_payment_date"] == "到期日期"
    assert res.columns["paid_amount"] == "已偿还金额"
    assert res.columns["planned_repayment_date"] == "计划偿还时间"
    assert (res.unit_multiplier, res.unit_source) == (Decimal(10000), "file")
    recon_matches(res.reconciliation, ledger.expected)
    by_row = {r.row_number: r for r in res.rows}
    for number, status in ledger.expected.status_of.items():
        got = by_row[number].status
        assert (got if got != "warning" else "accepted") == status, (number, by_row[number].reason_text())
    for first, dup in ledger.expected.duplicates:
        assert f"与第{first}行" in by_row[dup].reason_text()
    landed = [r for r in res.rows if r.status in ("accepted", "warning")]
    assert sum(r.values.get("paid_amount", Decimal(0)) for r in landed) == ledger.expected.paid
    assert sum(1 for r in landed if "\n" in r.values.get("remarks", "")) == ledger.expected.multiline_remarks
    assert any(isinstance(r.values.get("planned_repayment_date"), dt.date) for r in landed)
    assert all(isinstance(r.values.get("agreed_payment_date"), dt.date) for r in landed)
    assert len({r.row_key for r in landed}) == len(landed)  # every accepted row is its own debt


def test_invoices_of_one_project_are_separate_debts(tmp_path):
    """The county file lost 292 rows as "duplicates": rows without a contract number matched on debtor +
    credit code + project only. Two invoices of one project are two debts."""
    header = ["欠款单位", "债权企业名称", "统一社会信用代码", "项目名称", "款项类别", "欠款金额（元）"]
    from tests.ledger.fixtures import code

    rows = [
        header,
        ["台怀镇人民政府", "山西清凉建筑工程有限公司", code(1), "道路硬化工程", "工程", 1000.5],
        ["台怀镇人民政府", "山西清凉建筑工程有限公司", code(1), "道路硬化工程", "工程", 2000.25],
        ["台怀镇人民政府", "山西清凉建筑工程有限公司", code(1), "道路硬化工程", "工程", 1000.5],
    ]
    res = parse_file(write_xlsx(tmp_path / "a.xlsx", rows), "a.xlsx", PLAN, today=TODAY)
    assert [r.status for r in res.rows] == ["warning", "warning", "duplicate"] or [
        r.status for r in res.rows
    ] == ["accepted", "accepted", "duplicate"]
    assert res.rows[2].reason_text() == "与第2行内容完全相同，视为重复行，未导入"
    assert res.rows[0].row_key != res.rows[1].row_key
    assert res.reconciliation["amounts"] == {
        "data": "4001.25",
        "accepted": "3000.75",
        "accepted_clean": "3000.75",
        "warning": "0.00",
        "rejected": "0.00",
        "duplicate": "1000.50",
    }


def test_split_columns_blank_disputed_counts_as_zero(tmp_path):
    header = ["欠款单位", "债权企业名称", "款项类别", "欠款金额", "其中：无分歧金额", "有分歧金额"]
    rows = [
        header,
        ["台怀镇人民政府", "甲公司", "工程", 100, 100, None],  # blank 有分歧 = 0: adds up
        ["台怀镇人民政府", "乙公司", "工程", 100, 60, None],  # 60 + 0 ≠ 100: rejected
        ["台怀镇人民政府", "丙公司", "工程", 100, 60, 30],
    ]
    res = parse_file(write_xlsx(tmp_path / "s.xlsx", rows), "s.xlsx", PLAN, today=TODAY)
    assert res.columns["undisputed_amount"] == "其中：无分歧金额"
    assert res.rows[0].status != "rejected" and res.rows[0].values["disputed_amount"] == Decimal("0.00")
    assert [r.status for r in res.rows[1:]] == ["rejected", "rejected"]
    assert res.rows[1].errors[0].message == (
        "无争议金额（60.00）与有争议金额（0.00）之和应等于欠款金额（100.00）"
    )


def test_due_date_synonyms(tmp_path):
    for header in ("到期日期", "应付款日期", "约定付款时间", "付款到期日"):
        rows = [
            ["欠款单位", "债权企业名称", "款项类别", "欠款金额", header],
            ["某局", "甲公司", "货物", 5, "2023-05-01"],
        ]
        res = parse_file(write_xlsx(tmp_path / "d.xlsx", rows), "d.xlsx", PLAN, today=TODAY)
        assert res.rows[0].values["agreed_payment_date"] == dt.date(2023, 5, 1), header
    rows = [
        ["欠款单位", "债权企业名称", "款项类别", "欠款金额", "验收日期"],
        ["某局", "甲公司", "货物", 5, "2023-05-01"],
    ]
    res = parse_file(write_xlsx(tmp_path / "e.xlsx", rows), "e.xlsx", PLAN, today=TODAY)
    assert res.rows[0].values["acceptance_date"] == dt.date(2023, 5, 1)


def test_csv_without_marker_reads_in_the_plan_unit_or_the_chosen_one(tmp_path):
    ledger = official_ledger(120, debtors=DEBTORS, seed=5)
    path = ledger.write_csv(tmp_path / "县台账.csv")
    text = path.read_text(encoding="utf-8-sig")
    assert "单位：" not in text and "万元" not in text  # no unit marker anywhere

    plain = parse_file(path, path.name, PLAN, today=TODAY)  # the old behaviour: 元, 10,000× too low
    assert (plain.unit_multiplier, plain.unit_source) == (Decimal(1), "plan")
    assert plain.unit_warnings and "超过两位小数" in plain.unit_warnings[0]

    wan_plan = {**PLAN, "ledger": {"amount_unit": "wan"}}
    by_plan = parse_file(path, path.name, wan_plan, today=TODAY)
    assert (by_plan.unit_multiplier, by_plan.unit_source, by_plan.unit_warnings) == (
        Decimal(10000),
        "plan",
        [],
    )
    chosen = parse_file(path, path.name, PLAN, today=TODAY, amount_unit="wan")
    assert (chosen.unit_multiplier, chosen.unit_source) == (Decimal(10000), "upload")
    for res in (by_plan, chosen):
        recon_matches(res.reconciliation, ledger.expected)


def test_chosen_unit_overrides_the_sheet_marker_and_says_so(tmp_path):
    rows = [
        ["单位：元"],
        ["欠款单位", "债权企业名称", "款项类别", "欠款金额"],
        ["某局", "甲公司", "货物", 1.5],
    ]
    res = parse_file(write_xlsx(tmp_path / "u.xlsx", rows), "u.xlsx", PLAN, today=TODAY, amount_unit="wan")
    assert res.rows[0].values["amount_owed"] == Decimal("15000.00")
    assert any("已按上传时选择的万元读取" in n for n in res.notes)


def test_wan_figures_that_look_like_yuan_are_warned(tmp_path):
    rows = [["单位：万元"], ["欠款单位", "债权企业名称", "款项类别", "欠款金额"]]
    rows += [["某局", f"甲公司{i}", "货物", 3_500_000 + i] for i in range(5)]
    res = parse_file(write_xlsx(tmp_path / "w.xlsx", rows), "w.xlsx", PLAN, today=TODAY)
    assert res.unit_warnings and "看起来像以元填写" in res.unit_warnings[0]


def test_estimate_rows_is_known_before_parsing(tmp_path):
    ledger = official_ledger(60, debtors=DEBTORS)
    xlsx = ledger.write_xlsx(tmp_path / "a.xlsx")
    csv_path = ledger.write_csv(tmp_path / "a.csv")
    rows = 4 + len(ledger.body)
    assert estimate_rows(xlsx, xlsx.name) == rows
    assert estimate_rows(csv_path, csv_path.name) >= len(ledger.body) + 1


def test_template_in_wan_parses_back_in_wan(tmp_path):
    from plugins.ledger.parsing import build_template

    path = tmp_path / "t.xlsx"
    build_template({**PLAN, "ledger": {"amount_unit": "wan"}}, path)
    ws = load_workbook(path)["清欠台账"]
    assert "单位：万元" in [c.value for c in ws[2]]
    header = [c.value for c in ws[3]]
    assert "*欠款金额（万元）" in header
    values = {
        "*欠款单位": "台怀镇人民政府",
        "*债权企业名称": "甲公司",
        "*款项类别": "货物",
        "*欠款金额（万元）": 1.25,
    }
    ws.append([values.get(h) for h in header])
    ws.parent.save(path)
    res = parse_file(path, path.name, PLAN, today=TODAY)
    assert res.unit_multiplier == Decimal(10000)
    assert res.rows[0].values["amount_owed"] == Decimal("12500.00")


# --- Through the API, on SQLite and PostgreSQL ---------------------------------------------------------


def uploaded(client, world, content: bytes, filename: str, **form) -> dict:
    r = upload(client, world, "clerk_a1", content, filename, **form)
    assert r.status_code == 202, r.json
    assert r.json["status"] == "previewed", r.json
    return r.json


def debts_total() -> tuple[int, Decimal]:
    with system_scope():
        count, total = db.session.execute(
            db.select(db.func.count(Debt.id), db.func.coalesce(db.func.sum(Debt.amount_owed), 0))
        ).one()
    return count, Decimal(total).quantize(Decimal("0.01"))


def test_import_reconciles_to_the_fen_and_commits_every_accepted_yuan(client, lw, tmp_path):
    ledger = official_ledger(300, debtors=DEBTORS, foreign_debtor="甲二镇人民政府", seed=3)
    path = ledger.write_xlsx(tmp_path / "乡镇台账.xlsx")
    body = uploaded(client, lw, path.read_bytes(), path.name)
    recon_matches(body["reconciliation"], ledger.expected)
    c = body["counts"]
    assert c["read"] == c["accepted"] + c["warning"] + c["rejected"] + c["duplicate"] + c["skipped"]
    assert c["duplicate"] == ledger.expected.rows["duplicate"]
    assert body["file_info"]["amount_unit"] == "wan" and body["file_info"]["unit_source"] == "file"

    dups = rows_of(client, lw, "clerk_a1", body["id"], "duplicate")
    assert {
        (int(i["message"].split("第")[1].split("行")[0]), r["row_number"]) for r in dups for i in r["issues"]
    } == set(ledger.expected.duplicates)
    assert all(i["level"] == "error" for r in dups for i in r["issues"])  # nothing leaves at info level

    # duplicates are in the rejected-rows workbook too, with their reasons
    r = client.get(f"/api/v1/ledger/imports/{body['id']}/rejected.xlsx", headers=lw.headers("clerk_a1"))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    listed = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert {dup for _first, dup in ledger.expected.duplicates} <= listed
    assert len(listed) == ledger.expected.rows["rejected"] + ledger.expected.rows["duplicate"]

    r = commit(client, lw, "clerk_a1", body["id"])
    assert r.status_code == 202 and r.json["status"] == "committed", r.json
    count, total = debts_total()
    assert count == ledger.expected.rows["accepted"]
    assert total == ledger.expected.amounts["accepted"]
    with system_scope():
        paid, pending, multiline = db.session.execute(
            db.select(
                db.func.coalesce(db.func.sum(Debt.paid_amount), 0),
                db.func.count(Debt.id).filter(Debt.wage_amount_pending.is_(True)),
                db.func.count(Debt.id).filter(Debt.remarks.contains("\n")),
            )
        ).one()
    # cleared amounts equal the file's 已偿还金额 column; wage rows without an amount land, marked pending
    assert Decimal(paid).quantize(Decimal("0.01")) == ledger.expected.paid > 0
    assert pending > 0
    assert multiline == ledger.expected.multiline_remarks > 0


def test_reupload_of_invoices_matches_each_to_its_own_debt(client, lw, tmp_path):
    ledger = official_ledger(80, debtors=DEBTORS, seed=9)
    assert ledger.expected.invoice_groups >= 2
    content = ledger.write_xlsx(tmp_path / "a.xlsx").read_bytes()
    first = uploaded(client, lw, content, "a.xlsx")
    assert commit(client, lw, "clerk_a1", first["id"]).json["status"] == "committed"
    again = uploaded(client, lw, content, "a.xlsx")
    assert again["counts"]["new"] == 0 and again["counts"]["changed"] == 0
    assert again["counts"]["unchanged"] == ledger.expected.rows["accepted"]


def test_county_csv_in_wan_by_upload_choice(client, lw, tmp_path):
    ledger = official_ledger(150, debtors=DEBTORS, seed=21)
    content = ledger.write_csv(tmp_path / "县台账.csv").read_bytes()
    body = uploaded(client, lw, content, "县台账.csv", amount_unit="wan")
    assert body["amount_unit"] == "wan" and body["file_info"]["unit_source"] == "upload"
    recon_matches(body["reconciliation"], ledger.expected)
    assert commit(client, lw, "clerk_a1", body["id"]).json["status"] == "committed"
    assert debts_total() == (ledger.expected.rows["accepted"], ledger.expected.amounts["accepted"])

    yuan = uploaded(client, lw, content, "县台账.csv")  # no marker, plan in 元: read in 元 and warned
    assert yuan["file_info"]["amount_unit"] == "yuan"
    assert any("万元" in w for w in yuan["file_info"]["unit_warnings"])
    page = client.get(f"/ledger/imports/{yuan['id']}", headers=lw.headers("clerk_a1")).get_data(as_text=True)
    assert "金额单位：<strong>元</strong>" in page and "看起来像以万元填写" in page


def test_county_csv_in_wan_by_the_jurisdiction_template(client, lw, tmp_path):
    with system_scope():
        a = db.session.get(TenantNode, lw.nodes["a"].id)
        a.plan = {**a.plan, "ledger": {"amount_unit": "wan"}}
        db.session.commit()
    ledger = official_ledger(60, debtors=DEBTORS, seed=4)
    body = uploaded(client, lw, ledger.write_csv(tmp_path / "c.csv").read_bytes(), "c.csv")
    assert body["file_info"]["unit_source"] == "plan" and body["file_info"]["amount_unit"] == "wan"
    recon_matches(body["reconciliation"], ledger.expected)


def test_bad_amount_unit_is_refused(client, lw, tmp_path):
    ledger = official_ledger(5, debtors=DEBTORS)
    r = upload(
        client, lw, "clerk_a1", ledger.write_csv(tmp_path / "c.csv").read_bytes(), "c.csv", amount_unit="千元"
    )
    assert r.status_code == 422
    assert r.json["errors"]["amount_unit"] == ["金额单位只能是 yuan（元）或 wan（万元）"]


def test_preview_page_shows_the_reconciliation(client, lw, tmp_path):
    ledger = official_ledger(60, debtors=DEBTORS, seed=8)
    body = uploaded(client, lw, ledger.write_xlsx(tmp_path / "a.xlsx").read_bytes(), "a.xlsx")
    page = client.get(f"/ledger/imports/{body['id']}?tab=duplicate", headers=lw.headers("clerk_a1"))
    html = page.get_data(as_text=True)
    data = ledger.expected.amounts["data"]
    assert f'<strong data-amount="data">{data:,.2f}</strong>' in html
    assert f"{data / 10000:.6f} 万元" in html
    assert f'<strong data-count="duplicate">{ledger.expected.rows["duplicate"]}</strong>' in html
    assert "金额单位：<strong>万元</strong>（依据：文件中的“单位”行）" in html
    first, dup = ledger.expected.duplicates[0]
    assert f'<tr data-row="{dup}">' in html and f"与第{first}行" in html


# --- Column mapping -----------------------------------------------------------------------------------


def odd_header_csv(tmp_path: Path, name="odd.csv") -> Path:
    rows = [
        ["欠款单位", "债权企业名称", "款项类别", "欠款金额", "结算到期日", "经办人"],
        ["甲一镇人民政府", "甲公司", "货物", "100.00", "2023-04-30", "张三"],
    ]
    return write_csv(tmp_path / name, rows)


def test_unmapped_columns_are_reported_and_can_be_mapped(client, lw, tmp_path):
    path = odd_header_csv(tmp_path)
    body = uploaded(client, lw, path.read_bytes(), path.name)
    assert body["file_info"]["unmapped_headers"] == ["结算到期日", "经办人"]
    page = client.get(f"/ledger/imports/{body['id']}", headers=lw.headers("clerk_a1")).get_data(as_text=True)
    assert "未识别的列（已忽略）" in page and 'data-unmapped="结算到期日"' in page
    got = client.get(f"/api/v1/ledger/imports/{body['id']}/mapping", headers=lw.headers("clerk_a1")).json
    assert got["unmapped_headers"] == ["结算到期日", "经办人"] and "agreed_payment_date" in got["fields"]

    r = client.post(
        f"/api/v1/ledger/imports/{body['id']}/mapping",
        json={"mapping": {"结算到期日": "agreed_payment_date", "经办人": "_ignored"}},
        headers=lw.headers("clerk_a1"),
    )
    assert r.status_code == 202, r.json
    assert r.json["status"] == "previewed" and r.json["file_info"]["unmapped_headers"] == []
    assert r.json["file_info"]["columns"]["agreed_payment_date"] == "结算到期日"
    new = rows_of(client, lw, "clerk_a1", body["id"], "new")
    assert new[0]["values"]["agreed_payment_date"] == "2023-04-30"

    # remembered for the jurisdiction: the next upload reads the column without asking
    again = uploaded(client, lw, path.read_bytes(), path.name)
    assert again["file_info"]["columns"]["agreed_payment_date"] == "结算到期日"
    assert again["file_info"]["unmapped_headers"] == []


def test_mapping_errors_and_refusals(client, lw, tmp_path):
    path = odd_header_csv(tmp_path)
    body = uploaded(client, lw, path.read_bytes(), path.name)
    url = f"/api/v1/ledger/imports/{body['id']}/mapping"
    r = client.post(url, json={"mapping": {"结算到期日": "no_such_field"}}, headers=lw.headers("clerk_a1"))
    assert r.status_code == 422 and r.json["errors"]["结算到期日"] == ["未知字段：no_such_field"]
    r = client.post(
        url,
        json={"mapping": {"结算到期日": "agreed_payment_date", "经办人": "agreed_payment_date"}},
        headers=lw.headers("clerk_a1"),
    )
    assert r.status_code == 422
    assert ["一个字段只能对应一列" in m for m in sum(r.json["errors"].values(), [])] == [True]
    r = client.post(url, json={"mapping": {}}, headers=lw.headers("clerk_a1"))
    assert r.status_code == 422
    # another unit of the jurisdiction cannot re-parse this unit's import
    r = client.post(url, json={"mapping": {"经办人": "_ignored"}}, headers=lw.headers("clerk_a2"))
    assert r.status_code == 404
    assert commit(client, lw, "clerk_a1", body["id"]).json["status"] == "committed"
    r = client.post(url, json={"mapping": {"经办人": "_ignored"}}, headers=lw.headers("clerk_a1"))
    assert r.status_code == 409


def test_mappings_stay_in_their_jurisdiction(client, lw, tmp_path):
    path = odd_header_csv(tmp_path)
    body = uploaded(client, lw, path.read_bytes(), path.name)
    r = client.post(
        f"/api/v1/ledger/imports/{body['id']}/mapping",
        json={"mapping": {"结算到期日": "agreed_payment_date"}},
        headers=lw.headers("clerk_a1"),
    )
    assert r.status_code == 202
    with system_scope():
        saved = db.session.scalars(db.select(LedgerColumnMapping)).all()
        assert [(m.jurisdiction_id, m.header, m.field) for m in saved] == [
            (lw.nodes["a"].id, "结算到期日", "agreed_payment_date")
        ]
    from plugins.ledger.imports.mapping import saved_mapping

    with system_scope():
        assert saved_mapping(lw.nodes["b"].id) == {}


def test_mapping_from_the_page(client, lw, tmp_path):
    path = odd_header_csv(tmp_path)
    body = uploaded(client, lw, path.read_bytes(), path.name)
    page = client.get(f"/ledger/imports/{body['id']}", headers=lw.headers("clerk_a1"))
    assert 'id="import-mapping-form"' in page.get_data(as_text=True)
    r = client.post(
        f"/ledger/imports/{body['id']}/mapping",
        data={"header": ["结算到期日", "经办人"], "field": ["agreed_payment_date", ""]},
        headers=lw.headers("clerk_a1"),
    )
    assert r.status_code == 302
    got = client.get(f"/api/v1/ledger/imports/{body['id']}", headers=lw.headers("clerk_a1")).json
    assert got["file_info"]["columns"]["agreed_payment_date"] == "结算到期日"
    assert got["file_info"]["unmapped_headers"] == ["经办人"]


# --- Rejected rows keep their numbers -----------------------------------------------------------------


def test_reuploaded_rejected_rows_report_their_original_numbers(client, lw, tmp_path):
    ledger = official_ledger(120, debtors=DEBTORS, seed=13)
    body = uploaded(client, lw, ledger.write_xlsx(tmp_path / "a.xlsx").read_bytes(), "a.xlsx")
    r = client.get(f"/api/v1/ledger/imports/{body['id']}/rejected.xlsx", headers=lw.headers("clerk_a1"))
    original = {
        row[0] for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(min_row=2, values_only=True)
    }
    expected = {n for n, s in ledger.expected.status_of.items() if s in ("rejected", "duplicate")}
    assert original == expected

    again = uploaded(client, lw, r.data, "被拒绝行.xlsx")
    rejected = rows_of(client, lw, "clerk_a1", again["id"], "rejected")
    assert rejected and all(row["source_row"] in expected for row in rejected)
    assert all(row["row_number"] != row["source_row"] for row in rejected)
    r2 = client.get(f"/api/v1/ledger/imports/{again['id']}/rejected.xlsx", headers=lw.headers("clerk_a1"))
    sheet = load_workbook(io.BytesIO(r2.data)).active
    header = [c.value for c in sheet[1]]
    assert header.count("行号") == 1 and header.count("错误原因") == 1
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers <= expected and numbers  # still the numbers of the clerk's original file
    page = client.get(f"/ledger/imports/{again['id']}?tab=rejected", headers=lw.headers("clerk_a1"))
    assert f"原第{rejected[0]['source_row']}行" in page.get_data(as_text=True)


def test_planned_repayment_date_may_lie_ahead_and_remarks_keep_their_lines(tmp_path):
    rows = [
        ["欠款单位", "债权企业名称", "款项类别", "欠款金额", "已偿还金额", "计划偿还时间", "备注"],
        ["某局", "甲公司", "货物", 5, 1, "2024-06-30", "第一行\r\n  第二行_x000D_\n\n第三行"],
    ]
    res = parse_file(write_xlsx(tmp_path / "p.xlsx", rows), "p.xlsx", PLAN, today=TODAY)
    row = res.rows[0]
    assert row.status != "rejected", row.issues
    assert row.values["planned_repayment_date"] == dt.date(2024, 6, 30)
    assert row.values["paid_amount"] == Decimal("1.00")
    assert row.values["remarks"] == "第一行\n第二行\n第三行"


# --- The export writes each debt's own declared values ------------------------------------------------


def test_export_writes_each_debts_own_debtor_type_and_private_flag(client, lw, tmp_path):
    from tests.ledger.fixtures import code

    header = [
        "欠款单位",
        "欠款单位类型",
        "债权企业名称",
        "统一社会信用代码",
        "是否民营企业",
        "合同编号",
        "款项类别",
        "欠款金额",
    ]
    rows = [
        header,
        ["甲一镇人民政府", "事业单位", "甲公司", code(71), "否", "EXP-1", "货物", "100"],
        ["甲一镇人民政府", "机关", "甲公司", code(71), "是", "EXP-2", "货物", "200"],
        ["甲一镇财政所", "", "乙公司", code(72), "", "EXP-3", "货物", "300"],
    ]
    body = uploaded(client, lw, write_csv(tmp_path / "e.csv", rows).read_bytes(), "e.csv")
    assert commit(client, lw, "clerk_a1", body["id"]).json["status"] == "committed"
    r = client.get("/api/v1/ledger/export.xlsx", headers=lw.headers("clerk_a1"))
    assert r.status_code == 200
    sheet = [list(row) for row in load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True)]
    head = sheet[2]
    col = {name: head.index(name) for name in ("合同编号", "欠款单位类型", "是否民营企业")}
    got = {
        row[col["合同编号"]]: (row[col["欠款单位类型"]], row[col["是否民营企业"]])
        for row in sheet[3:]
        if row[col["合同编号"]]
    }
    # as declared per row; the third row declared nothing: its unit's class and the creditor's registration
    assert got == {"EXP-1": ("事业单位", "否"), "EXP-2": ("机关", "是"), "EXP-3": ("事业单位", "是")}


def test_a_preview_read_in_the_wrong_unit_is_parsed_again_in_the_other(client, lw, tmp_path):
    ledger = official_ledger(60, debtors=DEBTORS, seed=17)
    content = ledger.write_csv(tmp_path / "县台账.csv").read_bytes()
    body = uploaded(client, lw, content, "县台账.csv")
    assert body["file_info"]["amount_unit"] == "yuan" and body["file_info"]["unit_warnings"]
    page = client.get(f"/ledger/imports/{body['id']}", headers=lw.headers("clerk_a1")).get_data(as_text=True)
    assert "改按万元重新解析" in page
    url = f"/api/v1/ledger/imports/{body['id']}/mapping"
    assert client.post(url, json={"amount_unit": "千元"}, headers=lw.headers("clerk_a1")).status_code == 422
    r = client.post(url, json={"amount_unit": "wan"}, headers=lw.headers("clerk_a1"))
    assert r.status_code == 202, r.json
    assert r.json["amount_unit"] == "wan" and r.json["file_info"]["unit_source"] == "upload"
    assert r.json["file_info"]["unit_warnings"] == []
    recon_matches(r.json["reconciliation"], ledger.expected)
    # from the page: back to the file's own marker (none here: the plan's 元)
    r = client.post(
        f"/ledger/imports/{body['id']}/mapping", data={"amount_unit": ""}, headers=lw.headers("clerk_a1")
    )
    assert r.status_code == 302
    got = client.get(f"/api/v1/ledger/imports/{body['id']}", headers=lw.headers("clerk_a1")).json
    assert got["amount_unit"] is None and got["file_info"]["unit_source"] == "plan"


def test_a_larger_county_file_reconciles_and_lands_to_the_fen(client, lw, tmp_path):
    ledger = official_ledger(1500, debtors=DEBTORS, foreign_debtor="甲二镇人民政府", seed=1)
    content = ledger.write_csv(tmp_path / "县台账.csv").read_bytes()
    body = uploaded(client, lw, content, "县台账.csv", amount_unit="wan")
    recon_matches(body["reconciliation"], ledger.expected)
    listed = client.get("/ledger/imports", headers=lw.headers("clerk_a1")).get_data(as_text=True)
    assert f'<td class="num">{ledger.expected.rows["duplicate"]}</td>' in listed
    assert commit(client, lw, "clerk_a1", body["id"]).json["status"] == "committed"
    assert debts_total() == (ledger.expected.rows["accepted"], ledger.expected.amounts["accepted"])
