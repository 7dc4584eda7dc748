"""Automatic tenant isolation for every tenant-owned model.

Two walls. The ORM wall: every SELECT, UPDATE and DELETE issued through the ORM gets loader criteria for
every tenant-owned entity in it, and every flush refuses to write a row outside the scope. The PostgreSQL
wall: each transaction switches to a non-owner role and hands its jurisdiction to the SECURITY DEFINER
function the row-level security policies read (``core.tenancy.rls``), so even raw SQL, or an injected
``set_config``, sees one jurisdiction only.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, RelationshipProperty, Session, with_loader_criteria
from sqlalchemy.sql import TableClause, visitors

from core.models.base import JurisdictionOwned, SoftDelete, UnitOwned
from core.tenancy.models import TenantNode
from core.tenancy.scope import Scope, current_scope, on_scope_change

SKIP_FILTER = "qingqian_skip_tenant_filter"
INCLUDE_DELETED = "include_deleted"


class IsolationError(PermissionError):
    """A write outside the current scope was attempted."""


def _criteria_options(scope: Scope, statement=None):
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
            if statement is not None and reached_only_through_visible_rows(statement, model):
                continue
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


# --- Rows visible because the row that reaches them is ------------------------------------------------


def reached_only_through_visible_rows(statement, model) -> bool:
    """True when every row of ``model`` the statement can touch comes through one of the model's
    ``__visible_through__`` relationships (e.g. ``Debt.creditor``: the creditor of a debt the unit sees is
    visible by the subtree rule itself), so the model's own subtree criterion would only repeat it.

    Deliberately narrow: any other way of reaching the model — selected or filtered without that join,
    joined on another condition, aliased, in a FROM of its own, in a subquery without the join, or eager-
    loaded through another relationship — keeps the criterion. Only SELECT statements are considered.
    """
    through = _visible_through(model)
    if not through or not isinstance(statement, Select):
        return False
    table = model.__table__
    for select in (e for e in visitors.iterate(statement) if isinstance(e, Select)):
        joined = False
        for target, onclause, from_, _flags in select._setup_joins:
            if any(target is t for t in through) and onclause is None and from_ is None:
                joined = True
            elif _touches(target, table) or (onclause is not None and _touches(onclause, table)):
                return False
        if any(_touches(f, table) for f in select._from_obj):
            return False
        if not joined and any(_touches(c, table) for c in select._raw_columns):
            return False
        if not joined and any(_touches(w, table) for w in select._where_criteria):
            return False
        if not _options_safe(select, model, through):
            return False
    return not _eager_elsewhere(statement, model, through)


@functools.cache  # runs for every ORM query of a unit user; mappers do not change once configured
def _visible_through(model) -> tuple:
    names = getattr(model, "__visible_through__", ())
    if not names:
        return ()
    from core.extensions import db

    classes = {m.class_.__name__: m.class_ for m in db.Model.registry.mappers}
    out = []
    for name in names:
        cls_name, attr = name.split(".")
        out.append(getattr(classes[cls_name], attr))
    return tuple(out)


def _touches(element, table) -> bool:
    """Whether ``element`` names ``table`` (or an alias of it) outside nested SELECTs (checked apart)."""
    prop = getattr(element, "property", None)
    if prop is not None and hasattr(prop, "mapper"):
        return prop.mapper.local_table is table or prop.parent.local_table is table
    stack = [element]
    while stack:
        node = stack.pop()
        for candidate in (node, getattr(node, "table", None), getattr(node, "element", None)):
            if isinstance(candidate, TableClause) and candidate.name == table.name:
                return True
        if node is not element and isinstance(node, Select):
            continue
        stack.extend(node.get_children())
    return False


def _options_safe(select, model, through) -> bool:
    """Loader options may only load ``model`` along the allowed relationships."""
    allowed = {attr.property for attr in through}
    for option in select._with_options:
        for element in getattr(option, "context", None) or ():
            path = getattr(element, "path", None)
            if path is None:
                return False
            for item in path.natural_path:
                if (
                    isinstance(item, RelationshipProperty)
                    and item.mapper.class_ is model
                    and item not in allowed
                ):
                    return False
    return True


def _eager_elsewhere(statement, model, through) -> bool:
    """Whether a joined eager load reaches ``model`` other than along ``through`` (those join it at
    compile time, invisibly to the checks above)."""
    allowed = {attr.property for attr in through}
    seen: set = set()
    todo = [
        desc["entity"].__mapper__
        for desc in statement.column_descriptions
        if desc.get("entity") is not None and hasattr(desc["entity"], "__mapper__")
    ]
    while todo:
        mapper = todo.pop()
        if mapper in seen:
            continue
        seen.add(mapper)
        for prop in mapper.relationships:
            if prop.lazy != "joined":
                continue
            if prop.mapper.class_ is model and prop not in allowed:
                return True
            todo.append(prop.mapper)
    return False


@event.listens_for(Session, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(SKIP_FILTER):
        return
    options = _criteria_options(current_scope(), state.statement if state.is_select else None)
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


def _set_rls(connection, scope: Scope, *, beginning: bool = False) -> None:
    role = _rls_engines.get(id(connection.engine))
    if role is None:
        return
    if role and not role.replace("_", "").isalnum():
        raise ValueError(f"bad PostgreSQL role name {role!r}")
    all_jurisdictions, jurisdiction = scope.rls_scope()
    # A transaction starts with no scope (no row of its own in qingqian_rls_scope): nothing to write when
    # it begins empty, which keeps anonymous requests and the gate's first queries free of the write.
    write_scope = not (beginning and not all_jurisdictions and jurisdiction is None)
    # One round trip: set_config('role', …, true) is SET LOCAL ROLE; the scope goes through the SECURITY
    # DEFINER function, the only way to write it (core.tenancy.rls).
    parts, params = [], {}
    if role:
        parts.append("set_config('role', :r, true)")
        params["r"] = role
    if write_scope:
        parts.append("qingqian_set_scope(:a, CAST(:j AS bigint))")
        params.update(a=all_jurisdictions, j=jurisdiction)
    if parts:
        connection.execute(text("SELECT " + ", ".join(parts)), params)


@event.listens_for(Session, "after_begin")
def _after_begin(session: Session, transaction, connection) -> None:
    _set_rls(connection, current_scope(), beginning=True)


def _refresh_open_transaction(scope: Scope) -> None:
    from flask import has_app_context

    if not has_app_context():
        return
    from core.extensions import db

    session = db.session()
    transaction = session.get_transaction()
    # A failed flush leaves the transaction waiting for a rollback: asking it for its connection would
    # raise PendingRollbackError over the original error; the next transaction sets the scope afresh.
    if transaction is None or not transaction.is_active:
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
