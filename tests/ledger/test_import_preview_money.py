"""The import preview reads money like every other list (issue 14, point 1): the reader's unit with the
万元/元 switch, and a 合计 of the tab over all its rows (not only the page of 50 shown), to the fen in 元."""

from __future__ import annotations

import re

from core.auth.models import User
from core.extensions import db
from core.tenancy.scope import system_scope
from core.units import in_unit
from tests.conftest import needs_plugins
from tests.ledger.messy import official_ledger
from tests.ledger.test_reconciliation import DEBTORS, lw, uploaded  # noqa: F401  (fixture)

pytestmark = needs_plugins("ledger")


def _set_unit(world, username: str, unit: str) -> None:
    with system_scope():
        db.session.get(User, world.users[username].id).money_unit = unit
        db.session.commit()


def _total_cell(html: str) -> str:
    row = re.search(r'data-testid="preview-total">(.*?)</tr>', html, re.S)
    assert row, "no 合计 row under the preview"
    return re.search(r'<td class="num">([^<]*)</td>', row.group(1)).group(1)


def test_the_new_rows_tab_totals_every_row_in_the_readers_unit(client, lw, tmp_path):  # noqa: F811
    ledger = official_ledger(120, debtors=DEBTORS, seed=11)
    body = uploaded(client, lw, ledger.write_xlsx(tmp_path / "a.xlsx").read_bytes(), "a.xlsx")
    new_rows = body["counts"]["new"]
    assert new_rows > 50, "the tab must span more than one page for the 合计 to cover rows not shown"
    # A fresh ledger: every accepted row is new, so the tab's 合计 is the reconciliation's accepted amount.
    assert body["counts"]["changed"] == body["counts"]["unchanged"] == 0
    accepted = ledger.expected.amounts["accepted"]
    url = f"/ledger/imports/{body['id']}?tab=new"

    html = client.get(url, headers=lw.headers("clerk_a1")).get_data(as_text=True)
    assert "欠款金额（万元）" in html and 'data-testid="unit-yuan"' in html
    assert f"合计（本类全部 {new_rows} 行）" in html
    assert _total_cell(html) == f"{in_unit(accepted, 'wan'):,.2f}"

    _set_unit(lw, "clerk_a1", "yuan")
    html = client.get(url, headers=lw.headers("clerk_a1")).get_data(as_text=True)
    assert "欠款金额（元）" in html
    assert _total_cell(html) == f"{accepted:,.2f}"
    # The reconciliation line stays in 元 to the fen whatever the reader's unit: it checks the file.
    assert f'<strong data-amount="accepted">{accepted:,.2f}</strong>' in html

    # Tabs without amounts (rejected rows keep the raw text) have no money 合计.
    rejected = client.get(f"/ledger/imports/{body['id']}?tab=rejected", headers=lw.headers("clerk_a1"))
    assert 'data-testid="preview-total"' not in rejected.get_data(as_text=True)
