"""A debt created under a reviewed contract says so in its history and in the ledger export."""

from __future__ import annotations

from core.extensions import db
from core.models.debt import Debt
from core.tenancy.scope import system_scope
from plugins.prevention.reviews.trace import EXPORT_COLUMNS
from tests.conftest import debt_payload
from tests.prevention.test_new_arrears import add_debt
from tests.prevention.test_reviews import body as review_body


def test_debt_history_and_export_column_show_the_review(client, world):
    h = world.headers("clerk_a1")
    review = client.post(
        "/api/v1/prevention/reviews", json=review_body(terms={"payment_term_days": 30}), headers=h
    ).json
    r = client.post(
        f"/api/v1/prevention/reviews/{review['id']}/sign",
        json={"signed_on": "2023-05-10", "contract_no": "HT-TRACE-1"},
        headers=h,
    )
    assert r.status_code == 200
    reviewed = add_debt(client, world, "HT-TRACE-1", "2023-06-01")
    unreviewed = add_debt(client, world, "HT-TRACE-2", "2023-06-01")
    events = client.get(f"/api/v1/debts/{reviewed}/history", headers=h).json
    traced = [e for e in events if e["action"] == "contract_reviewed"]
    assert len(traced) == 1 and "签订前审查" in traced[0]["note"]
    assert traced[0]["after"]["review_id"] == review["id"]
    assert not [
        e
        for e in client.get(f"/api/v1/debts/{unreviewed}/history", headers=h).json
        if e["action"] == "contract_reviewed"
    ]
    # A sibling unit's debt with the same contract number is not this review's.
    with system_scope():
        town2 = world.nodes["a.town2"].id
    body = debt_payload(unit_id=town2, contract_no="HT-TRACE-1", delivery_date="2023-06-01")
    sibling = client.post("/api/v1/debts", json=body, headers=world.headers("office_a")).json["id"]
    with system_scope():
        debts = db.session.scalars(db.select(Debt).order_by(Debt.id)).all()
        [column] = EXPORT_COLUMNS
        values = column.values(debts)
    assert values == {
        reviewed: f"已审查（审查第{review['id']}号）",
        unreviewed: "未经审查",
        sibling: "未经审查",
    }
