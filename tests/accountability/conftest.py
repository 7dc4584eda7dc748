"""A hand-built jurisdiction for the bulletins: debts, payments, an agreement's installments, complaints,
a ledger round and flags, with the clock pinned to 30 September 2023 (Beijing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.extensions import db
from core.rules.status import DebtStatus
from core.tenancy.plans import deep_merge
from core.tenancy.scope import system_scope
from tests.conftest import INSTALLED_PLUGINS, debt_payload

# The plugin's own tests need the plugin; CI's core runs (QINGQIAN_PLUGINS=<one>,sample) leave it out.
if "accountability" not in INSTALLED_PLUGINS:
    collect_ignore_glob = ["test_*.py"]

# The plugins whose records the hand-built figures include (bulletin tables, scores, candidates).
FIGURE_SOURCES = ("ledger", "agreements", "complaints")

NOW = "2023-09-30T02:00:00"  # 10:00 in Beijing
AS_OF = dt.date(2023, 9, 30)
PLAN = {
    "targets": {"cleared_ratio": "1.00", "cleared_ratio_by": "2023-10-31"},
    "accountability": {
        "bulletin_prefix": "甲清欠办通报",
        "issuer": "甲风景区清欠办",
        "cc": "市清欠办",
        "milestones": [
            {"by": "2023-08-31", "cleared_ratio": "0.40"},
            {"by": "2023-09-30", "cleared_ratio": "0.60"},
        ],
    },
}


def nid(world, code: str) -> int:
    with system_scope():
        return world.nodes[code].id


def add_debt(client, world, unit: str, n: int, amount: str) -> int:
    body = debt_payload(unit_id=nid(world, unit), amount_owed=amount, contract_no=f"HT-ACC-{n}")
    r = client.post("/api/v1/debts", json=body, headers=world.headers("office_a"))
    assert r.status_code == 201, r.json
    return r.json["id"]


def pay(client, world, debt_id: int, amount: str, on: str = "2023-08-01") -> None:
    r = client.post(
        f"/api/v1/debts/{debt_id}/payments",
        json={"paid_on": on, "amount": amount},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 201, r.json


@pytest.fixture
def clock(app):
    before = app.config.get("CLOCK_NOW")
    app.config["CLOCK_NOW"] = NOW
    yield app
    app.config["CLOCK_NOW"] = before


@pytest.fixture
def ledger(app, client, world, clock):
    """By hand, at 30 September 2023 (milestone due: 60%):

    - 甲一镇 (with its 财政所): owed 100,000 + 20,000, paid 40,000 → 33.33%, gap −26.67 points.
    - 甲二镇: 50,000 paid in full → 100%, +40.00; its 10,000 in court does not count.
    - 甲旅游集团: 30,000, paid 15,000 → 50%, −10.00.
    - Total 200,000 owed, 105,000 cleared, 95,000 left, 52.50%.
    """
    with system_scope():
        node = world.node("a")
        node.plan = deep_merge(node.plan, PLAN)
        db.session.commit()
    t1 = add_debt(client, world, "a.town1", 1, "100000.00")
    pay(client, world, t1, "40000.00")
    add_debt(client, world, "a.town1.office", 2, "20000.00")
    t2 = add_debt(client, world, "a.town2", 3, "50000.00")
    pay(client, world, t2, "50000.00")
    court = add_debt(client, world, "a.town2", 4, "10000.00")
    soe = add_debt(client, world, "a.soe", 5, "30000.00")
    pay(client, world, soe, "15000.00")
    with system_scope():
        from core.models.debt import Debt

        db.session.get(Debt, court).status = DebtStatus.JUDICIAL
        db.session.commit()
    world.debts = {"t1": t1, "t2": t2, "soe": soe}
    add_other_plugins_records(world)
    if "ledger" in INSTALLED_PLUGINS:
        world.findings = {
            "t1": confirm(client, world, world.flags["t1"], "台账删除该笔欠款但无付款记录，经核实属瞒报")
        }
    return world


def confirm(client, world, flag_id: int, note: str, finding: str = "confirmed") -> dict:
    r = client.post(
        "/api/v1/accountability/flag-findings",
        json={"flag_id": flag_id, "finding": finding, "note": note},
        headers=world.headers("office_a"),
    )
    assert r.status_code == 201, r.json
    return r.json


def add_other_plugins_records(world) -> None:
    """Installments, complaints, a ledger round and flags (the other plugins' tables, written directly),
    each when its plugin is part of this run."""
    with system_scope():
        if "agreements" in INSTALLED_PLUGINS:
            add_installments(world)
        if "complaints" in INSTALLED_PLUGINS:
            add_complaints(world)
        if "ledger" in INSTALLED_PLUGINS:
            add_round_and_flags(world)
        db.session.commit()


def add_installments(world) -> None:
    from plugins.agreements.clearance.models import Agreement, Installment

    a, t1, t2 = (world.node(c) for c in ("a", "a.town1", "a.town2"))
    j = a.id

    def agreement(unit, debt_id, creditor):
        row = Agreement(
            jurisdiction_id=j,
            unit_id=unit.id,
            debt_id=debt_id,
            debtor_party=unit.name,
            creditor_party=creditor,
            agreed_amount=Decimal("60000.00"),
            signed_on=dt.date(2023, 8, 1),
            status="signed",
        )
        db.session.add(row)
        db.session.flush()
        return row

    g1 = agreement(t1, world.debts["t1"], "甲乙建材有限公司")
    g2 = agreement(t2, world.debts["t2"], "丙丁工程有限公司")
    for ag, seq, due, amount, paid in (
        (g1, 1, dt.date(2023, 8, 31), "30000.00", "10000.00"),  # overdue 30 days, 20,000 left
        (g1, 2, dt.date(2023, 10, 31), "30000.00", "0.00"),  # not yet due
        (g2, 1, dt.date(2023, 9, 1), "50000.00", "50000.00"),  # paid
    ):
        db.session.add(
            Installment(
                jurisdiction_id=j,
                unit_id=ag.unit_id,
                agreement_id=ag.id,
                seq=seq,
                due_on=due,
                amount=Decimal(amount),
                paid_amount=Decimal(paid),
                status="paid" if amount == paid else "pending",
            )
        )


def add_complaints(world) -> None:
    from plugins.complaints.models import Complaint

    a, t1, t2 = (world.node(c) for c in ("a", "a.town1", "a.town2"))
    j = a.id
    for n, (unit, status, transfer_due, result_due, amount) in enumerate(
        (
            (t1, "received", dt.date(2023, 9, 10), None, "5000.00"),  # 20 days past the transfer
            (t2, "transferred", dt.date(2023, 9, 1), dt.date(2023, 9, 29), "8000.00"),  # 1 day late
            (t2, "closed", dt.date(2023, 8, 1), dt.date(2023, 8, 30), "9000.00"),  # closed
            (t1, "transferred", dt.date(2023, 9, 1), dt.date(2023, 10, 15), "7000.00"),  # in time
        ),
        start=1,
    ):
        db.session.add(
            Complaint(
                jurisdiction_id=j,
                unit_id=unit.id,
                tracking_code=f"ACC{n:05d}",
                status=status,
                creditor_name="投诉企业",
                creditor_code="91140000MA0GRXKB1L",
                debtor_text=unit.name,
                amount=Decimal(amount),
                received_on=dt.date(2023, 8, 20),
                transfer_due=transfer_due,
                result_due=result_due,
            )
        )


def add_round_and_flags(world) -> None:
    """Flags: a.town1's vanished debt (confirmed as concealment by the office in the ``ledger`` fixture),
    the SOE's shrunk debt resolved in the ledger with no finding, and a.town2's vanished debt still open:
    only the confirmed one counts."""
    from plugins.ledger.rounds.models import Flag, LedgerRound, RoundUnit, Submission

    a, t1, t2, soe = (world.node(c) for c in ("a", "a.town1", "a.town2", "a.soe"))
    j = a.id
    rnd = LedgerRound(
        jurisdiction_id=j,
        name="2023年台账摸排",
        as_of=dt.date(2023, 8, 20),
        deadline=dt.date(2023, 8, 25),
        office_id=j,
    )
    db.session.add(rnd)
    db.session.flush()
    for unit in (t1, t2, soe):
        db.session.add(RoundUnit(jurisdiction_id=j, unit_id=unit.id, round_id=rnd.id))
    on_time = Submission(jurisdiction_id=j, unit_id=t2.id, round_id=rnd.id, status="signed", late=False)
    late = Submission(
        jurisdiction_id=j,
        unit_id=soe.id,
        round_id=rnd.id,
        status="submitted",
        late=True,
        submitted_at=dt.datetime(2023, 8, 28, 2, 0),
    )
    db.session.add_all([on_time, late])
    town1 = Flag(
        jurisdiction_id=j, unit_id=t1.id, round_id=rnd.id, debt_id=world.debts["t1"], kind="vanished"
    )
    shrunk = Flag(
        jurisdiction_id=j,
        unit_id=soe.id,
        round_id=rnd.id,
        debt_id=world.debts["soe"],
        kind="shrunk",
        status="resolved",
        resolution_note="已补录付款记录",
    )
    pending = Flag(
        jurisdiction_id=j, unit_id=t2.id, round_id=rnd.id, debt_id=world.debts["t2"], kind="vanished"
    )
    db.session.add_all([town1, shrunk, pending])
    db.session.flush()
    world.flags = {"t1": town1.id, "soe": shrunk.id, "t2": pending.id}
