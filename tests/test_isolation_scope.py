"""The ORM filter follows the scope of each query, including cached statements reused across scopes."""

from sqlalchemy import select

from core.extensions import db
from core.models.debt import Debt
from core.models.enterprise import Enterprise
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, scope_context, system_scope
from tests.conftest import debt_payload


def _make_debts(client, world):
    made = {}
    for user, code in (
        ("clerk_a1", "91140922MA0K0001"),
        ("clerk_a2", "91140922MA0K0002"),
        ("soe_a", "91140922MA0K0003"),
        ("clerk_b1", "91140922MA0K0004"),
    ):
        from core.rules.credit_code import make

        body = debt_payload(creditor={"name": f"{user}债权企业", "credit_code": make(code + "0")})
        r = client.post("/api/v1/debts", json=body, headers=world.headers(user))
        assert r.status_code == 201, r.json
        made[user] = r.json["id"]
    return made


def _ids(world, *codes):
    # Read under system scope: on PostgreSQL, row-level security hides the rows outside any scope.
    with system_scope():
        return [world.node(code).id for code in codes]


def test_same_statement_under_different_scopes(client, world):
    made = _make_debts(client, world)
    a, b, town1, office, town2 = _ids(world, "a", "b", "a.town1", "a.town1.office", "a.town2")
    stmt = select(Debt.id).order_by(Debt.id)
    seen = {}
    scopes = {
        "whole_a": Scope(jurisdiction_id=a),
        "town1": Scope(jurisdiction_id=a, unit_ids=frozenset({town1, office})),
        "town2": Scope(jurisdiction_id=a, unit_ids=frozenset({town2})),
        "whole_b": Scope(jurisdiction_id=b),
        "nothing": Scope.nothing(),
    }
    # Run each twice, interleaved, so a statement cached under one scope is reused under another.
    for _ in range(2):
        for name, scope in scopes.items():
            with scope_context(scope):
                seen[name] = list(db.session.scalars(stmt))
    assert seen["whole_a"] == sorted([made["clerk_a1"], made["clerk_a2"], made["soe_a"]])
    assert seen["town1"] == [made["clerk_a1"]]
    assert seen["town2"] == [made["clerk_a2"]]
    assert seen["whole_b"] == [made["clerk_b1"]]
    assert seen["nothing"] == []


def test_enterprises_and_nodes_follow_subtree(client, world):
    _make_debts(client, world)
    a, town1 = _ids(world, "a", "a.town1")
    with scope_context(Scope(jurisdiction_id=a, unit_ids=frozenset({town1}))):
        names = list(db.session.scalars(select(Enterprise.name)))
        codes = list(db.session.scalars(select(TenantNode.code)))
    assert names == ["clerk_a1债权企业"]
    assert codes == ["a.town1"]
    with scope_context(Scope(jurisdiction_id=a)):
        assert len(list(db.session.scalars(select(Enterprise.name)))) == 3
        assert "b" not in set(db.session.scalars(select(TenantNode.code)))


def test_leaving_a_scope_after_a_failed_flush_keeps_the_original_error(world):
    """The scope change on exit must not replace the flush's own error with PendingRollbackError."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from core.rules.credit_code import make

    code = make("91140922MA0K99999")
    a = _ids(world, "a")[0]
    with pytest.raises(IntegrityError), system_scope():
        db.session.add_all(
            [Enterprise(jurisdiction_id=a, name=f"重复企业{i}", credit_code=code) for i in range(2)]
        )
        db.session.flush()
    db.session.rollback()
    with system_scope():
        assert db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code)) is None
