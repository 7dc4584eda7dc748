"""The signed snapshot and the rounds diff read money like every other table (issue 14, point 1): in the
reader's unit with the 万元/元 switch, and a 合计 row (the diff had none)."""

from __future__ import annotations

import re

from tests.ledger.test_rounds_support import FUTURE, add_debt, lw, open_round, submit
from tests.test_office_money import set_unit
from tests.test_web import login, text

__all__ = ["lw"]


def _total_cells(page: str, testid: str) -> list[str]:
    row = page.split(f'data-testid="{testid}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def test_snapshot_and_diff_follow_the_unit_switch_and_add_up(app, client, lw):
    add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="123456.78")
    add_debt(client, lw, "clerk_a1", "a.town1", 2, amount_owed="4044.00")
    first = open_round(client, lw, deadline=FUTURE)
    sub = submit(client, lw, "clerk_a1", first["id"]).json
    second = open_round(client, lw, name="第二轮摸排", deadline=FUTURE)
    add_debt(client, lw, "clerk_a1", "a.town1", 3, amount_owed="10000.00")
    assert submit(client, lw, "clerk_a1", second["id"]).status_code == 201

    login(client, "office_a")
    page = text(client.get(f"/ledger/submissions/{sub['id']}"))
    assert "欠款金额（万元）" in page and 'data-testid="unit-yuan"' in page
    assert _total_cells(page, "snapshot-total")[0] == "12.75"  # 127,500.78 元, rounded once
    diff = text(client.get(f"/ledger/rounds/{second['id']}/diff?against={first['id']}"))
    assert "原未付余额（万元）" in diff
    assert _total_cells(diff, "diff-total") == ["12.75", "13.75"]

    set_unit(client, "yuan", f"/ledger/submissions/{sub['id']}")
    page = text(client.get(f"/ledger/submissions/{sub['id']}"))
    assert "欠款金额（元）" in page and _total_cells(page, "snapshot-total")[0] == "127,500.78"
    diff = text(client.get(f"/ledger/rounds/{second['id']}/diff?against={first['id']}"))
    assert _total_cells(diff, "diff-total") == ["127,500.78", "137,500.78"]
    assert "变化 10,000.00" in diff
