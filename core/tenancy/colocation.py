"""The schema kept ready to distribute by jurisdiction (Citus' multi-tenant model).

A tenant-owned table is one with a ``jurisdiction_id`` column. When one machine is outgrown, each is
distributed by that column, and three rules make that possible without a rewrite:

1. the table has a unique key that holds ``jurisdiction_id`` — ``(jurisdiction_id, id)`` from
   ``JurisdictionOwned`` — so a row is unique within its shard;
2. a foreign key between two tenant-owned tables carries ``jurisdiction_id`` on both sides
   (``core.models.base.colocated_fk``), so both rows sit on the same shard;
3. any other unique key holds ``jurisdiction_id`` too (a shard can only check what it holds), unless it
   is listed in ``GLOBAL_UNIQUE`` with the reason it must be unique across jurisdictions.

``REFERENCE_TABLES`` are tenant-owned but small and read by every request: they are copied to every
node instead (a reference table), so foreign keys may point at them freely. ``problems`` checks a
``MetaData`` against the rules (tests/test_shard_ready.py runs it on core and every installed plugin);
``colocate`` is the migration step that brings an existing table in line.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

DISTRIBUTION_COLUMN = "jurisdiction_id"

REFERENCE_TABLES: dict[str, str] = {
    "tenant_nodes": "the unit tree: a few thousand rows, joined by most queries and read by every request",
    "role_assignments": "who may act where: read by user at sign-in, before any jurisdiction is known",
}

#: (table, columns) → why the key must hold across jurisdictions.
GLOBAL_UNIQUE: dict[tuple[str, tuple[str, ...]], str] = {}


def tenant_owned(table: sa.Table) -> bool:
    return DISTRIBUTION_COLUMN in table.c


def distributed(table: sa.Table) -> bool:
    return tenant_owned(table) and table.name not in REFERENCE_TABLES


def _unique_keys(table: sa.Table) -> list[tuple[str, ...]]:
    keys = [tuple(c.name for c in table.primary_key.columns)]
    keys += [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    ]
    keys += [tuple(c.name for c in index.columns) for index in table.indexes if index.unique]
    return keys


def problems(metadata: sa.MetaData) -> list[str]:
    """Every way a table of ``metadata`` breaks the three rules, one sentence each."""
    found: list[str] = []
    for table in metadata.sorted_tables:
        if not distributed(table):
            continue
        keys = _unique_keys(table)
        if not any(DISTRIBUTION_COLUMN in key for key in keys):
            found.append(f"{table.name}: no primary or unique key holds {DISTRIBUTION_COLUMN}")
        for key in keys[1:]:
            if DISTRIBUTION_COLUMN not in key and (table.name, key) not in GLOBAL_UNIQUE:
                found.append(f"{table.name}: unique key ({', '.join(key)}) lacks {DISTRIBUTION_COLUMN}")
        for fk in table.foreign_key_constraints:
            if not distributed(fk.referred_table):
                continue
            pairs = {(e.parent.name, e.column.name) for e in fk.elements}
            if (DISTRIBUTION_COLUMN, DISTRIBUTION_COLUMN) not in pairs:
                columns = ", ".join(e.parent.name for e in fk.elements)
                found.append(
                    f"{table.name}: foreign key ({columns}) → {fk.referred_table.name} "
                    f"does not carry {DISTRIBUTION_COLUMN}"
                )
    return found


def colocate(
    op,
    table: str,
    foreign_keys: Mapping[str, str] | None = None,
    *,
    ondelete: Mapping[str, str] | None = None,
    key: bool = True,
    drop_index: bool = True,
) -> None:
    """Migration step: give ``table`` its ``(jurisdiction_id, id)`` key and colocated foreign keys.

    ``foreign_keys`` maps a column to the tenant-owned table it refers to; each single-column foreign key
    (named by the metadata's convention) is replaced by the composite one, with the same ``ondelete``.
    Parents first: a colocated foreign key needs its target's key. ``drop_index`` removes the
    single-column ``ix_<table>_jurisdiction_id`` the key's leading column replaces. Names go through
    ``op.f`` so a name over PostgreSQL's 63 characters is shortened the way the metadata's is.
    """
    if drop_index:
        op.drop_index(op.f(f"ix_{table}_{DISTRIBUTION_COLUMN}"), table_name=table)
    if key:
        op.create_index(
            op.f(f"uq_{table}_{DISTRIBUTION_COLUMN}_id"), table, [DISTRIBUTION_COLUMN, "id"], unique=True
        )
    _swap_foreign_keys(op, table, foreign_keys, ondelete, colocated=True)


def uncolocate(
    op,
    table: str,
    foreign_keys: Mapping[str, str] | None = None,
    *,
    ondelete: Mapping[str, str] | None = None,
    key: bool = True,
    drop_index: bool = True,
) -> None:
    """The downgrade of ``colocate`` with the same arguments (children first)."""
    _swap_foreign_keys(op, table, foreign_keys, ondelete, colocated=False)
    if key:
        op.drop_index(op.f(f"uq_{table}_{DISTRIBUTION_COLUMN}_id"), table_name=table)
    if drop_index:
        op.create_index(op.f(f"ix_{table}_{DISTRIBUTION_COLUMN}"), table, [DISTRIBUTION_COLUMN])


def _swap_foreign_keys(
    op,
    table: str,
    foreign_keys: Mapping[str, str] | None,
    ondelete: Mapping[str, str] | None,
    *,
    colocated: bool,
) -> None:
    """Replace each foreign key by its colocated form (``colocated``) or back, same name and ``ondelete``."""
    if not foreign_keys:
        return
    ondelete = ondelete or {}
    carry = [DISTRIBUTION_COLUMN] if colocated else []
    with op.batch_alter_table(table) as batch:  # on SQLite: one rebuild of the table
        for column, target in foreign_keys.items():
            batch.drop_constraint(op.f(f"fk_{table}_{column}_{target}"), type_="foreignkey")
        for column, target in foreign_keys.items():
            batch.create_foreign_key(
                op.f(f"fk_{table}_{column}_{target}"),
                target,
                [column, *carry],
                ["id", *carry],
                ondelete=ondelete.get(column),
            )
