"""Each role's to-do list atop the dashboard, and the head sending a submission back (issue 14, point 3)."""

from __future__ import annotations

import re

from tests.ledger.test_rounds_support import FUTURE, add_debt, lw, open_round, submit
from tests.test_web import csrf_token, login, text

__all__ = ["lw"]


def todo_links(page: str) -> list[tuple[str, str]]:
    """(label, href) of each to-do item on the dashboard."""
    if 'data-testid="todo"' not in page:
        return []
    section = page.split('data-testid="todo"', 1)[1].split("</section>", 1)[0]
    return [
        (label.strip(), href.replace("&amp;", "&"))
        for label, href in re.findall(
            r'<span class="todo-label">([^<]+)</span>.*?<a class="btn[^"]*" href="([^"]+)"', section, re.S
        )
    ]


def test_each_role_sees_what_it_must_do_and_the_link_leads_there(app, client, lw):
    add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    rnd = open_round(client, lw, deadline=FUTURE)

    login(client, "clerk_a1")
    items = todo_links(text(client.get("/")))
    submit_item = next(href for label, href in items if label.startswith("报送台账：甲一镇人民政府"))
    assert client.get(submit_item).status_code == 200
    page = text(client.get("/"))
    assert "剩余" in page and "deadline-" in page  # the deadline shouts

    sub = submit(client, lw, "clerk_a1", rnd["id"]).json
    head = app.test_client()
    login(head, "head_a1")
    items = todo_links(text(head.get("/")))
    sign_href = next(href for label, href in items if label.startswith("待签认：甲一镇人民政府"))
    assert sign_href.endswith(f"/ledger/submissions/{sub['id']}")
    detail = text(head.get(sign_href))
    assert 'id="signoff-submit"' in detail and 'id="send-back-submit"' in detail
    # The snapshot the head signs adds up: 合计 of what the unit reported.
    total = detail.split('data-testid="snapshot-total"', 1)[1].split("</tr>", 1)[0]
    assert "合计（1 笔）" in total and ">10.00<" in total  # 万元, the reader's table unit

    office = app.test_client()
    login(office, "office_a")
    items = todo_links(text(office.get("/")))
    assert any("个单位尚未报送台账" in label for label, _ in items)
    assert not any(label.startswith("报送台账：") for label, _ in items)  # one summary, not every unit

    leader = app.test_client()
    login(leader, "leader_a")
    # Nothing to submit or sign for a leader: only the numbers to read (core's item).
    labels = [label for label, _ in todo_links(text(leader.get("/")))]
    assert len(labels) == 1 and labels[0].startswith("清偿率（已确认欠款）")


def test_soe_group_sees_its_subsidiaries_not_yet_reported(app, client, lw):
    from tests.test_web import nid

    add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    # The office asks the group and its subsidiary to report separately this round.
    units = [nid(lw, code) for code in ("a.town1", "a.soe", "a.soe.sub")]
    rnd = open_round(client, lw, deadline=FUTURE, unit_ids=units)
    login(client, "soe_a")
    items = todo_links(text(client.get("/")))
    labels = [label for label, _ in items]
    assert f"甲旅游集团：1家子企业尚未报送台账（{rnd['name']}）" in labels
    assert "报送台账：甲旅游集团（" + rnd["name"] + "）" in labels  # the group reports for itself too
    href = next(href for label, href in items if "家子企业尚未报送台账" in label)
    board = text(client.get(href))
    assert 'data-unit="a.soe.sub"' in board and 'data-state="missing"' in board


def test_head_sends_a_submission_back_with_a_reason(app, client, lw):
    add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="100000.00")
    rnd = open_round(client, lw, deadline=FUTURE)
    sub = submit(client, lw, "clerk_a1", rnd["id"]).json
    path = f"/ledger/submissions/{sub['id']}"

    # Without a reason: refused, nothing changes.
    r = client.post(
        f"/api/v1/ledger/submissions/{sub['id']}/send-back",
        json={"reason": " "},
        headers=lw.headers("head_a1"),
    )
    assert r.status_code == 422
    # The clerk cannot send back; the head can, with a reason.
    r = client.post(
        f"/api/v1/ledger/submissions/{sub['id']}/send-back",
        json={"reason": "x"},
        headers=lw.headers("clerk_a1"),
    )
    assert r.status_code == 403

    login(client, "head_a1")
    token = csrf_token(client, path)
    r = client.post(f"{path}/send-back", data={"reason": "合同金额填错，请核对后重报", "csrf_token": token})
    assert r.status_code == 302
    again = client.get(f"/api/v1/ledger/submissions/{sub['id']}", headers=lw.headers("office_a")).json
    assert again["status"] == "reopened" and again["reopen_reason"] == "合同金额填错，请核对后重报"
    assert "负责人退回" in text(client.get(path))
    # Back on the clerk's list, and the clerk may submit again.
    clerk = app.test_client()
    login(clerk, "clerk_a1")
    assert any(label.startswith("报送台账：") for label, _ in todo_links(text(clerk.get("/"))))
    assert submit(client, lw, "clerk_a1", rnd["id"]).status_code == 201
    # A signed submission is the office's to reopen, not the head's.
    signed = submit(client, lw, "clerk_a1", rnd["id"])
    assert signed.status_code == 409


def test_clerk_is_told_about_debts_missing_wage_amounts(client, lw):
    debt = add_debt(client, lw, "clerk_a1", "a.town1", 1, amount_owed="5000.00", migrant_wages=True)
    assert debt["wage_amount_pending"] is True
    login(client, "clerk_a1")
    items = todo_links(text(client.get("/")))
    wage = [href for label, href in items if label == "1笔涉及农民工工资的欠款未填写工资金额"]
    assert wage and "wage_amount_pending=true" in wage[0]
    assert 'data-testid="wage-amount-pending"' in text(client.get(wage[0]))
