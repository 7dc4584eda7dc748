"""accountability: assessment snapshots (考核).

Revision ID: accountability_0005
Revises: accountability_0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "accountability_0005"
down_revision = "accountability_0004"
branch_labels = None
depends_on = None

TABLE = "accountability_assessments"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("scorecard", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_group_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(["taken_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_taken_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
    rls.enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
