"""The agreements plugin's columns in the ledger export (``qingqian_export_columns``), only where enabled."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from core.extensions import db
from core.tenancy.scope import system_scope
from tests.agreements.conftest import make_debt, set_agreements
from tests.agreements.test_agreements import URL, body

CLASSIFY = "/api/v1/agreements/debts/{}/classification"


def enable_ledger(world) -> None:
    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "plugins": [*(p for p in a.plan["plugins"] if p != "ledger"), "ledger"]}
        db.session.commit()


def exported(client, world) -> dict[str, dict[str, object]]:
    """Contract number → {header: cell} of the exported ledger."""
    r = client.get("/api/v1/ledger/export.xlsx", headers=world.headers("office_a"))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    rows = list(openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    header = rows[2]
    data = [dict(zip(header, row, strict=True)) for row in rows[3:] if isinstance(row[0], int)]
    return {d["合同编号"]: d for d in data}


def test_ledger_export_shows_how_each_debt_is_being_cleared(client, aw):
    enable_ledger(aw)
    h = aw.headers("clerk_a1")
    agreed = make_debt(client, aw, contract_no="HT-A")
    assert client.post(URL, json=body(agreed["id"]), headers=h).status_code == 201
    disputed = make_debt(
        client, aw, contract_no="HT-D", undisputed_amount="70000.00", disputed_amount="30000.00"
    )
    r = client.put(
        CLASSIFY.format(disputed["id"]), json={"debt_class": "disputed", "reason": "工程量有争议"}, headers=h
    )
    assert r.status_code in (200, 201), r.json
    make_debt(client, aw, contract_no="HT-N")

    rows = exported(client, aw)
    assert rows["HT-A"]["还款协议"] == "履行中"
    assert rows["HT-A"]["下期应还日期"] == dt.datetime(2023, 9, 15)  # a real date cell
    assert rows["HT-D"]["化解分类"] == "有分歧（协商、调解或法律途径）"
    assert rows["HT-D"]["还款协议"] is None and rows["HT-D"]["下期应还日期"] is None
    assert (rows["HT-N"]["化解分类"], rows["HT-N"]["还款协议"]) == (None, None)

    # The first instalment paid in full: the next one is due next; all paid: no next date.
    first, second = client.get(f"{URL}?debt_id={agreed['id']}", headers=h).json[0]["installments"]
    pay = "/api/v1/agreements/installments/{}/payments"
    r = client.post(pay.format(first["id"]), json={"paid_on": "2023-09-10", "amount": "40000.00"}, headers=h)
    assert r.status_code == 201, r.json
    assert exported(client, aw)["HT-A"]["下期应还日期"] == dt.datetime(2023, 10, 20)
    r = client.post(pay.format(second["id"]), json={"paid_on": "2023-10-18", "amount": "60000.00"}, headers=h)
    assert r.status_code == 201, r.json
    done = exported(client, aw)["HT-A"]
    assert (done["还款协议"], done["下期应还日期"]) == ("已履行完毕", None)


def test_no_agreement_columns_where_the_plugin_is_not_enabled(client, aw):
    enable_ledger(aw)
    make_debt(client, aw, contract_no="HT-N")
    set_agreements(aw, enabled=False)
    row = exported(client, aw)["HT-N"]
    assert "化解分类" not in row and "还款协议" not in row and "未付余额（万元）" in row
