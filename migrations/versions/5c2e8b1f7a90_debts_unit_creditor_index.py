"""index for a unit user's creditors

Revision ID: 5c2e8b1f7a90
Revises: 9d41c7e2a5b8
Create Date: 2026-11-26 17:20:00

A unit user sees the creditors of its subtree's debts; every debt list joins enterprises under that
criterion, which read every debt of the subtree from the heap (0.5 s for an SOE group of 150,000 debts,
benchmarks tenant-scaling and isolation scenarios). With (unit_id, creditor_id) INCLUDE (jurisdiction_id)
it is an index-only scan.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5c2e8b1f7a90"
down_revision = "9d41c7e2a5b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("debts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_debts_unit_creditor",
            ["unit_id", "creditor_id"],
            unique=False,
            postgresql_include=["jurisdiction_id"],
        )


def downgrade():
    with op.batch_alter_table("debts", schema=None) as batch_op:
        batch_op.drop_index("ix_debts_unit_creditor")
