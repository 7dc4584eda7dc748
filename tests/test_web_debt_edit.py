"""Editing a debt in the web form: prefilled, validated field by field, locked by version, and historied."""

import re

from tests.conftest import debt_payload
from tests.test_web import csrf_token, login, text


def _create(client, world, **overrides) -> int:
    r = client.post("/api/v1/debts", json=debt_payload(**overrides), headers=world.headers("clerk_a1"))
    assert r.status_code == 201, r.json
    return r.json["id"]


def _form(client, debt_id: int) -> dict:
    """What a browser would submit: text inputs as prefilled, selected options, unchecked boxes left out."""
    page = text(client.get(f"/debts/{debt_id}/edit"))
    values = dict(re.findall(r'<input type="(?:text|date|hidden)" name="(\w+)" value="([^"]*)"', page))
    for name, body in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        if chosen:
            values[name] = chosen.group(1)
    values["csrf_token"] = csrf_token(client, f"/debts/{debt_id}/edit")
    return values


def test_edit_changes_amount_and_writes_history(client, world):
    debt_id = _create(client, world)
    login(client, "clerk_a1")
    form = _form(client, debt_id)
    assert form["amount_owed"] == "100000.00"
    assert form["category"] == "works" and form["source"] == "self_inspection"
    form.update(amount_owed="120000.00", disputed_amount="20000.00", note="核对合同后更正")
    r = client.post(f"/debts/{debt_id}/edit", data=form)
    assert r.status_code == 302, text(r)
    debt = client.get(f"/api/v1/debts/{debt_id}", headers=world.headers("office_a")).json
    assert (debt["amount_owed"], debt["undisputed_amount"], debt["disputed_amount"]) == (
        "120000.00",
        "100000.00",
        "20000.00",
    )
    history = client.get(f"/api/v1/debts/{debt_id}/history", headers=world.headers("office_a")).json
    assert history[-1]["note"] == "核对合同后更正"
    assert history[-1]["after"]["amount_owed"] == "120000.00"


def test_edit_refuses_bad_values_and_stale_versions(client, world):
    debt_id = _create(client, world)
    login(client, "clerk_a1")
    form = _form(client, debt_id)
    for amount in ("十万", "1e5"):
        r = client.post(f"/debts/{debt_id}/edit", data={**form, "amount_owed": amount})
        assert r.status_code == 422 and "金额格式不正确" in text(r)
    stale = {**form, "version": "0"}
    r = client.post(f"/debts/{debt_id}/edit", data=stale)
    assert r.status_code == 422 and "已被他人修改" in text(r)
    unchanged = client.get(f"/api/v1/debts/{debt_id}", headers=world.headers("office_a")).json
    assert unchanged["amount_owed"] == "100000.00" and unchanged["version"] == 1


def test_edit_is_not_offered_outside_the_subtree(client, world):
    debt_id = _create(client, world)
    login(client, "clerk_a2")
    assert client.get(f"/debts/{debt_id}/edit").status_code == 404
    login_leader = client.application.test_client()
    login(login_leader, "leader_a")
    assert login_leader.get(f"/debts/{debt_id}/edit").status_code == 403
