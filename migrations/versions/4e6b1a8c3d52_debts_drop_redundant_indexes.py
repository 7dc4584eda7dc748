"""debts: drop single-column indexes the composite ones cover

Revision ID: 4e6b1a8c3d52
Revises: 7b3d9e4f1c26
Create Date: 2026-11-26 22:10:00

``unit_id`` leads ix_debts_unit_creditor; ``status`` and ``due_date`` are only ever queried within a
jurisdiction, where ix_debts_scope_status / ix_debts_jurisdiction_due serve. Every debt written (the
ledger import writes 100,000 in one go) paid for three more index entries. ix_debts_jurisdiction_id stays,
though ix_debts_scope_status leads with the same column: the planner's parallel scan of one jurisdiction's
debts depends on it (benchmarks isolation scenario).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "4e6b1a8c3d52"
down_revision = "7b3d9e4f1c26"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_debts_unit_id": ["unit_id"],
    "ix_debts_status": ["status"],
    "ix_debts_due_date": ["due_date"],
}


def upgrade():
    with op.batch_alter_table("debts", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)


def downgrade():
    with op.batch_alter_table("debts", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
