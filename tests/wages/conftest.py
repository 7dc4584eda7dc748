"""The wage tests' world: a small ledger of works debts, the messy project and 人社 case sheets, the
imports of both, and the 人社 liaison accounts; shared by every wage test module (and the browser flow)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from core.extensions import db
from core.rules.credit_code import make
from core.tenancy.scope import system_scope
from tests.conftest import INSTALLED_PLUGINS, add_user, debt_payload

# The plugin's own tests need the plugin; CI's core runs (QINGQIAN_PLUGINS=<one>,sample) leave it out.
if "wages" not in INSTALLED_PLUGINS:
    collect_ignore_glob = ["test_*.py"]

HONGDA = "五台山宏达建筑工程有限公司"
HONGDA_CODE = make("91140922MA0K12345")
JINBEI = "晋北建设集团有限公司"
JINBEI_CODE = make("91140900MA0K54321")


def nid(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id


def add_debt(client, world, unit: str, **extra) -> int:
    body = debt_payload(unit_id=nid(world, unit), **extra)
    r = client.post("/api/v1/debts", json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json["id"]


def xlsx(rows: list[list[object]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


PROJECT_SHEET = [
    ["五台山景区工程建设项目登记表"],
    [
        "项目名称",
        "建设单位",
        "施工总承包单位",
        "统一社会信用代码",
        "合同编号",
        "专用账户开户银行",
        "农民工工资专用账户",
        "人工费用比例",
        "工资保证金（元）",
        "用工人数",
        "备注",
    ],
    [
        "景区道路维修工程",
        "甲一镇政府",
        HONGDA,
        HONGDA_CODE.lower(),
        "HT-2022-001",
        "农行五台支行",
        "6228 4801 2345 6789",
        "20%",
        "12.5万",
        "45人",
        None,
    ],
    [
        "游客中心改造工程",
        "甲一镇人民政府",
        f" {HONGDA} ",
        HONGDA_CODE,
        "HT-2022-002",
        "农行五台支行",
        "6228480100001111",
        0.25,
        80000,
        30,
        "二期",
    ],
    [None, None, None, None, None, None, None, None, None, None, None],
    ["无名工程", "不存在镇", "某某公司", None, None, None, None, None, "3万", None, None],
    [
        "景区道路维修工程",
        "甲一镇人民政府",
        HONGDA,
        HONGDA_CODE,
        None,
        None,
        None,
        "20%",
        "10,000.00",
        None,
        None,
    ],
    ["坏工程", "甲二镇人民政府", "某公司", None, None, None, None, "150%", "abc", None, None],
]

CASE_SHEET = [
    [
        "序号",
        "案件编号",
        "欠薪项目",
        "施工单位",
        "统一社会信用代码",
        "涉及人数",
        "欠薪金额",
        "欠薪期间",
        "受理日期",
    ],
    [
        1,
        "RS-001",
        "景区道路维修工程",
        "五台山宏达建筑工程 有限公司",
        HONGDA_CODE,
        12,
        "3.6万",
        "2023年1月至5月",
        "2023-06-01",
    ],
    [2, "RS-002", "停车场扩建", JINBEI, JINBEI_CODE, "8", 50000, "2023年3月", "2023/6/2"],
    [3, "RS-003", "某项目", "不认识的劳务公司", None, 5, "25,000.00", None, None],
    [4, "RS-001", "景区道路维修工程", HONGDA, HONGDA_CODE, 12, 36000, None, None],
    [5, "RS-004", "某项目", "某公司", None, 1, "-100", None, None],
]


@pytest.fixture
def ledger(client, world):
    """a.town1 owes 宏达 100,000 (HT-2022-001, road) and 60,000 (HT-2022-002, visitor centre); a.town2
    owes 晋北 40,000 for the car park (no project registered)."""
    ids = {
        "road": add_debt(client, world, "a.town1"),
        "centre": add_debt(
            client,
            world,
            "a.town1",
            project_name="游客中心改造工程",
            contract_no="HT-2022-002",
            amount_owed="60000.00",
        ),
        "park": add_debt(
            client,
            world,
            "a.town2",
            creditor={"name": JINBEI, "credit_code": JINBEI_CODE, "size_class": "medium"},
            project_name="停车场扩建工程",
            contract_no="JB-9",
            amount_owed="40000.00",
        ),
    }
    world.debts = ids
    return world


def upload(client, world, kind: str, rows, dry_run: bool, user: str = "office_a"):
    return client.post(
        f"/api/v1/wages/{kind}/imports",
        data={"file": (xlsx(rows), f"{kind}.xlsx"), "dry_run": "true" if dry_run else "false"},
        headers=world.headers(user),
        content_type="multipart/form-data",
    )


def import_projects(client, world) -> dict[str, dict]:
    r = upload(client, world, "projects", PROJECT_SHEET, dry_run=False)
    assert r.status_code == 201, r.json
    listed = client.get("/api/v1/wages/projects", headers=world.headers("office_a")).json
    return {p["name"]: p for p in listed}


@pytest.fixture
def linked(client, ledger):
    """Projects and cases imported: road (a.town1, RS-001, 36,000 wages) and the car park (a.town2,
    RS-002, 40,000) are 涉薪; the visitor centre (a.town1, 60,000) is not; RS-003 waits for a link."""
    assert upload(client, ledger, "projects", PROJECT_SHEET, dry_run=False).status_code == 201
    assert upload(client, ledger, "cases", CASE_SHEET, dry_run=False).status_code == 201
    h = ledger.headers("office_a")
    ledger.projects = {p["name"]: p["id"] for p in client.get("/api/v1/wages/projects", headers=h).json}
    return ledger


@pytest.fixture
def liaison(linked):
    with system_scope():
        add_user(linked, "rs_a", "wage_liaison", linked.node("a"))
        add_user(linked, "rs_a2", "wage_liaison", linked.node("a.town2"))
        add_user(linked, "rs_b", "wage_liaison", linked.node("b"))
        db.session.commit()
    return linked


def get(client, world, path, user="office_a"):
    return client.get(path, headers=world.headers(user))
