"""反例插件：broken_notes（故意没有启用行级安全）

Revision ID: brk_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "brk_0001"
down_revision = None
branch_labels = ("broken",)
depends_on = "3eaae3783907"


def upgrade():
    op.create_table(
        "broken_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(16, 2), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name="fk_broken_notes_debt_id_debts"),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name="fk_broken_notes_jurisdiction"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["tenant_nodes.id"], name="fk_broken_notes_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_broken_notes"),
    )
    op.create_index(
        "uq_broken_notes_jurisdiction_id_id", "broken_notes", ["jurisdiction_id", "id"], unique=True
    )
    op.create_index("ix_broken_notes_unit_id", "broken_notes", ["unit_id"])
    # Missing on purpose: enable_tenant_rls(op, "broken_notes").


def downgrade():
    op.drop_table("broken_notes")
