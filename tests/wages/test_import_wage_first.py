"""The wages plugin's rule on planned repayment dates governs a ledger import like any form (issue 23,
point 1): a row that would plan another debt of the unit before a linked wage debt is rejected in the
preview with the rule's reason, and the commit lands exactly what the preview accepted."""

from __future__ import annotations

import io

from openpyxl import Workbook

from core.rules.credit_code import make
from tests.conftest import needs_plugins
from tests.ledger.test_imports import commit, rows_of, set_ledger, upload

pytestmark = needs_plugins("ledger", "wages")

HEADERS = ["序号", "欠款单位", "债权企业名称", "统一社会信用代码", "企业规模", "项目名称", "合同编号"]
HEADERS += ["款项类别", "欠款金额", "交付日期", "计划偿还时间"]


def _ledger(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["甲一镇拖欠中小企业账款台账"])
    ws.append(["填报单位：甲一镇人民政府    单位：元"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_row_planned_before_a_linked_wage_debt_is_rejected_in_preview_and_commit(client, linked):
    set_ledger(linked, True)
    base = ["甲一镇人民政府", "五台县清风物业服务有限公司", make("91140922MA0K77771"), "小型"]
    content = _ledger(
        [
            [1, *base, "办公楼物业服务", "WY-1", "服务", "30000", "2023-03-01", "2026-12-20"],
            [2, *base, "办公楼保洁服务", "WY-2", "服务", "20000", "2023-03-01", None],
        ]
    )
    r = upload(client, linked, "clerk_a1", content, "物业台账.xlsx")
    assert r.status_code == 202, r.json
    preview = r.json
    rejected = rows_of(client, linked, "clerk_a1", preview["id"], "rejected")
    assert [row["row_number"] for row in rejected] == [4]
    assert any("人社欠薪案件" in i["message"] for i in rejected[0]["issues"])
    assert preview["counts"]["new"] == 1

    r = commit(client, linked, "clerk_a1", preview["id"])
    assert r.status_code == 202 and r.json["counts"] == preview["counts"], r.json
    listed = client.get("/api/v1/debts", headers=linked.headers("clerk_a1")).json
    contracts = {d["contract_no"] for d in listed}
    assert "WY-2" in contracts and "WY-1" not in contracts
