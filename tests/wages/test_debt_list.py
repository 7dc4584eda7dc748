"""涉薪 on core's debt list (issue 18 point 2): a badge on wage-flagged debts, the 人社 case numbers on the
linked ones, and a filter that narrows the page and its Excel export, through core's debt-list hooks."""

from __future__ import annotations

import io

import openpyxl

from core.extensions import db
from core.models.debt import Debt
from core.tenancy.scope import system_scope


def ids_on(page: str, debt_ids) -> set[int]:
    return {d for d in debt_ids if f"#{d}<" in page}


def test_wage_badge_and_filter_on_the_debt_list(client, linked):
    h = linked.headers("office_a")
    debts = linked.debts
    page = client.get("/debts", headers=h).get_data(as_text=True)
    assert 'data-testid="debt-filter-wages_flag"' in page and "关联人社欠薪案件（未结）" in page
    # Road (RS-001) and the car park (RS-002) carry open cases; the visitor centre none.
    assert page.count("涉薪·人社案件") == 2 and "关联人社欠薪案件RS-001，须优先支付农民工工资" in page
    only = client.get("/debts?wages_flag=case", headers=h).get_data(as_text=True)
    assert ids_on(only, debts.values()) == {debts["road"], debts["park"]}
    detail = client.get(f"/debts/{debts['road']}", headers=h).get_data(as_text=True)
    assert "涉薪·人社案件" in detail and "RS-001" in detail
    # A debt marked 涉薪 by hand (no case) shows the plain badge and passes the 涉薪 filter only.
    with system_scope():
        db.session.get(Debt, debts["centre"]).migrant_wages = True
        db.session.commit()
    page = client.get("/debts?wages_flag=flagged", headers=h).get_data(as_text=True)
    assert ids_on(page, debts.values()) == set(debts.values())
    assert 'title="涉及农民工工资，须优先支付">涉薪<' in page
    only = client.get("/debts?wages_flag=case", headers=h).get_data(as_text=True)
    assert ids_on(only, debts.values()) == {debts["road"], debts["park"]}
    r = client.get("/debts/export.xlsx?wages_flag=case", headers=h)
    rows = openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True)
    assert sorted(row[1] for row in rows if isinstance(row[1], int)) == sorted([debts["road"], debts["park"]])


def test_a_unit_sees_the_badge_on_its_own_debts(client, linked):
    page = client.get("/debts?wages_flag=case", headers=linked.headers("clerk_a2")).get_data(as_text=True)
    assert ids_on(page, linked.debts.values()) == {linked.debts["park"]}
    assert page.count("涉薪·人社案件") == 1


def test_not_offered_where_wages_is_off(client, world):
    page = client.get("/debts?wages_flag=case", headers=world.headers("clerk_b1")).get_data(as_text=True)
    assert "debt-filter-wages_flag" not in page
