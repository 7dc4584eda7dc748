"""complaints: ready to distribute by jurisdiction (colocated keys, tracking code unique per jurisdiction)

Revision ID: complaints_shard_0001
Revises: intake_0001_amounts_triage
Create Date: 2026-12-04 16:00:00

Every table gets the unique key (jurisdiction_id, id) in place of its jurisdiction index; the foreign keys
to complaints and debts carry jurisdiction_id (core.tenancy.colocation). The tracking code is unique within
its jurisdiction: the public pages that look a code up are per jurisdiction and name it.
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

revision = "complaints_shard_0001"
down_revision = "intake_0001_amounts_triage"
branch_labels = None
# The debts' (jurisdiction_id, id) key the case links point at comes with core's shard_0001.
depends_on = "shard_0001"

# Parents before children: a colocated foreign key needs its target's key.
TABLES = [
    ("complaints", {}),
    ("complaint_attachments", {"complaint_id": "complaints"}),
    ("complaint_steps", {"complaint_id": "complaints"}),
    ("complaint_debt_links", {"complaint_id": "complaints", "debt_id": "debts"}),
    ("complaint_confidential_notes", {"complaint_id": "complaints"}),
]
# (table, old columns, new columns) of the unique keys that now end with jurisdiction_id.
UNIQUE = [
    ("complaints", ["tracking_code"], ["tracking_code", "jurisdiction_id"]),
    ("complaint_debt_links", ["complaint_id", "debt_id"], ["complaint_id", "debt_id", "jurisdiction_id"]),
]


def _swap_unique(table: str, old: list[str], new: list[str]) -> None:
    with op.batch_alter_table(table) as batch:  # a constraint: SQLite rebuilds the table
        batch.drop_constraint(f"uq_{table}_{'_'.join(old)}", type_="unique")
        batch.create_unique_constraint(f"uq_{table}_{'_'.join(new)}", new)


def upgrade() -> None:
    for table, foreign_keys in TABLES:
        colocate(op, table, foreign_keys)
    for table, old, new in UNIQUE:
        _swap_unique(table, old, new)


def downgrade() -> None:
    for table, old, new in reversed(UNIQUE):
        _swap_unique(table, new, old)
    for table, foreign_keys in reversed(TABLES):
        uncolocate(op, table, foreign_keys)
