"""Ledger imports through the API and the pages: upload → preview → commit, idempotence, all-or-nothing,
rejected-row round trip, file limits, isolation and the plugin switch."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from core import create_app, hookimpl
from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise
from core.models.event import Event
from core.rules.credit_code import make
from core.rules.validation import Issue
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope

CODE_1 = make("91140922MA0K12345")
CODE_2 = make("91140922MA0K23456")
CODE_3 = make("91140922MA0K34567")
CODE_4 = make("91140922MA0K45678")
CODE_5 = make("91140922MA0K56789")
HEADERS = [
    "序号",
    "欠款单位",
    "债权企业名称",
    "统一社会信用代码",
    "企业规模",
    "项目名称",
    "合同编号",
    "款项类别",
    "欠款金额",
    "交付日期",
]
GOOD_ROWS = [
    [
        1,
        "甲一镇人民政府",
        "五台山宏达建筑工程有限公司",
        CODE_1,
        "小型",
        "景区道路维修工程",
        "HT-001",
        "工程",
        12.5,
        "2023-01-15",
    ],
    [
        2,
        "甲一镇政府",
        "忻州立信商贸有限公司",
        CODE_2,
        "微型",
        "办公用品采购",
        "HT-002",
        "货物",
        "3.2",
        "2023/2/1",
    ],
    [
        3,
        "甲一镇财政所",
        "五台县清风物业服务有限公司",
        CODE_3,
        "中型",
        "办公楼物业服务",
        "HT-003",
        "服务",
        8,
        "2022年12月1日",
    ],
]
BAD_ROWS = [
    [
        4,
        "甲一镇人民政府",
        "错误代码科技有限公司",
        "91140ABC",
        "小型",
        "网络维护",
        "HT-004",
        "服务",
        1,
        "2023-03-01",
    ],
    [
        5,
        "甲一镇人民政府",
        "大型央企建设集团有限公司",
        CODE_4,
        "大型",
        "广场改造",
        "HT-005",
        "工程",
        100,
        "2023-03-01",
    ],
    [6, "甲二镇人民政府", "外镇供货有限公司", CODE_5, "小型", "绿化苗木", "HT-006", "货物", 2, "2023-03-01"],
]


def xlsx_bytes(rows, *, unit_row="填报单位：甲一镇人民政府    单位：万元", total=True) -> bytes:
    """A workbook as clerks send it: title row, unit row, header, data, a 合计 row and a signature footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["甲风景区拖欠中小企业账款台账（2023年8月）"])
    ws.append([unit_row])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    if total:
        ws.append(
            [
                "合计",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                float(sum(Decimal(str(r[8])) for r in rows)),
                None,
            ]
        )
    ws.append(["填表人：张三", None, None, "审核人：李四"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def set_ledger(world, enabled: bool) -> None:
    with system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        plan = dict(a.plan)
        plugins = [p for p in plan.get("plugins", []) if p != "ledger"]
        plan["plugins"] = [*plugins, "ledger"] if enabled else plugins
        a.plan = plan  # reassign: JSON columns do not see in-place changes
        db.session.commit()
        db.session.refresh(a)


@pytest.fixture
def lw(world):
    """The world with the ledger plugin enabled for jurisdiction a (b keeps it off)."""
    set_ledger(world, True)
    return world


def node_id(world, code: str) -> int:
    # Read in system scope: on PostgreSQL, row-level security hides an expired node outside any scope.
    with system_scope():
        return world.node(code).id


def upload(client, world, user, content: bytes, filename="台账.xlsx", **form):
    data = {"file": (io.BytesIO(content), filename), **{k: str(v) for k, v in form.items()}}
    return client.post(
        "/api/v1/ledger/imports", data=data, headers=world.headers(user), content_type="multipart/form-data"
    )


def rows_of(client, world, user, import_id, status):
    r = client.get(
        f"/api/v1/ledger/imports/{import_id}/rows?status={status}&page_size=500", headers=world.headers(user)
    )
    assert r.status_code == 200, r.json
    return r.json


def commit(client, world, user, import_id):
    return client.post(f"/api/v1/ledger/imports/{import_id}/commit", headers=world.headers(user))


def counts_add_up(body) -> None:
    c = body["counts"]
    assert c["read"] == body["rows_read"] == c["accepted"] + c["warning"] + c["rejected"] + c["skipped"]
    assert c["new"] + c["changed"] + c["unchanged"] == c["accepted"] + c["warning"]


def debt_count() -> int:
    with system_scope():
        return db.session.scalar(db.select(db.func.count()).select_from(Debt))


def event_count() -> int:
    with system_scope():
        return db.session.scalar(db.select(db.func.count()).select_from(Event))


def imported(client, world, user="clerk_a1", rows=None, **kwargs):
    r = upload(client, world, user, xlsx_bytes(rows if rows is not None else GOOD_ROWS + BAD_ROWS), **kwargs)
    assert r.status_code == 202, r.json
    return r.json


# --- The main path -----------------------------------------------------------------------------------


def test_upload_preview_commit(client, lw):
    body = imported(client, lw)
    assert body["status"] == "previewed", body
    assert body["job_id"]
    counts_add_up(body)
    c = body["counts"]
    assert c["accepted"] + c["warning"] == 3 and c["rejected"] == 3 and c["skipped"] >= 1
    assert c["new"] == 3 and c["changed"] == 0
    assert body["file_info"]["unit_multiplier"] in ("10000", "1E+4")

    rejected = {r["row_number"]: r for r in rows_of(client, lw, "clerk_a1", body["id"], "rejected")}
    assert len(rejected) == 3
    messages = {n: " ".join(i["message"] for i in r["issues"]) for n, r in rejected.items()}
    assert any("信用代码" in m for m in messages.values()), messages
    assert any("大型" in m or "范围" in m for m in messages.values()), messages
    assert any("甲二镇" in m for m in messages.values()), messages  # debtor outside clerk_a1's subtree

    new = rows_of(client, lw, "clerk_a1", body["id"], "new")
    assert {r["values"]["contract_no"] for r in new} == {"HT-001", "HT-002", "HT-003"}
    assert debt_count() == 0  # a preview writes nothing to the ledger

    job = client.get(f"/api/v1/jobs/{body['job_id']}", headers=lw.headers("clerk_a1"))
    assert job.status_code == 200 and job.json["status"] == "succeeded"

    r = commit(client, lw, "clerk_a1", body["id"])
    assert r.status_code == 202, r.json
    assert r.json["status"] == "committed", r.json
    assert r.json["commit_job_id"]
    debts = client.get("/api/v1/debts?page_size=100", headers=lw.headers("clerk_a1")).json
    by_contract = {d["contract_no"]: d for d in debts}
    assert set(by_contract) == {"HT-001", "HT-002", "HT-003"}
    assert by_contract["HT-001"]["amount_owed"] == "125000.00"  # 12.5 万元
    assert by_contract["HT-002"]["amount_owed"] == "32000.00"
    assert all(d["status"] == "to_verify" and d["source"] == "self_inspection" for d in debts)
    office_id = node_id(lw, "a.town1.office")
    with system_scope():
        row3 = db.session.scalar(db.select(Debt).where(Debt.contract_no == "HT-003"))
        assert row3.unit_id == office_id  # a unit below the uploader's, resolved by name
        history = db.session.scalars(
            db.select(Event).where(Event.entity_type == "debts", Event.action == "created")
        ).all()
        assert len(history) == 3

    again = commit(client, lw, "clerk_a1", body["id"])
    assert again.status_code == 409
    assert again.json["code"] == "conflict"


def test_list_and_rows_filters(client, lw):
    body = imported(client, lw)
    r = client.get("/api/v1/ledger/imports", headers=lw.headers("clerk_a1"))
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "1"
    assert r.json[0]["id"] == body["id"]
    r = client.get(f"/api/v1/ledger/imports/{body['id']}/rows?status=bogus", headers=lw.headers("clerk_a1"))
    assert r.status_code == 422
    # The office sees a unit's import; a sibling unit does not.
    assert (
        client.get(f"/api/v1/ledger/imports/{body['id']}", headers=lw.headers("office_a")).status_code == 200
    )
    assert client.get("/api/v1/ledger/imports", headers=lw.headers("clerk_a2")).json == []


def test_rejected_rows_download_fix_and_upload_again(client, lw):
    body = imported(client, lw)
    r = client.get(f"/api/v1/ledger/imports/{body['id']}/rejected.xlsx", headers=lw.headers("clerk_a1"))
    assert r.status_code == 200
    assert r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    table = [list(row) for row in ws.iter_rows(values_only=True)]
    header = table[0]
    assert header[-1] and "原因" in header[-1]
    assert len(table) == 1 + 3
    # Fix the three rows as a clerk would, then upload the workbook as it is.
    col = {h: i for i, h in enumerate(header)}
    code_col = next(i for h, i in col.items() if h and "信用代码" in h)
    size_col = next(i for h, i in col.items() if h and "规模" in h)
    debtor_col = next(i for h, i in col.items() if h and "欠款单位" in h)
    wb = Workbook()
    out = wb.active
    out.append(header)
    for row in table[1:]:
        row = list(row)
        if row[code_col] == "91140ABC":
            row[code_col] = make("91140922MA0K99887")
        if row[size_col] == "大型":
            row[size_col] = "中型"
        if row[debtor_col] == "甲二镇人民政府":
            row[debtor_col] = "甲一镇人民政府"
        out.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(client, lw, "clerk_a1", buf.getvalue(), filename="被拒绝行_已修改.xlsx")
    assert r.status_code == 202, r.json
    fixed = r.json
    counts_add_up(fixed)
    assert fixed["counts"]["rejected"] == 0, rows_of(client, lw, "clerk_a1", fixed["id"], "rejected")
    assert fixed["counts"]["new"] == 3
    amounts = sorted(
        Decimal(r["values"]["amount_owed"]) for r in rows_of(client, lw, "clerk_a1", fixed["id"], "new")
    )
    assert amounts == [
        Decimal("10000"),
        Decimal("20000"),
        Decimal("1000000"),
    ]  # still 万元 after the round trip


def test_formula_cells_are_escaped_in_the_rejected_download(client, lw):
    evil = [
        [7, "甲一镇人民政府", '=HYPERLINK("http://x")', "BAD", "小型", "@SUM(A1)", "HT-7", "工程", 1, None]
    ]
    body = imported(client, lw, rows=evil)
    r = client.get(f"/api/v1/ledger/imports/{body['id']}/rejected.xlsx", headers=lw.headers("clerk_a1"))
    ws = load_workbook(io.BytesIO(r.data)).active
    values = [v for row in ws.iter_rows(min_row=2, values_only=True) for v in row if isinstance(v, str)]
    assert values and not any(v.startswith(("=", "+", "-", "@")) for v in values), values


def test_same_file_twice_changes_nothing(client, lw):
    content = xlsx_bytes(GOOD_ROWS)
    first = upload(client, lw, "clerk_a1", content).json
    assert commit(client, lw, "clerk_a1", first["id"]).json["status"] == "committed"
    debts, events = debt_count(), event_count()
    second = upload(client, lw, "clerk_a1", content).json
    assert second["sha256"] == first["sha256"]
    counts_add_up(second)
    assert (second["counts"]["new"], second["counts"]["changed"], second["counts"]["unchanged"]) == (0, 0, 3)
    unchanged = rows_of(client, lw, "clerk_a1", second["id"], "unchanged")
    assert all(r["debt_id"] for r in unchanged)
    r = commit(client, lw, "clerk_a1", second["id"])
    assert r.status_code == 202 and r.json["status"] == "committed"
    assert (debt_count(), event_count()) == (debts, events)


def test_updated_file_updates_matching_debts_in_place(client, lw):
    first = imported(client, lw, rows=GOOD_ROWS)
    commit(client, lw, "clerk_a1", first["id"])
    with system_scope():
        ids = dict(db.session.execute(db.select(Debt.contract_no, Debt.id)).all())
    changed_rows = [list(r) for r in GOOD_ROWS]
    changed_rows[0][8] = 15  # 12.5 → 15 万元
    changed_rows[1][5] = "办公用品及耗材采购"
    second = imported(client, lw, rows=changed_rows)
    assert (second["counts"]["new"], second["counts"]["changed"], second["counts"]["unchanged"]) == (0, 2, 1)
    changes = {
        r["values"]["contract_no"]: r for r in rows_of(client, lw, "clerk_a1", second["id"], "changed")
    }
    assert changes["HT-001"]["diff"]["amount_owed"] == ["125000.00", "150000.00"]
    assert changes["HT-001"]["debt_id"] == ids["HT-001"]
    assert changes["HT-002"]["diff"]["project_name"] == ["办公用品采购", "办公用品及耗材采购"]
    assert commit(client, lw, "clerk_a1", second["id"]).json["status"] == "committed"
    with system_scope():
        after = dict(db.session.execute(db.select(Debt.contract_no, Debt.id)).all())
        assert after == ids  # updated in place, never duplicated
        debt = db.session.get(Debt, ids["HT-001"])
        assert debt.amount_owed == Decimal("150000.00")
        assert debt.undisputed_amount == Decimal("150000.00")
        updates = db.session.scalars(
            db.select(Event).where(Event.entity_id == ids["HT-001"], Event.action == "updated")
        ).all()
        assert len(updates) == 1 and "台账导入" in (updates[0].note or "")


def test_dry_run_false_commits_right_away(client, lw):
    body = imported(client, lw, rows=GOOD_ROWS, dry_run="false")
    assert body["status"] == "committed", body
    assert debt_count() == 3


def test_sibling_debt_is_not_matched_or_changed(client, lw):
    """An office import for a.town2 names the same creditor and contract as a.town1's debt: a new debt."""
    commit(client, lw, "clerk_a1", imported(client, lw, rows=GOOD_ROWS[:1])["id"])
    row = list(GOOD_ROWS[0])
    row[1] = "甲二镇人民政府"
    body = imported(client, lw, user="clerk_a2", rows=[row], unit_row="单位：万元")
    assert body["counts"]["new"] == 1 and body["counts"]["changed"] == 0


# --- One validation: the preview's verdict is the commit's -------------------------------------------


class RefuseMarked:
    """A plugin-only validation rule that refuses one row's debt."""

    PLUGIN_NAME = "refuse_marked"

    @hookimpl
    def qingqian_validate_debt(self, debt, plan, tenant):
        if "拒绝导入" in (debt.project_name or ""):
            return [Issue("project_name", "测试规则：该项目不允许导入")]
        return []


@pytest.fixture
def refusing_client(_app, lw):
    with system_scope():
        a = db.session.get(TenantNode, lw.nodes["a"].id)
        a.plan = {**a.plan, "plugins": [*a.plan["plugins"], "refuse_marked"]}  # reassigned, as above
        db.session.commit()
    other = create_app(dict(_app.config), plugins=[RefuseMarked()])
    with other.app_context():
        yield other.test_client()
        db.session.remove()


def test_a_plugin_rule_rejects_its_row_in_the_preview_and_the_rest_commits(refusing_client, lw):
    """Issue 23: the preview showed a plugin-refused row as new and the whole commit then failed."""
    client = refusing_client
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][5] = "拒绝导入的物业服务"
    body = imported(client, lw, rows=rows)
    counts_add_up(body)
    assert (body["counts"]["new"], body["counts"]["rejected"]) == (2, 1)
    rejected = rows_of(client, lw, "clerk_a1", body["id"], "rejected")
    assert [r["row_number"] for r in rejected] == [6]
    assert any("不允许导入" in i["message"] for i in rejected[0]["issues"])
    r = commit(client, lw, "clerk_a1", body["id"])
    assert r.status_code == 202
    assert r.json["status"] == "committed", r.json
    assert r.json["counts"] == body["counts"]
    assert debt_count() == 2


def test_a_rule_enabled_after_the_preview_rejects_only_its_row(client, refusing_client, lw):
    """A row-level rule never fails a whole commit: the row is rejected with the rule's reason."""
    # Previewed before the rule applies (the plain app has no such plugin)...
    with system_scope():
        a = db.session.get(TenantNode, lw.nodes["a"].id)
        a.plan = {**a.plan, "plugins": [p for p in a.plan["plugins"] if p != "refuse_marked"]}
        db.session.commit()
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][5] = "拒绝导入的物业服务"
    body = imported(client, lw, rows=rows)
    assert body["counts"]["new"] == 3
    # ...committed after it was enabled.
    with system_scope():
        a = db.session.get(TenantNode, lw.nodes["a"].id)
        a.plan = {**a.plan, "plugins": [*a.plan["plugins"], "refuse_marked"]}
        db.session.commit()
    r = commit(refusing_client, lw, "clerk_a1", body["id"])
    assert r.json["status"] == "committed", r.json
    assert debt_count() == 2
    after = r.json
    counts_add_up(after)
    assert (after["counts"]["new"], after["counts"]["rejected"]) == (2, body["counts"]["rejected"] + 1)
    rejected = rows_of(refusing_client, lw, "clerk_a1", body["id"], "rejected")
    assert any(
        r["row_number"] == 6 and any("不允许导入" in i["message"] for i in r["issues"]) for r in rejected
    )
    # the money moves with the row: the reconciliation still adds up to the file's total
    before, recon = body["reconciliation"], after["reconciliation"]
    owed = Decimal(recon["amounts"]["rejected"]) - Decimal(before["amounts"]["rejected"])
    assert owed > 0
    assert Decimal(recon["amounts"]["accepted"]) == Decimal(before["amounts"]["accepted"]) - owed
    assert recon["amounts"]["data"] == before["amounts"]["data"]
    assert recon["rows"]["rejected"] == before["rows"]["rejected"] + 1


# --- File limits -------------------------------------------------------------------------------------


@pytest.fixture
def small_limit_client(_app):
    other = create_app({**dict(_app.config), "MAX_CONTENT_LENGTH": 2048})
    with other.app_context():
        yield other.test_client()
        db.session.remove()


def test_too_large_upload_is_413(small_limit_client, lw):
    r = upload(small_limit_client, lw, "clerk_a1", b"x" * 10_000, filename="big.csv")
    assert r.status_code == 413
    assert r.json["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("content", "filename"), [(b"", "empty.xlsx"), (b"hello", "notes.txt"), (b"MZ\x90\x00", "tool.exe")]
)
def test_empty_or_unknown_files_are_422(client, lw, content, filename):
    r = upload(client, lw, "clerk_a1", content, filename=filename)
    assert r.status_code == 422, r.json
    assert "file" in r.json["errors"]


def test_missing_file_is_422(client, lw):
    r = client.post("/api/v1/ledger/imports", data={}, headers=lw.headers("clerk_a1"))
    assert r.status_code == 422


def test_unreadable_file_fails_the_import_with_a_message(client, lw):
    r = upload(client, lw, "clerk_a1", b"PK\x03\x04 not really a workbook", filename="broken.xlsx")
    assert r.status_code == 202
    assert r.json["status"] == "failed" and r.json["error"]
    assert commit(client, lw, "clerk_a1", r.json["id"]).status_code == 409


def test_unit_outside_scope_is_404_naming_the_field(client, lw):
    r = upload(client, lw, "clerk_a1", xlsx_bytes(GOOD_ROWS), unit_id=node_id(lw, "a.town2"))
    assert r.status_code == 404 and "unit_id" in r.json["errors"], r.json


def test_clerk_may_import_for_a_unit_below(client, lw):
    office_id = node_id(lw, "a.town1.office")
    rows = [r for r in GOOD_ROWS if r[1] == "甲一镇财政所"]
    body = imported(client, lw, rows=rows + [GOOD_ROWS[0]], unit_id=office_id, unit_row="单位：万元")
    assert body["unit_id"] == office_id
    assert body["counts"]["new"] == 1 and body["counts"]["rejected"] == 1  # 甲一镇 is above 财政所


# --- Isolation and the plugin switch -----------------------------------------------------------------


def test_other_tenants_get_404(client, lw):
    body = imported(client, lw)
    base = f"/api/v1/ledger/imports/{body['id']}"
    for user in ("clerk_b1", "office_b", "clerk_a2"):
        for url in (base, base + "/rows", base + "/rejected.xlsx", f"/ledger/imports/{body['id']}"):
            assert client.get(url, headers=lw.headers(user)).status_code == 404, (user, url)
        assert client.post(base + "/commit", headers=lw.headers(user)).status_code == 404, user
    assert client.get(base, headers=lw.headers("clerk_a1")).status_code == 200


def test_plugin_disabled_for_tenant_is_404(client, world):
    set_ledger(world, False)
    assert client.get("/api/v1/ledger/imports", headers=world.headers("clerk_a1")).status_code == 404
    r = upload(client, world, "clerk_a1", xlsx_bytes(GOOD_ROWS))
    assert r.status_code == 404
    assert client.get("/ledger/imports", headers=world.headers("clerk_a1")).status_code == 404


def test_readers_cannot_upload_or_commit(client, lw):
    body = imported(client, lw)
    assert upload(client, lw, "leader_a", xlsx_bytes(GOOD_ROWS)).status_code == 403
    assert commit(client, lw, "auditor_a", body["id"]).status_code == 403
    assert (
        client.get(f"/api/v1/ledger/imports/{body['id']}", headers=lw.headers("leader_a")).status_code == 200
    )


# --- Pages and template --------------------------------------------------------------------------------


def test_pages_upload_preview_commit(client, lw):
    h = lw.headers("clerk_a1")
    page = client.get("/ledger/imports", headers=h)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for marker in ('id="import-file"', 'id="import-submit"', "下载台账模板", "甲一镇财政所"):
        assert marker in html
    r = client.post(
        "/ledger/imports",
        data={"file": (io.BytesIO(xlsx_bytes(GOOD_ROWS + BAD_ROWS)), "台账.xlsx")},
        headers=h,
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    detail_url = r.headers["Location"]
    html = client.get(detail_url, headers=h).get_data(as_text=True)
    assert 'id="import-status"' in html and 'data-status="previewed"' in html
    assert 'data-count="read"' in html and 'id="import-commit"' in html and "下载被拒绝行" in html
    assert "读取" in html and "通过" in html and "拒绝" in html
    import_id = int(detail_url.rstrip("/").rsplit("/", 1)[-1])
    html = client.get(f"/ledger/imports/{import_id}?tab=rejected", headers=h).get_data(as_text=True)
    assert "91140ABC" in html
    r = client.post(f"/ledger/imports/{import_id}/commit", headers=h)
    assert r.status_code == 302
    html = client.get(detail_url, headers=h).get_data(as_text=True)
    assert 'data-status="committed"' in html and 'id="import-commit"' not in html
    nav = client.get("/", headers=h).get_data(as_text=True)
    assert "台账导入" in nav


def test_page_upload_without_file_flashes(client, lw):
    r = client.post("/ledger/imports", data={}, headers=lw.headers("clerk_a1"))
    assert r.status_code == 302


def test_template_downloads(client, lw):
    for url in ("/api/v1/ledger/template", "/ledger/template.xlsx"):
        r = client.get(url, headers=lw.headers("clerk_a1"))
        assert r.status_code == 200, url
        wb = load_workbook(io.BytesIO(r.data))
        assert wb.sheetnames


def test_creditors_without_a_code_are_registered_once_and_linked_to_each_unit(client, lw):
    """Rows without a credit code: one creditor per exact name in the jurisdiction, linked to every debtor
    unit that names it, an existing creditor of that name reused, and a re-upload creates none."""
    from core.models.enterprise import EnterpriseLink

    with system_scope():
        db.session.add(
            Enterprise(
                jurisdiction_id=lw.nodes["a"].id,
                name="已登记无代码商行",
                registered_by_unit_id=lw.nodes["a"].id,
            )
        )
        db.session.commit()
    rows = [
        [1, "甲一镇人民政府", "无代码建材商店", None, "小型", "建材采购", "NC-001", "货物", 1, "2023-01-15"],
        [2, "甲一镇财政所", "无代码建材商店", None, "小型", "建材采购二", "NC-002", "货物", 2, "2023-01-16"],
        [
            3,
            "甲一镇人民政府",
            "已登记无代码商行",
            None,
            "小型",
            "五金采购",
            "NC-003",
            "货物",
            3,
            "2023-01-17",
        ],
    ]
    body = imported(client, lw, rows=rows)
    assert body["counts"]["new"] == 3, body
    assert commit(client, lw, "clerk_a1", body["id"]).json["status"] == "committed"
    town1, office = node_id(lw, "a.town1"), node_id(lw, "a.town1.office")
    with system_scope():
        shops = db.session.scalars(db.select(Enterprise).where(Enterprise.name == "无代码建材商店")).all()
        known = db.session.scalars(db.select(Enterprise).where(Enterprise.name == "已登记无代码商行")).all()
        assert len(shops) == 1 and len(known) == 1
        debts = {d.contract_no: d for d in db.session.scalars(db.select(Debt))}
        assert debts["NC-001"].creditor_id == debts["NC-002"].creditor_id == shops[0].id
        assert debts["NC-003"].creditor_id == known[0].id
        links = {
            (row[0], row[1])
            for row in db.session.execute(db.select(EnterpriseLink.enterprise_id, EnterpriseLink.unit_id))
        }
        assert {(shops[0].id, town1), (shops[0].id, office), (known[0].id, town1)} <= links
        enterprises_before = db.session.scalar(db.select(db.func.count()).select_from(Enterprise))
    again = imported(client, lw, rows=rows)
    assert again["counts"]["unchanged"] == 3 and again["counts"]["new"] == 0, again["counts"]
    with system_scope():
        assert db.session.scalar(db.select(db.func.count()).select_from(Enterprise)) == enterprises_before
