"""Fixtures and helpers shared by the rounds, flags and roll-up tests (imported by those modules)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import clock
from core.extensions import db
from core.rules.credit_code import make
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload

FUTURE = (clock.today() + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def lw(app, world):
    """The world with the ledger plugin enabled for jurisdiction a (with the Wutaishan ledger deadline) and
    for b, so that b's users reach the lookups and isolation, not a disabled plugin, answers them."""
    with system_scope():
        b = db.session.get(TenantNode, world.nodes["b"].id)
        b.plan = {**b.plan, "plugins": ["ledger"]}
        a = db.session.get(TenantNode, world.nodes["a"].id)
        a.plan = {
            **a.plan,
            "plugins": [*(p for p in a.plan["plugins"] if p != "ledger"), "ledger"],
            "deadlines": {"ledger_complete": "2023-08-25"},
            "reminders": {"days_before": [7, 3, 1]},
        }
        db.session.commit()
    return world


def nid(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id


def add_debt(client, world, user: str, unit: str, n: int = 1, **overrides) -> dict:
    body = debt_payload(
        unit_id=nid(world, unit),
        creditor={
            "name": f"测试债权企业{n}有限公司",
            "credit_code": make(f"9114092200000{n:04d}"),
            "size_class": "small",
        },
        contract_no=f"HT-{unit}-{n}",
        **overrides,
    )
    r = client.post("/api/v1/debts", json=body, headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json


def open_round(client, world, user: str = "office_a", **body) -> dict:
    body.setdefault("name", "2023年清欠台账摸排")
    r = client.post("/api/v1/ledger/rounds", json=body, headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json


def submit(client, world, user: str, round_id: int, **body):
    return client.post(
        f"/api/v1/ledger/rounds/{round_id}/submissions", json=body, headers=world.headers(user)
    )


def pay(client, world, user: str, debt_id: int, amount: str, on: str = "2023-09-01") -> None:
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": on, "amount": amount},
        headers=world.headers(user),
    )
    assert r.status_code == 201, r.json


def run_job(name: str, world, code: str = "a", **params) -> dict:
    from core.jobs import create_job
    from core.jobs import submit as submit_job
    from core.jobs.models import Job

    with system_scope():
        job = create_job(name, unit=world.node(code), system=True, params=params)
        job_id = job.id
        db.session.commit()
    submit_job(job_id)
    with system_scope():
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.status == "succeeded", (job.status, job.error)
        return job.result
