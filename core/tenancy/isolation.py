"""Automatic tenant isolation for every tenant-owned model.

Two walls. The ORM wall: every SELECT, UPDATE and DELETE issued through the ORM gets loader criteria for
every tenant-owned entity in it, and every flush refuses to write a row outside the scope. The PostgreSQL
wall: each transaction switches to a non-owner role and sets the jurisdiction the row-level security
policies compare against, so even raw SQL sees one jurisdiction only.
"""

from __future__ import annotations

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from core.models.base import JurisdictionOwned, SoftDelete, UnitOwned
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, current_scope, on_scope_change

SKIP_FILTER = "qingqian_skip_tenant_filter"
INCLUDE_DELETED = "include_deleted"


class IsolationError(PermissionError):
    """A write outside the current scope was attempted."""


def _criteria_options(scope: Scope):
    if scope.all_jurisdictions:
        return []
    # A jurisdiction id of -1 matches nothing: an empty scope reads as "no rows", never as "all rows".
    jid = scope.jurisdiction_id if scope.jurisdiction_id is not None else -1
    options = [
        with_loader_criteria(JurisdictionOwned, lambda cls: cls.jurisdiction_id == jid, include_aliases=True),
        with_loader_criteria(TenantNode, lambda cls: cls.jurisdiction_id == jid, include_aliases=True),
    ]
    if scope.unit_ids is not None:
        ids = sorted(scope.unit_ids)
        options += [
            with_loader_criteria(UnitOwned, lambda cls: cls.unit_id.in_(ids), include_aliases=True),
            with_loader_criteria(TenantNode, lambda cls: cls.id.in_(ids), include_aliases=True),
        ]
        for model in _subtree_models():
            options.append(
                with_loader_criteria(
                    model,
                    lambda cls: cls.__subtree_criteria__(ids),
                    include_aliases=True,
                    track_closure_variables=False,
                )
            )
    return options


def _subtree_models():
    from core.extensions import db

    return [
        mapper.class_
        for mapper in db.Model.registry.mappers
        if hasattr(mapper.class_, "__subtree_criteria__") and not issubclass(mapper.class_, UnitOwned)
    ]


@event.listens_for(Session, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(SKIP_FILTER):
        return
    options = _criteria_options(current_scope())
    if not state.execution_options.get(INCLUDE_DELETED):
        options.append(
            with_loader_criteria(SoftDelete, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
        )
    if options:
        state.statement = state.statement.options(*options)


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, flush_context, instances) -> None:
    scope = current_scope()
    if scope.all_jurisdictions:
        return
    for obj in list(session.new) + list(session.dirty):
        if _outside_scope(obj, scope):
            raise IsolationError(f"写入超出权限范围：{type(obj).__name__}")


def _outside_scope(obj, scope: Scope) -> bool:
    if isinstance(obj, UnitOwned):
        return not scope.covers_unit(obj.unit_id, obj.jurisdiction_id)
    if not isinstance(obj, JurisdictionOwned | TenantNode):
        return False
    if scope.jurisdiction_id is None or obj.jurisdiction_id != scope.jurisdiction_id:
        return True
    if isinstance(obj, TenantNode) and scope.unit_ids is not None:
        # A unit user's nodes are its subtrees: the node itself, or a new child of one (its id is not in
        # the scope yet). Without this a sibling unit could rename or move another's node.
        return not (obj.id in scope.unit_ids or obj.parent_id in scope.unit_ids)
    return False


def visible(model, ident):
    """The object with this primary key if the current scope sees it, else None.

    One ORM SELECT of the entity, so the isolation criteria apply even when the object already sits in
    the session's identity map (``session.get`` would hand back such a hit without asking the database).
    """
    if ident is None:
        return None
    if isinstance(ident, int) and not -(2**31) <= ident < 2**31:
        return None  # beyond any stored id (integer columns); PostgreSQL would refuse the parameter
    from core.extensions import db

    mapper = model.__mapper__
    pk = getattr(model, mapper.get_property_by_column(mapper.primary_key[0]).key)
    return db.session.scalar(db.select(model).where(pk == ident))


# --- PostgreSQL row-level security -----------------------------------------------------------------

_rls_engines: dict[int, str] = {}


def enable_rls_session_settings(engine, app_role: str | None) -> None:
    """Make every transaction on this PostgreSQL engine carry the scope into its RLS settings."""
    if engine.dialect.name != "postgresql":
        return
    _rls_engines[id(engine)] = app_role or ""


def _set_rls(connection, scope: Scope) -> None:
    role = _rls_engines.get(id(connection.engine))
    if role is None:
        return
    all_flag, jurisdictions = scope.rls_setting()
    if role and not role.replace("_", "").isalnum():
        raise ValueError(f"bad PostgreSQL role name {role!r}")
    # One round trip per transaction (and per scope change), not two: set_config('role', …, true) is
    # SET LOCAL ROLE, and the role name travels as a bind parameter. The extra round trip was a visible
    # share of a cheap request (benchmarks/RESULTS.md, isolation scenario).
    settings = "set_config('qingqian.all', :a, true), set_config('qingqian.jurisdiction_ids', :j, true)"
    if role:
        connection.execute(
            text(f"SELECT set_config('role', :r, true), {settings}"),
            {"r": role, "a": all_flag, "j": jurisdictions},
        )
    else:
        connection.execute(text(f"SELECT {settings}"), {"a": all_flag, "j": jurisdictions})


@event.listens_for(Session, "after_begin")
def _after_begin(session: Session, transaction, connection) -> None:
    _set_rls(connection, current_scope())


def _refresh_open_transaction(scope: Scope) -> None:
    from flask import has_app_context

    if not has_app_context():
        return
    from core.extensions import db

    session = db.session()
    if not session.in_transaction():
        return
    connection = session.connection()
    if connection.engine.dialect.name == "postgresql":
        try:
            _set_rls(connection, scope)
        except DBAPIError as exc:
            # A failed statement left the transaction aborted: nothing more can run in it, and the next
            # transaction sets the scope afresh. Raising here would hide the original error.
            if getattr(exc.orig, "sqlstate", None) != "25P02":  # in_failed_sql_transaction
                raise


on_scope_change(_refresh_open_transaction)
