"""Confirmation requests on the to-do lists: the debtor unit's clerk sees what to answer and by when; the
office sees the requests past their deadline; an answered request leaves both lists."""

from __future__ import annotations

from tests.finance.conftest import DEBTOR_CODE, file_request, item_id
from tests.test_office_todo import todo_links


def todo(client, world, user: str) -> list[tuple[str, str]]:
    page = client.get("/", headers=world.headers(user))
    assert page.status_code == 200
    return [item for item in todo_links(page.get_data(as_text=True)) if "确权" in item[0]]


def test_the_debtor_answers_and_the_office_chases_from_the_todo_list(client, world, on_day):
    on_day("2026-03-02")
    cid = item_id(client, world, file_request(client))
    detail = f"/finance/confirmations/{cid}"
    assert todo(client, world, "clerk_a1") == [
        ("答复确权申请：五台山宏达建材有限公司申请确认合同HT-2026-018项下125,000.00元", detail)
    ]
    assert todo(client, world, "clerk_a2") == []
    assert todo(client, world, "office_a") == []  # not late yet: the unit's to answer

    on_day("2026-04-02")  # the deadline was 2026-04-01
    assert todo(client, world, "office_a") == [
        ("确权逾期未答复：甲一镇人民政府（五台山宏达建材有限公司申请确认125,000.00元）", detail)
    ]
    page = client.get("/", headers=world.headers("clerk_a1")).get_data(as_text=True)
    assert "逾期1天" in page.split('data-testid="todo"', 1)[1].split("</section>", 1)[0]

    r = client.post(
        f"/api/v1/finance/confirmations/{cid}/answer",
        json={"outcome": "confirmed", "payment_due_date": "2026-06-30", "debtor_code": DEBTOR_CODE},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 200, r.json
    assert todo(client, world, "clerk_a1") == [] and todo(client, world, "office_a") == []
