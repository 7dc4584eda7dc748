"""ledger: tables ready to distribute by jurisdiction (keys holding jurisdiction_id, colocated foreign keys)

Revision ID: ledger_shard_0001
Revises: lpar_0001
Create Date: 2026-12-04 15:00:00

Every ledger table gets the unique key (jurisdiction_id, id) in place of its jurisdiction index, except
ledger_row_keys: nothing refers to a row key, and its one-key-per-debt constraint now holds the
jurisdiction, so the 100,000-row import writes no extra index entry per key. Foreign keys to imports,
rounds, submissions and debts carry jurisdiction_id (core.tenancy.colocation); the unique keys of round
units, live submissions and flags hold it as their last column.
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy.colocation import colocate, uncolocate

revision = "ledger_shard_0001"
down_revision = "lpar_0001"
branch_labels = None
# The debts' (jurisdiction_id, id) key the row keys and flags point at comes with core's shard_0001.
depends_on = "shard_0001"

LIVE = sa.text("status <> 'reopened'")

# Parents before children: a colocated foreign key needs its target's key.
# (table, foreign keys, ondelete, colocate's options)
TABLES = [
    ("ledger_imports", {}, {}, {}),
    # Preview rows and row keys lost their jurisdiction index in ledger_0004 (copied tenant columns).
    (
        "ledger_import_rows",
        {"import_id": "ledger_imports"},
        {"import_id": "CASCADE"},
        {"drop_index": False},
    ),
    (
        "ledger_row_keys",
        {"debt_id": "debts", "import_id": "ledger_imports"},
        {},
        {"drop_index": False, "key": False},
    ),
    ("ledger_column_mappings", {}, {}, {}),
    ("ledger_rounds", {}, {}, {}),
    ("ledger_round_units", {"round_id": "ledger_rounds"}, {}, {}),
    ("ledger_submissions", {"round_id": "ledger_rounds"}, {}, {}),
    (
        "ledger_flags",
        {"round_id": "ledger_rounds", "submission_id": "ledger_submissions", "debt_id": "debts"},
        {},
        {},
    ),
    ("ledger_exports", {}, {}, {}),
]

# Unique indexes that gain jurisdiction_id as their last column: name → (table, columns, partial).
UNIQUE_INDEXES = {
    "uq_ledger_round_units_round_unit": ("ledger_round_units", ["round_id", "unit_id"], False),
    "uq_ledger_submissions_live": ("ledger_submissions", ["round_id", "unit_id"], True),
    "uq_ledger_flags_round_kind_debt": ("ledger_flags", ["round_id", "kind", "debt_id"], False),
}


def _create_unique_index(name: str, table: str, columns: list[str], partial: bool) -> None:
    where = {"sqlite_where": LIVE, "postgresql_where": LIVE} if partial else {}
    op.create_index(name, table, columns, unique=True, **where)


def upgrade() -> None:
    # Dropped before the tables are rebuilt (SQLite batch mode) and created again after, with the
    # jurisdiction: the rebuild need not carry the partial index across.
    for name, (table, _columns, _partial) in UNIQUE_INDEXES.items():
        op.drop_index(name, table_name=table)
    for table, foreign_keys, ondelete, options in TABLES:
        colocate(op, table, foreign_keys, ondelete=ondelete, **options)
    for name, (table, columns, partial) in UNIQUE_INDEXES.items():
        _create_unique_index(name, table, [*columns, "jurisdiction_id"], partial)
    with op.batch_alter_table("ledger_row_keys") as batch:
        batch.drop_constraint("uq_ledger_row_keys_debt_id", type_="unique")
        batch.create_unique_constraint(
            "uq_ledger_row_keys_debt_id_jurisdiction_id", ["debt_id", "jurisdiction_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_row_keys") as batch:
        batch.drop_constraint("uq_ledger_row_keys_debt_id_jurisdiction_id", type_="unique")
        batch.create_unique_constraint("uq_ledger_row_keys_debt_id", ["debt_id"])
    for name, (table, _columns, _partial) in UNIQUE_INDEXES.items():
        op.drop_index(name, table_name=table)
    for table, foreign_keys, ondelete, options in reversed(TABLES):
        uncolocate(op, table, foreign_keys, ondelete=ondelete, **options)
    for name, (table, columns, partial) in UNIQUE_INDEXES.items():
        _create_unique_index(name, table, columns, partial)
