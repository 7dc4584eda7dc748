"""Core's helpers for the 合计 of a list (issue 14, point 1): ``stmt_totals`` sums every row a paged statement
selects, exact to the fen; ``sum_of`` adds a shown list's amounts, empty ones as 0."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from core.api.debts import filtered_totals
from core.extensions import db
from core.models.debt import Debt
from core.tenancy.scope import system_scope
from core.units import in_unit
from core.web.templating import sum_of
from core.web.views import paginate_stmt, stmt_totals
from tests.test_office_exports import many_debts  # noqa: F401  (fixture)


def test_stmt_totals_cover_every_page_and_agree_with_the_debt_totals(app, world, many_debts):  # noqa: F811
    with app.test_request_context(), system_scope():
        stmt = db.select(Debt).where(Debt.category == "works").order_by(Debt.id)
        rows, pager = paginate_stmt(stmt, 1, size=2)
        totals = stmt_totals(
            stmt,
            "amount_owed",
            big=lambda c: db.case((c.amount_owed > 14000, c.amount_owed), else_=0),
        )
        expected = filtered_totals(stmt)
        # Six works debts in all (five of A's, B's one), two on the page: the 合计 is over all six.
        assert len(rows) == 2 and totals["count"] == pager["total"] == expected["count"] == 6
        assert totals["amount_owed"] == expected["amount_owed"]
        owed = [d.amount_owed for d in db.session.scalars(stmt)]
        assert totals["big"] == sum((a for a in owed if a > 14000), Decimal("0.00"))
        assert stmt_totals(stmt.where(Debt.id < 0), "amount_owed") == {
            "count": 0,
            "amount_owed": Decimal("0.00"),
        }


def test_sum_of_reads_dotted_attributes_and_skips_empty_amounts():
    rows = [
        SimpleNamespace(debt=SimpleNamespace(outstanding=Decimal("1.10"))),
        SimpleNamespace(debt=SimpleNamespace(outstanding=None)),
        {"debt": {"outstanding": "2.25"}},
        SimpleNamespace(debt=None),
    ]
    assert sum_of(rows, "debt.outstanding") == Decimal("3.35")
    assert sum_of([], "amount") == Decimal("0.00")


def test_an_enterprises_debts_read_in_the_readers_unit_with_a_total(client, world, many_debts):  # noqa: F811
    from tests.test_web import login, text

    login(client, "office_a")
    api = client.get("/api/v1/debts?per_page=100", headers=world.headers("office_a")).json
    creditor = api[0]["creditor"]["id"]
    owed = sum((Decimal(d["amount_owed"]) for d in api if d["creditor"]["id"] == creditor), Decimal("0.00"))
    page = text(client.get(f"/enterprises/{creditor}"))
    assert "欠款金额（万元）" in page and 'data-testid="unit-yuan"' in page
    footer = page.split('data-testid="enterprise-debts-total"', 1)[1].split("</tr>", 1)[0]
    assert f'<td class="num">{in_unit(owed, "wan"):,.2f}</td>' in footer
