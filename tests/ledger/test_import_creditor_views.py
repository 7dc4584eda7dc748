"""An import links a creditor another unit registered under the same credit code with the name the
importing unit wrote (issue 13, point 1): the unit reads its own name back, never the other unit's."""

from __future__ import annotations

import json

from core.extensions import db
from core.models.enterprise import EnterpriseLink
from core.tenancy.scope import system_scope
from tests.ledger.test_imports import CODE_1, commit, imported, lw, node_id

__all__ = ["lw"]

SECRET_NAME = "乙二镇独家供应商有限公司"


def test_an_imported_row_keeps_the_name_its_unit_wrote(client, lw):
    r = client.post(
        "/api/v1/enterprises",
        json={"name": SECRET_NAME, "credit_code": CODE_1, "contacts": [{"name": "王经理"}]},
        headers=lw.headers("clerk_a2"),
    )
    assert r.status_code == 201
    row = [
        1,
        "甲一镇人民政府",
        "宏达建筑（甲一镇叫法）",
        CODE_1,
        "小型",
        "道路维修",
        "HT-1",
        "工程",
        12.5,
        "2023-01-15",
    ]
    preview = imported(client, lw, rows=[row])
    assert commit(client, lw, "clerk_a1", preview["id"]).status_code == 202
    listed = client.get("/api/v1/debts", headers=lw.headers("clerk_a1"))
    text = json.dumps(listed.json, ensure_ascii=False)
    assert SECRET_NAME not in text and "王经理" not in text
    assert [d["creditor"]["name"] for d in listed.json] == ["宏达建筑（甲一镇叫法）"]
    with system_scope():
        link = db.session.scalar(
            db.select(EnterpriseLink).where(EnterpriseLink.unit_id == node_id(lw, "a.town1"))
        )
        assert link.name == "宏达建筑（甲一镇叫法）" and link.contacts is None
