"""Public pages speak for the office (name and hotline from the plan); the disclosure table is ordered,
has a 合计 and labels the jurisdiction's own level （本级）; suggestions stop at an exact match."""

from __future__ import annotations

import re

from core.extensions import db
from core.tenancy.scope import system_scope
from tests.disclosure.test_annual import add, ledger  # noqa: F401  (fixture)

YEAR = 2023


def test_public_pages_carry_the_office_and_its_hotline(client, world):
    with system_scope():
        a = world.node("a")
        a.plan = {
            **a.plan,
            "issuer": "甲风景区清理拖欠中小企业账款工作领导小组办公室",
            "hotline": "0350-1234567",
        }
        db.session.commit()
    for path in ("/public/a/complaints/new", "/public/a/disclosure"):
        page = client.get(path).get_data(as_text=True)
        assert "甲风景区清理拖欠中小企业账款工作领导小组办公室" in page, path
        assert 'href="tel:0350-1234567"' in page, path


def test_without_issuer_the_office_is_named_after_the_jurisdiction(client, world):
    page = client.get("/public/a/disclosure").get_data(as_text=True)
    header = page.split('data-testid="public-office"', 1)[1].split("</span>", 1)[0]
    assert "甲风景区清欠办" in header and "tel:" not in page


def test_disclosure_table_is_ordered_totalled_and_labels_the_own_level(client, ledger):  # noqa: F811
    add(client, ledger, "a", 9, "3000.00", "2023-01-01")  # owed by the jurisdiction's own level
    assert (
        client.post(
            "/api/v1/disclosure/reports", json={"year": YEAR}, headers=ledger.headers("office_a")
        ).status_code
        == 201
    )
    page = client.get("/public/a/disclosure").get_data(as_text=True)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    names = re.findall(r'<th scope="row">([^<]+)</th>', body)
    assert names[0] == "甲风景区（本级）"
    # Then the units owing most: 甲一镇 60,000 before 甲二镇 10,000, those owing nothing last.
    assert names.index("甲一镇人民政府") < names.index("甲二镇人民政府") < names.index("甲一镇财政所")
    total = page.split('data-testid="disclosure-total"', 1)[1].split("</tr>", 1)[0]
    assert "73,000.00" in total and ">3<" in total


def test_suggestions_stop_after_an_exact_match(client, world):
    with system_scope():
        a = world.node("a")
        a.plan = {**a.plan, "plugins": [*a.plan.get("plugins", []), "complaints"]}
        db.session.commit()
    loose = client.get("/api/v1/public/a/units?q=甲一镇").json["names"]
    assert "甲一镇人民政府" in loose and len(loose) > 1
    assert client.get("/api/v1/public/a/units?q=甲一镇人民政府").json == {"names": []}
