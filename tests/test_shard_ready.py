"""The schema can be distributed by jurisdiction without a rewrite (issue 21, point 5).

Citus' multi-tenant model: every tenant-owned table is distributed by ``jurisdiction_id``, so each needs a
unique key holding it, and a foreign key between two of them must carry it on both sides (the rows then
sit on one shard). ``core.tenancy.colocation.problems`` reads the metadata of core and every installed
plugin; the colocated keys also make the database refuse a row that points into another jurisdiction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models.debt import Debt, Payment
from core.tenancy import colocation
from core.tenancy.scope import system_scope
from tests.conftest import debt_payload


def test_every_installed_table_follows_the_colocation_rules(app):
    checked = {t.name for t in db.metadata.sorted_tables if colocation.distributed(t)}
    # Not a vacuous pass: core's tables are always among them, the plugins' when installed.
    assert {"debts", "payments", "enterprises", "enterprise_links", "events", "jobs"} <= checked
    installed = set(app.extensions["qingqian.plugins"].names())
    if "ledger" in installed:
        assert {"ledger_imports", "ledger_import_rows", "ledger_row_keys"} <= checked
    assert colocation.problems(db.metadata) == []


def test_reference_tables_are_the_declared_ones(app):
    tenant = {t.name for t in db.metadata.sorted_tables if colocation.tenant_owned(t)}
    assert set(colocation.REFERENCE_TABLES) <= tenant
    assert all(reason for reason in colocation.REFERENCE_TABLES.values())


def test_the_check_names_each_broken_rule():
    md = sa.MetaData()
    sa.Table(
        "tenant_nodes",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction_id", sa.Integer),
    )
    sa.Table(
        "parents",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction_id", sa.Integer, sa.ForeignKey("tenant_nodes.id")),
        sa.Column("code", sa.String(10), unique=True),
    )
    sa.Table(
        "children",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction_id", sa.Integer),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parents.id")),
        sa.Index("uq_children_jurisdiction_id_id", "jurisdiction_id", "id", unique=True),
    )
    found = colocation.problems(md)
    assert "parents: no primary or unique key holds jurisdiction_id" in found
    assert "parents: unique key (code) lacks jurisdiction_id" in found
    assert "children: foreign key (parent_id) → parents does not carry jurisdiction_id" in found
    # The reference table and the key-holding child are not reported for their keys.
    assert not [p for p in found if p.startswith(("tenant_nodes", "children: no"))]
    assert len(found) == 3


def _unit(code: str, world) -> tuple[int, int]:
    with system_scope():  # world's objects expire after a request; PostgreSQL reads them back in scope
        node = world.node(code)
        return node.jurisdiction_id, node.id


def _debt_of(client, world, user: str) -> int:
    r = client.post("/api/v1/debts", json=debt_payload(), headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_a_payment_cannot_point_at_another_jurisdictions_debt(client, world):
    debt_a = _debt_of(client, world, "clerk_a1")
    a1, b1 = _unit("a.town1", world), _unit("b.town1", world)
    row = {
        "debt_id": debt_a,
        "jurisdiction_id": b1[0],
        "unit_id": b1[1],
        "paid_on": dt.date(2024, 1, 2),
        "amount": Decimal("10.00"),
        "method": "transfer",
        "flagged": False,
        "wage_amount": Decimal("0.00"),
        "opening": False,
    }
    with system_scope():
        with pytest.raises(IntegrityError):
            db.session.execute(sa.insert(Payment.__table__).values(**row))
        db.session.rollback()
        # The same row in the debt's own jurisdiction is accepted: the refusal above is the jurisdiction's.
        a1 = world.node("a.town1")
        db.session.execute(
            sa.insert(Payment.__table__).values(
                **{**row, "jurisdiction_id": a1.jurisdiction_id, "unit_id": a1.id}
            )
        )
        assert db.session.scalar(sa.select(sa.func.count()).where(Payment.debt_id == debt_a)) == 1
        db.session.rollback()


def test_a_debt_cannot_name_another_jurisdictions_creditor(client, world):
    debt_a = _debt_of(client, world, "clerk_a1")
    b1 = _unit("b.town1", world)
    with system_scope():
        creditor_a = db.session.get(Debt, debt_a).creditor_id
        with pytest.raises(IntegrityError):
            db.session.execute(
                sa.update(Debt.__table__)
                .where(Debt.__table__.c.id == debt_a)
                .values(jurisdiction_id=b1[0], unit_id=b1[1], creditor_id=creditor_a)
            )
        db.session.rollback()
