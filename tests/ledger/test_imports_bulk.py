"""A few thousand generated rows through the whole import: batching, counts, idempotence on re-upload."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import Workbook

from core.extensions import db
from core.models.debt import Debt
from core.models.event import Event
from core.rules.credit_code import make
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope

ROWS = 3000
CREDITORS = 200  # creditors repeat across rows, as in real ledgers
UNITS = ("甲一镇人民政府", "甲一镇财政所")


def generated_xlsx(rows: int, amount_bump: int = 0) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["甲风景区拖欠中小企业账款台账"])
    ws.append(["单位：元"])
    ws.append(
        [
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
    )
    codes = [make(f"91140922MA{n:07d}") for n in range(CREDITORS)]
    for i in range(rows):
        c = i % CREDITORS
        ws.append(
            [
                UNITS[i % 2],
                f"生成测试企业{c:04d}有限公司",
                codes[c],
                "小型",
                f"生成项目{i:06d}",
                f"GEN-{i:06d}",
                ("货物", "工程", "服务")[i % 3],
                1000 + i + (amount_bump if i % 10 == 0 else 0),
                "2023-01-15",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def lw(world):
    with system_scope():
        a = db.session.get(TenantNode, world.nodes["a"].id)
        a.plan = {**a.plan, "plugins": [*[p for p in a.plan["plugins"] if p != "ledger"], "ledger"]}
        db.session.commit()
    return world


def upload(client, world, content: bytes, **form):
    data = {"file": (io.BytesIO(content), "生成台账.xlsx"), **form}
    r = client.post(
        "/api/v1/ledger/imports",
        data=data,
        headers=world.headers("clerk_a1"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 202, r.json
    return r.json


def counts() -> tuple[int, int]:
    with system_scope():
        return (
            db.session.scalar(db.select(db.func.count()).select_from(Debt)),
            db.session.scalar(db.select(db.func.count()).select_from(Event)),
        )


def test_thousands_of_rows_import_and_reimport(client, lw):
    content = generated_xlsx(ROWS)
    started = time.monotonic()
    body = upload(client, lw, content, dry_run="false")
    elapsed = time.monotonic() - started
    assert body["status"] == "committed", body
    c = body["counts"]
    assert c["read"] == ROWS and c["accepted"] + c["warning"] == ROWS and c["new"] == ROWS
    debts, events = counts()
    assert debts == ROWS
    print(f"\n{ROWS} rows parsed, previewed and committed in {elapsed:.1f}s")

    again = upload(client, lw, content)
    assert (again["counts"]["unchanged"], again["counts"]["new"], again["counts"]["changed"]) == (ROWS, 0, 0)
    assert counts() == (debts, events)

    bumped = upload(client, lw, generated_xlsx(ROWS, amount_bump=7))
    assert bumped["counts"]["changed"] == ROWS // 10 and bumped["counts"]["new"] == 0
    r = client.post(f"/api/v1/ledger/imports/{bumped['id']}/commit", headers=lw.headers("clerk_a1"))
    assert r.json["status"] == "committed", r.json
    assert counts() == (debts, events + ROWS // 10)
