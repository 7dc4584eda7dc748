"""Prevention figures: the API, the dashboard widget and the progress-report section agree."""

from __future__ import annotations

import datetime as dt

from core import clock
from tests.prevention.test_projects import create as create_project
from tests.prevention.test_reviews import submit as submit_review


def test_metrics_widget_and_report_section(client, world):
    h = world.headers("clerk_a1")
    project = create_project(client, world)
    r = client.post(
        f"/api/v1/prevention/projects/{project['id']}/start",
        json={"actual_start": "2023-05-02", "override_reason": "汛期前须完工"},
        headers=h,
    )
    assert r.status_code == 200
    review = submit_review(client, world)  # four problems
    url = f"/api/v1/prevention/reviews/{review['id']}"
    etag = client.get(url, headers=h).headers["ETag"]
    terms = {"payment_term_days": 30, "audit_condition": True, "deposits": []}
    assert client.patch(url, json={"terms": terms}, headers={**h, "If-Match": etag}).status_code == 200
    today = clock.today()
    for due in (-5, 10):
        body = {
            "enterprise_name": "甲公司",
            "kind": "bid",
            "form": "cash",
            "amount": "1000.00",
            "received_on": (today - dt.timedelta(days=60)).isoformat(),
            "due_back_on": (today + dt.timedelta(days=due)).isoformat(),
        }
        assert client.post("/api/v1/prevention/deposits", json=body, headers=h).status_code == 201

    m = client.get("/api/v1/prevention/metrics", headers=world.headers("office_a")).json
    assert (m["reviews"], m["reviews_open"], m["problems_found"], m["problems_fixed"]) == (1, 1, 4, 3)
    assert (m["projects"], m["started_unfunded"], m["started_unapproved"]) == (1, 1, 0)
    assert (
        m["deposits_held"],
        m["deposits_overdue"],
        m["deposits_overdue_amount"],
        m["deposits_due_soon"],
    ) == (
        2,
        1,
        "1000.00",
        1,
    )
    # A sibling unit sees none of it.
    other = client.get("/api/v1/prevention/metrics", headers=world.headers("clerk_a2")).json
    assert (other["reviews"], other["projects"], other["deposits_held"]) == (0, 0, 0)

    office = world.headers("office_a")
    dashboard = client.get("/", headers=office).get_data(as_text=True)
    assert 'data-key="prevention_found">4<' in dashboard and 'data-key="prevention_unfunded">1<' in dashboard
    report = client.get("/agreements/progress", headers=office).get_data(as_text=True)
    assert "源头治理情况" in report and 'data-key="prevention_deposits_overdue">1<' in report
