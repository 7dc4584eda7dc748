"""The scorecard reads the finance and prevention plugins too: 应收账款确权按期答复 (units that confirm
late lose points, 条例第十六条) and 政府投资项目依法开工 (an overridden 未批先建 or 资金未落实先开工 start
counts against the unit). A plan names them in ``accountability.assessment.indicators``."""

from __future__ import annotations

from core.extensions import db
from core.tenancy.plans import deep_merge
from core.tenancy.scope import system_scope
from tests.conftest import needs_plugins
from tests.finance.conftest import DEBTOR_CODE, file_request, item_id, on_day
from tests.prevention.test_projects import create as create_project

pytestmark = needs_plugins("accountability", "finance", "prevention")

API = "/api/v1/accountability/assessments/preview"
__all__ = ["on_day"]


def scorecard(world, indicators: list[dict]) -> None:
    with system_scope():
        node = world.node("a")
        node.plan = deep_merge(node.plan, {"accountability": {"assessment": {"indicators": indicators}}})
        db.session.commit()


def test_late_confirmations_and_unlawful_starts_cost_points(client, world, on_day):
    scorecard(
        world,
        [
            {"metric": "confirmations_on_time", "weight": 50},
            {"metric": "projects_started_lawfully", "weight": 50},
        ],
    )
    on_day("2026-03-02")
    on_time = item_id(client, world, file_request(client))
    item_id(client, world, file_request(client, contract_no="HT-2026-019"))  # never answered
    item_id(client, world, file_request(client, debtor_unit="a.town2", contract_no="HT-2026-020"))
    r = client.post(
        f"/api/v1/finance/confirmations/{on_time}/answer",
        json={"outcome": "confirmed", "payment_due_date": "2026-06-30", "debtor_code": DEBTOR_CODE},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 200, r.json
    lawful = create_project(
        client, world, funding=[{"source": "本级财政", "amount": "1000000.00", "secured": True}]
    )
    unfunded = create_project(client, world, name="甲一镇文化广场")
    h = world.headers("clerk_a1")
    for project, body in (
        (lawful, {"actual_start": "2026-03-02"}),
        (unfunded, {"actual_start": "2026-03-02", "override_reason": "汛期前须完工"}),
    ):
        r = client.post(f"/api/v1/prevention/projects/{project['id']}/start", json=body, headers=h)
        assert r.status_code == 200, r.json

    on_day("2026-05-04")
    got = client.get(f"{API}?period_end=2026-05-04", headers=world.headers("office_a"))
    assert got.status_code == 200, got.json
    rows = {row["unit_name"]: row for row in got.json["rows"]}
    town1 = {i["metric"]: (i["points"], i["detail"]) for i in rows["甲一镇人民政府"]["items"]}
    assert town1 == {
        "confirmations_on_time": ("25.00", "答复期限已到的确权申请2件，按期答复1件"),
        "projects_started_lawfully": ("25.00", "2026年开工项目2个，未批先建或资金未落实先开工1个"),
    }
    town2 = {i["metric"]: (i["points"], i["detail"]) for i in rows["甲二镇人民政府"]["items"]}
    assert town2["confirmations_on_time"] == ("0.00", "答复期限已到的确权申请1件，按期答复0件")
    assert town2["projects_started_lawfully"] == ("50.00", "2026年开工项目0个，未批先建或资金未落实先开工0个")
    assert rows["甲一镇人民政府"]["score"] == "50.00" and rows["甲二镇人民政府"]["score"] == "50.00"
